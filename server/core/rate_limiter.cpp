#include "rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace panelwire::core {

double RateLimiter::level(const Bucket& b, double per_second, double burst, std::int64_t now_ms) {
  auto elapsed = static_cast<double>(std::max<std::int64_t>(now_ms - b.at_ms, 0)) / 1000.0;
  return std::min(burst, b.tokens + elapsed * per_second);
}

std::uint32_t RateLimiter::wait(const std::string& key, const RateRule& rule,
                                std::int64_t now_ms) const {
  if (rule.per_second <= 0) return 0;
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return rule.burst >= 1.0 ? 0 : 1;
  auto tokens = level(it->second, rule.per_second, rule.burst, now_ms);
  if (tokens >= 1.0) return 0;
  auto wait_ms = std::ceil((1.0 - tokens) / rule.per_second * 1000.0);
  // A rate so slow the wait passes ~49 days gets the longest wait there is
  // (the cast of a larger double is undefined; found by tests/fuzz).
  constexpr auto kLongest = std::numeric_limits<std::uint32_t>::max();
  if (!(wait_ms < kLongest)) return kLongest;
  return static_cast<std::uint32_t>(std::max(wait_ms, 1.0));
}

void RateLimiter::charge(const std::string& key, const RateRule& rule, std::int64_t at_ms) {
  if (rule.per_second <= 0) return;
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_tracked_) make_room(at_ms);
    it = buckets_.emplace(key, Bucket{rule.burst, at_ms, rule.burst, rule.per_second}).first;
  }
  auto& b = it->second;
  // Events from other nodes carry their clocks: time never runs backwards
  // in a bucket.
  b.tokens = std::max(level(b, rule.per_second, rule.burst, at_ms) - 1.0, 0.0);
  b.at_ms = std::max(b.at_ms, at_ms);
  b.burst = rule.burst;
  b.per_second = rule.per_second;
}

std::uint32_t RateLimiter::take(const std::string& key, const RateRule& rule, std::int64_t now_ms) {
  auto w = wait(key, rule, now_ms);
  if (w == 0) charge(key, rule, now_ms);
  return w;
}

void RateLimiter::make_room(std::int64_t now_ms) {
  std::erase_if(buckets_, [&](const auto& kv) {
    const auto& b = kv.second;
    return level(b, b.per_second, b.burst, now_ms) >= b.burst;
  });
  if (buckets_.size() < max_tracked_) return;
  auto idle = std::min_element(buckets_.begin(), buckets_.end(), [](const auto& a, const auto& b) {
    return a.second.at_ms < b.second.at_ms;
  });
  buckets_.erase(idle);
}

}  // namespace panelwire::core
