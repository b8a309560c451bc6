#pragma once
// One connection to Redis, living on one executor: commands with binary-safe
// arguments through redisAsyncCommandArgv, channel subscriptions (on a
// connection of their own: a subscribed connection takes no other commands),
// and reconnection with backoff. Callbacks run on the executor.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "failure.h"
#include "latency_histogram.h"
#include "redis_url.h"

struct redisAsyncContext;
struct redisReply;

namespace panelwire::engine {

// A reply, copied out of hiredis's buffer.
struct RedisValue {
  enum class Type { nil, integer, string, status, error, array };
  Type type = Type::nil;
  std::int64_t integer = 0;
  std::string str;
  std::vector<RedisValue> elements;
};

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  using Done = std::function<void(core::Result<RedisValue>)>;
  using Message = std::function<void(const std::string& channel, const std::string& payload)>;

  struct Options {
    // Backoff between reconnects, doubling from min to max.
    std::chrono::milliseconds reconnect_min{100};
    std::chrono::milliseconds reconnect_max{5'000};
    // A Redis that owes a reply this long with the socket still open
    // (paused, swapping, a network that drops without a reset) is treated
    // as lost: what waits fails with UNAVAILABLE and the connection starts
    // again, so no client waits on it for ever. Far above any command sent
    // here (short scripts, reads of at most a catch-up batch).
    std::chrono::milliseconds reply_timeout{5'000};
    // Told when the connection becomes ready (true) or is lost (false).
    std::function<void(bool ready)> on_state;
  };

  static std::shared_ptr<RedisConnection> create(boost::asio::any_io_executor ex,
                                                 RedisEndpoint endpoint, Options opts);
  ~RedisConnection();

  void start();
  // Disconnects for good; pending commands fail with UNAVAILABLE (soon
  // after, from the read handler: at once, even when Redis does not answer).
  void stop();
  bool ready() const { return ready_; }
  // Figures for the metrics, on the executor: each reply's round trip
  // from its send, and how often the connection came back after its first.
  const core::LatencyHistogram& round_trip() const { return round_trip_; }
  std::uint64_t reconnects() const { return reconnects_; }

  // UNAVAILABLE at once when not ready, or when the connection is lost
  // before the reply; a Redis error reply is an INTERNAL failure.
  void command(std::vector<std::string> argv, Done done);

  // Delivers the channel's messages to `on_message` from now on, across
  // reconnects (resubscribed each time). `done` runs each time the
  // subscription takes effect: first, and again after every reconnect
  // (what was published in between is lost: catch up then).
  void subscribe(const std::string& channel, Message on_message, Done done);
  void unsubscribe(const std::string& channel);

 private:
  struct Pending;
  struct Subscription;
  RedisConnection(boost::asio::any_io_executor ex, RedisEndpoint endpoint, Options opts);
  void connect();
  void on_connected(int status);
  void probe();
  void became_ready();
  void on_disconnected(int status);
  void lost();
  // The reply watchdog: armed while replies are owed.
  void owe_reply();
  void got_reply();
  void watch(std::chrono::steady_clock::duration after);
  void check_replies();
  void drop();
  void refuse(Done done);
  bool send(const std::vector<std::string>& argv, void (*fn)(redisAsyncContext*, void*, void*),
            void* privdata);
  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);
  static void on_message(redisAsyncContext* ac, void* reply, void* privdata);
  static void connect_trampoline(const redisAsyncContext* ac, int status);
  static void disconnect_trampoline(const redisAsyncContext* ac, int status);

  boost::asio::any_io_executor ex_;
  RedisEndpoint endpoint_;
  Options opts_;
  redisAsyncContext* ac_ = nullptr;
  bool ready_ = false;
  bool stopped_ = false;
  core::LatencyHistogram round_trip_;
  std::uint64_t connects_ = 0;
  std::uint64_t reconnects_ = 0;
  std::chrono::milliseconds backoff_{0};
  boost::asio::steady_timer retry_;
  // Replies owed on the current context to command() and probe(), and when
  // the last one came.
  std::size_t owed_ = 0;
  std::chrono::steady_clock::time_point last_reply_;
  boost::asio::steady_timer watchdog_;
  std::unordered_map<std::string, std::unique_ptr<Subscription>> subscriptions_;
  // Unsubscribed, but hiredis may still call back with them: freed when
  // Redis confirms the unsubscribe, or at the next connect.
  std::vector<std::unique_ptr<Subscription>> retired_;
};

}  // namespace panelwire::engine
