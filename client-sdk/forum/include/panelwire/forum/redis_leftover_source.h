#pragma once
// Leftovers from the Redis stream `pw:{leftovers}`, read with a consumer
// group so several importers share the load and a restarted one goes on
// where it stopped: first this consumer's own unacknowledged entries, then
// entries another consumer left idle past `claim_after` (it died), then
// new ones. Refused entries go to the stream `pw:{leftovers}:dead`.

#include <memory>

#include "panelwire/forum/leftover_source.h"
#include "panelwire/forum/redis_client.h"

namespace panelwire::forum {

struct RedisSourceOptions {
  std::string stream = "pw:{leftovers}";
  std::string dead_letters = "pw:{leftovers}:dead";
  std::string group = "forum";
  // Stable across restarts, so the importer finds its own pending entries.
  std::string consumer;
  // An entry delivered to another consumer and not acknowledged for this
  // long is taken over: that consumer is taken for dead. Longer than any
  // forum's slowest answer plus retries of one post.
  std::chrono::milliseconds claim_after{std::chrono::minutes(5)};
};

class RedisLeftoverSource final : public LeftoverSource {
 public:
  RedisLeftoverSource(RedisClient& redis, RedisSourceOptions options);

  std::vector<Entry> next(std::size_t max, std::chrono::milliseconds wait) override;
  void ack(const Entry& e) override;
  void dead_letter(const Entry& e, const std::string& reason) override;
  bool drained() const override { return drained_; }

 private:
  std::vector<Entry> parse(const Reply& entries);

  RedisClient& redis_;
  RedisSourceOptions options_;
  bool own_pending_done_ = false;
  std::string pending_cursor_ = "0";
  bool drained_ = false;
};

// The dead-letter stream, for an operator: list, and put back for delivery.
struct DeadLetter {
  std::string entry_id;
  std::string leftover_id;
  std::string reason;
};
std::vector<DeadLetter> list_dead_letters(RedisClient& redis, const RedisSourceOptions& o);
// Moves the dead letter `entry_id` (all when empty) back to the stream;
// returns how many moved.
std::size_t retry_dead_letters(RedisClient& redis, const RedisSourceOptions& o,
                               const std::string& entry_id);

}  // namespace panelwire::forum
