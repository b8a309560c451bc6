#pragma once
// Where leftovers go when a panel publishes them. Guarantee: when `done`
// runs without an error, the batch is durable (on disk, or in Redis) and a
// later importer will find every item; a batch is written once per call.

#include <functional>

#include "failure.h"
#include "panelwire/v1/leftover.pb.h"

namespace panelwire::engine {

class LeftoverOutbox {
 public:
  virtual ~LeftoverOutbox() = default;
  // `done` may run on any thread; the engine moves it where it belongs.
  virtual void publish(v1::LeftoverBatch batch, std::function<void(core::Result<void>)> done) = 0;
};

}  // namespace panelwire::engine
