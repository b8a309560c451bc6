#pragma once
// A relay node for the Redis engine tests: its own owner thread and engine
// on a shared redis-server, a sink that keeps what it delivered, and the
// drafts of commands as a client's would be.

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "command_drafts.h"
#include "redis_engine.h"
#include "redis_test_support.h"

namespace panelwire::engine {

class Sink final : public EventSink {
 public:
  void on_event(const core::EventPtr& ev) override {
    std::lock_guard lock(m_);
    events_.push_back(ev);
    cv_.notify_all();
  }
  bool wait_for_count(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }
  std::vector<std::uint64_t> seqs() {
    std::lock_guard lock(m_);
    std::vector<std::uint64_t> out;
    for (auto& e : events_) out.push_back(e->seq());
    return out;
  }
  // What a client would receive, byte for byte.
  std::vector<std::string> frames() {
    std::lock_guard lock(m_);
    std::vector<std::string> out;
    for (auto& e : events_) out.push_back(e->event().SerializeAsString());
    return out;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<core::EventPtr> events_;
};

// One relay node: its owner thread and its engine.
struct Node {
  Node(const RedisProcess& redis, const core::PanelLimits& limits,
       const core::PanelCatalog& catalog, std::uint64_t snapshot_every = 1'000)
      : engine({owner.executor()}, options(redis, snapshot_every), limits, clock, catalog, outbox) {
    engine.start();
    wait_ready();
  }
  ~Node() { owner.stop(); }
  void wait_ready() {
    for (int i = 0; i < 500 && !engine.ready(); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(engine.ready());
  }
  static RedisEngineOptions options(const RedisProcess& redis, std::uint64_t snapshot_every) {
    RedisEngineOptions o;
    o.endpoint = *parse_redis_url(redis.url());
    o.replica.snapshot_every = snapshot_every;
    o.connection.reconnect_min = 20ms;
    o.connection.reconnect_max = 200ms;
    return o;
  }

  core::Result<core::Appended> append(const std::string& panel, core::Draft d) {
    std::promise<core::Result<core::Appended>> p;
    engine.append(panel, std::move(d), caller.executor(),
                  [&](auto r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  core::Result<core::Backlog> backlog(const std::string& panel, std::optional<std::uint64_t> after,
                                      const std::string& viewer = {}) {
    std::promise<core::Result<core::Backlog>> p;
    engine.backlog(panel, after, 10, viewer, caller.executor(),
                   [&](auto r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  void subscribe(const std::string& panel, Sink& sink) {
    std::promise<core::Result<void>> p;
    engine.subscribe(panel, &sink, caller.executor(), [&](auto r) { p.set_value(r); });
    ASSERT_TRUE(p.get_future().get().has_value());
  }

  core::SystemClock clock;
  IoThread owner, caller;
  RecordingOutbox outbox;
  RedisEngine engine;
};

inline core::Draft command(const v1::ClientMessage& m, const v1::Participant& who,
                           std::string key = {}) {
  auto d = core::draft_command(m, who, core::CommandLimits{});
  EXPECT_TRUE(d.has_value());
  d->dedup_key = std::move(key);
  return std::move(*d);
}

inline v1::Participant person(const std::string& id, v1::Role role = v1::ATTENDEE) {
  v1::Participant p;
  p.set_id(id);
  p.set_display_name(id);
  p.set_role(role);
  return p;
}

}  // namespace panelwire::engine
