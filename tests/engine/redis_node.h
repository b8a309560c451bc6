#pragma once
// A relay node for the Redis engine tests: its own owner thread and engine
// on a shared redis-server, a sink that keeps what it delivered, and the
// drafts of commands as a client's would be.

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "engine_test_kit.h"
#include "redis_engine.h"
#include "redis_test_support.h"

namespace panelwire::engine {

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

}  // namespace panelwire::engine
