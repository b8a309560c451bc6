#pragma once
// The Redis engine: many nodes share panels through one Redis. Each panel's
// events are appended to its log in Redis by compare-and-append (one order
// across nodes, the seq as the resume point) and published on its channel;
// each node keeps a replica of the panels its clients are in, on the
// panel's owner executor, and subscribes to a panel's channel only while it
// has a replica of it. Commands are decided on the replica and appended
// with the head they were decided against (redis_panel_replica.h).
//
// Per owner executor: one connection for commands and one for
// subscriptions (a subscribed connection takes no other commands), each
// living on that executor only (hiredis contexts are not thread-safe).

#include <atomic>
#include <memory>
#include <unordered_map>
#include <vector>

#include "engine.h"
#include "leftover_outbox.h"
#include "panel_catalog.h"
#include "redis_connection.h"
#include "redis_panel_log.h"
#include "redis_panel_replica.h"

namespace panelwire::engine {

struct RedisEngineOptions {
  RedisEndpoint endpoint;
  ReplicaOptions replica;
  RedisConnection::Options connection;
  RedisRetention retention;
};

class RedisEngine final : public Engine {
 public:
  // `catalog` and `outbox` outlive the engine. Destroy the engine after the
  // owners' threads stopped.
  RedisEngine(std::vector<Executor> owners, RedisEngineOptions options, core::PanelLimits limits,
              const core::Clock& clock, const core::PanelCatalog& catalog, LeftoverOutbox& outbox);
  ~RedisEngine() override;

  // Connects every owner's connections; they reconnect on their own after.
  void start();

  void append(const std::string& panel_id, core::Draft draft, Executor reply_on,
              Reply<core::Appended> done) override;
  void backlog(const std::string& panel_id, std::optional<std::uint64_t> resume_after,
               std::size_t chat_count, const std::string& viewer_id, Executor reply_on,
               Reply<core::Backlog> done) override;
  void subscribe(const std::string& panel_id, EventSink* sink, Executor sink_on,
                 Reply<void> done) override;
  void unsubscribe(const std::string& panel_id, EventSink* sink) override;
  void figures(Executor reply_on, std::function<void(EngineFigures)> done) const override;
  // Every connection is up.
  bool ready() const override;
  // Drops every connection for good: what waits on Redis fails.
  void abandon() override;

 private:
  struct Owner {
    Executor ex;
    std::shared_ptr<RedisConnection> commands;
    std::shared_ptr<RedisConnection> live;
    std::unique_ptr<RedisPanelLog> log;
    // Declared last, destroyed first: replicas go before their connections.
    std::unordered_map<std::string, std::shared_ptr<PanelReplica>> panels;
  };

  Owner& owner_of(const std::string& panel_id);
  // Runs `f(replica)` on the panel's owner, creating the replica when
  // needed, or `fail(failure)` when the panel is unknown or Redis is out of
  // reach and the replica is not loaded.
  template <class F, class Fail>
  void with_replica(const std::string& panel_id, F f, Fail fail);
  void retire(Owner& owner, const std::string& panel_id);

  RedisEngineOptions options_;
  core::PanelLimits limits_;
  const core::Clock& clock_;
  const core::PanelCatalog& catalog_;
  LeftoverOutbox& outbox_;
  std::atomic<int> connected_{0};
  std::vector<Owner> owners_;
};

}  // namespace panelwire::engine
