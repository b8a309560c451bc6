#pragma once
// Leftovers through Redis: each item of a batch is added to the leftovers
// stream (read by forum importers with a consumer group, so none is lost
// while no importer runs) and announced on the leftovers channel, in one
// script that first sets the batch's marker: a batch published again (a
// retry, or a second node covering for one that died) adds nothing. Key
// names and payloads: docs/redis.md.

#include <chrono>
#include <memory>

#include "engine.h"
#include "leftover_outbox.h"
#include "redis_connection.h"

namespace panelwire::engine {

struct RedisLeftoverKeys {
  // Both under one hash tag: the script touches one cluster slot.
  static constexpr const char* stream = "pw:{leftovers}";
  static constexpr const char* channel = "pw:leftovers";
  static std::string marker(const v1::LeftoverBatch& batch);
};

class RedisLeftoverOutbox final : public LeftoverOutbox {
 public:
  RedisLeftoverOutbox(Executor ex, RedisEndpoint endpoint, RedisConnection::Options options);
  ~RedisLeftoverOutbox() override;
  void start();
  void publish(v1::LeftoverBatch batch, std::function<void(core::Result<void>)> done) override;

 private:
  Executor ex_;
  std::shared_ptr<RedisConnection> conn_;
};

}  // namespace panelwire::engine
