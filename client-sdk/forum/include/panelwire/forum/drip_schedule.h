#pragma once
// The optional release schedule: at most K posts per period, highest-voted
// first, as a moderator posting one question a day over the weeks a
// discussion is open. The count for the current period lives in Redis, so
// it holds across restarts and across importers.

#include <chrono>
#include <cstdint>
#include <string>

#include "panelwire/forum/redis_client.h"

namespace panelwire::forum {

struct DripRule {
  int per_period = 1;
  std::chrono::milliseconds period{std::chrono::hours(24)};
};

// "K/PERIOD" with PERIOD a number and a unit (s, m, h, d): "1/24h", "3/1d".
// Throws std::invalid_argument.
DripRule parse_drip(const std::string& text);

class DripSchedule {
 public:
  // `key`: a hash holding the current period's start and count.
  DripSchedule(RedisClient& redis, std::string key, DripRule rule);

  // How long to wait before the next post may go out; zero: now.
  std::chrono::milliseconds wait(std::int64_t now_ms);
  // Counts a post made now.
  void posted(std::int64_t now_ms);

 private:
  // The period `now_ms` falls in: its start and how many posts it had.
  std::pair<std::int64_t, std::int64_t> current(std::int64_t now_ms);

  RedisClient& redis_;
  std::string key_;
  DripRule rule_;
};

}  // namespace panelwire::forum
