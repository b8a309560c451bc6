#include "panelwire/forum/drip_schedule.h"

#include <stdexcept>

namespace panelwire::forum {

namespace {

// KEYS: the schedule. ARGV: now, period (ms). Starts a new period when the
// current one is over (periods follow each other from the first post), and
// answers {start, count}.
constexpr const char* kCurrentScript = R"lua(
local now, period = tonumber(ARGV[1]), tonumber(ARGV[2])
local start = tonumber(redis.call('HGET', KEYS[1], 'start') or '-1')
if start < 0 or now >= start + period then
  if start < 0 then start = now else start = start + math.floor((now - start) / period) * period end
  redis.call('HSET', KEYS[1], 'start', start, 'count', 0)
end
return {start, tonumber(redis.call('HGET', KEYS[1], 'count') or '0')}
)lua";

}  // namespace

DripRule parse_drip(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos) throw std::invalid_argument("--drip wants K/PERIOD, e.g. 1/24h");
  DripRule r;
  std::size_t used = 0;
  r.per_period = std::stoi(text.substr(0, slash));
  auto period = text.substr(slash + 1);
  auto amount = std::stod(period, &used);
  auto unit = period.substr(used);
  double ms = unit == "s"   ? 1e3
              : unit == "m" ? 60e3
              : unit == "h" ? 3600e3
              : unit == "d" ? 86400e3
                            : -1;
  if (r.per_period < 1 || amount <= 0 || ms < 0)
    throw std::invalid_argument("--drip wants K/PERIOD with K >= 1 and a unit s, m, h or d");
  r.period = std::chrono::milliseconds(static_cast<std::int64_t>(amount * ms));
  return r;
}

DripSchedule::DripSchedule(RedisClient& redis, std::string key, DripRule rule)
    : redis_(redis), key_(std::move(key)), rule_(rule) {}

std::pair<std::int64_t, std::int64_t> DripSchedule::current(std::int64_t now_ms) {
  auto r = redis_.command({"EVAL", kCurrentScript, "1", key_, std::to_string(now_ms),
                           std::to_string(rule_.period.count())});
  return {r.elements.at(0).integer, r.elements.at(1).integer};
}

std::chrono::milliseconds DripSchedule::wait(std::int64_t now_ms) {
  auto [start, count] = current(now_ms);
  if (count < rule_.per_period) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(start + rule_.period.count() - now_ms);
}

void DripSchedule::posted(std::int64_t now_ms) {
  current(now_ms);
  redis_.command({"HINCRBY", key_, "count", "1"});
}

}  // namespace panelwire::forum
