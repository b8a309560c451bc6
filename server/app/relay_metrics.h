#pragma once
// The relay's metrics (docs/operations.md lists them): every shard's
// figures, copied on its own thread and added up, in Prometheus's text
// exposition format (written by prometheus-cpp's serializer).

#include <memory>
#include <string>
#include <vector>

#include "engine.h"
#include "metrics_source.h"
#include "shard.h"

namespace panelwire::app {

// The whole node's figures at one scrape.
struct NodeFigures {
  net::ShardStats shards;  // every shard's, added up
  engine::EngineFigures engine;
  bool engine_ready = false;
  std::size_t live_sessions = 0;
};

// The exposition text of `f`: names and labels after Prometheus's
// conventions (base units, `_total` counters, label values from fixed sets).
std::string render_metrics(const NodeFigures& f);

class RelayMetrics final : public net::MetricsSource {
 public:
  // `shards` and `engine` outlive it; `live_sessions` is the relay's count.
  RelayMetrics(std::vector<net::Shard*> shards, const engine::Engine& engine,
               const std::atomic<std::size_t>& live_sessions)
      : shards_(std::move(shards)), engine_(engine), live_sessions_(live_sessions) {}

  void collect(engine::Executor reply_on, std::function<void(std::string)> done) override;

 private:
  std::vector<net::Shard*> shards_;
  const engine::Engine& engine_;
  const std::atomic<std::size_t>& live_sessions_;
};

}  // namespace panelwire::app
