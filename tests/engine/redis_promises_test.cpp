// What docs/redis.md promises of the Redis connection, against a real
// redis-server: reconnects back off from 100 ms, doubling, up to 5 s
// (the defaults, and the pacing itself with shorter bounds so a test sees
// the cap), counted by the attempts Redis refuses.

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>

#include "redis_test_support.h"

namespace panelwire::engine {
namespace {

// The steady-clock times of the log lines holding `needle`, from the engine's
// logger, while it lives.
class LogTimes final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit LogTimes(std::string needle) : needle_(std::move(needle)) {}
  std::vector<std::chrono::steady_clock::time_point> times() {
    std::lock_guard lock(mutex_);
    return times_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (std::string_view(msg.payload.data(), msg.payload.size()).find(needle_) !=
        std::string_view::npos)
      times_.push_back(std::chrono::steady_clock::now());
  }
  void flush_() override {}

 private:
  std::string needle_;
  std::vector<std::chrono::steady_clock::time_point> times_;
};

// Adds the sink to the default logger for the scope's life.
struct Listening {
  explicit Listening(std::shared_ptr<LogTimes> sink) : sink_(std::move(sink)) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~Listening() { std::erase(spdlog::default_logger()->sinks(), sink_); }
  std::shared_ptr<LogTimes> sink_;
};

TEST(RedisBackoff, TheDefaultsAreTheDocumentedOnes) {
  // docs/redis.md: "reconnect with backoff (100 ms doubling to 5 s)"; the
  // relay gives its connections these defaults (server/app/relay.cpp).
  RedisConnection::Options o;
  EXPECT_EQ(o.reconnect_min, 100ms);
  EXPECT_EQ(o.reconnect_max, 5'000ms);
}

TEST(RedisBackoff, AttemptsDoubleFromTheMinimumAndStayAtTheCap) {
  // A real Redis that refuses us (wrong password): every attempt is a
  // connection Redis accepts and counts, then a refusal and a reconnect.
  RedisProcess redis(0, "the-right-password");
  IoThread io;
  auto failures = std::make_shared<LogTimes>("event=redis_auth_failed");
  Listening listening(failures);
  const long long connections_before = redis.info_number("stats", "total_connections_received");

  RedisConnection::Options o;
  // The documented shape with shorter bounds: 10 ms doubling to 80 ms.
  o.reconnect_min = 10ms;
  o.reconnect_max = 80ms;
  std::atomic<bool> ever_ready = false;
  o.on_state = [&](bool up) {
    if (up) ever_ready = true;
  };
  auto endpoint = *parse_redis_url(redis.url());
  endpoint.password = "a-wrong-password";
  auto c = RedisConnection::create(io.executor(), endpoint, o);
  boost::asio::post(io.executor(), [c] { c->start(); });

  // Capped, 14 attempts take 10+20+40+80*10 ms and change: well under 10 s
  // on any machine. Without the cap they would take 10 ms * 2^13, over a
  // minute.
  constexpr std::size_t kAttempts = 14;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (failures->times().size() < kAttempts && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  std::promise<void> stopped;
  boost::asio::post(io.executor(), [&] {
    c->stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  io.stop();
  auto times = failures->times();
  ASSERT_GE(times.size(), kAttempts) << "reconnects stay at the cap, they do not keep growing";
  EXPECT_FALSE(ever_ready) << "refused by Redis: never ready";

  // Each attempt fails a round trip after it began, and begins its backoff
  // after the previous failure: the gaps are never shorter than the backoff
  // (a timer does not fire early). No upper bound on them: that would time
  // the machine.
  for (std::size_t k = 1; k < kAttempts; ++k) {
    const auto backoff = std::min<std::chrono::milliseconds>(10ms * (1 << (k - 1)), 80ms);
    EXPECT_GE(times[k] - times[k - 1], backoff) << "before attempt " << k + 1;
  }
  // Redis counted the attempts: one connection each (less our own INFO
  // call's; one more when an attempt was under way as the connection
  // stopped).
  const long long counted =
      redis.info_number("stats", "total_connections_received") - connections_before - 1;
  EXPECT_GE(counted, static_cast<long long>(times.size()));
  EXPECT_LE(counted, static_cast<long long>(times.size()) + 1);
}

}  // namespace
}  // namespace panelwire::engine
