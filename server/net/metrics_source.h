#pragma once
// What the metrics port (--metrics-listen) serves: the node's figures in
// Prometheus's text format. Gathered asynchronously: each shard copies its
// own figures on its own thread, so nothing on a shard's per-message path
// is shared or locked for the sake of a scrape.

#include <functional>
#include <string>

#include "engine.h"

namespace panelwire::net {

class MetricsSource {
 public:
  virtual ~MetricsSource() = default;
  // `done` runs on `reply_on` with the whole exposition, once every shard
  // has answered.
  virtual void collect(engine::Executor reply_on, std::function<void(std::string)> done) = 0;
};

}  // namespace panelwire::net
