#pragma once
// How busy something is: what it counted per second over about the last
// second, from two fixed one-second windows (the previous one weighted by
// the part of it still inside the last second). Constant memory; a shard's
// deliveries decide whether its frames wait for its flush.

#include <cstdint>

namespace panelwire::core {

class EventRate {
 public:
  // Counts `n` at `now_ms` (a wall clock, which may step back: the count
  // then starts over); returns the rate with them counted.
  double record(std::int64_t now_ms, std::uint32_t n = 1) {
    advance(now_ms);
    current_ += n;
    return per_second(now_ms);
  }

  double per_second(std::int64_t now_ms) const {
    const auto into = now_ms - window_start_;
    if (into >= 2 * kWindowMs) return 0;
    if (into >= kWindowMs) {
      // One window later than the last event: only what it left behind.
      const double left = static_cast<double>(2 * kWindowMs - into) / kWindowMs;
      return current_ * left;
    }
    const double left = into <= 0 ? 1.0 : static_cast<double>(kWindowMs - into) / kWindowMs;
    return current_ + previous_ * left;
  }

 private:
  static constexpr std::int64_t kWindowMs = 1000;

  void advance(std::int64_t now_ms) {
    const auto into = now_ms - window_start_;
    if (into < 0) {
      // The wall clock stepped back: start over from now rather than count
      // into one window for as long as the step (a quiet panel would read
      // as busy all that time).
      window_start_ = now_ms;
      current_ = previous_ = 0;
      return;
    }
    if (into < kWindowMs) return;
    previous_ = into < 2 * kWindowMs ? current_ : 0;
    current_ = 0;
    window_start_ = now_ms - into % kWindowMs;
  }

  std::int64_t window_start_ = 0;
  std::uint32_t current_ = 0;
  std::uint32_t previous_ = 0;
};

}  // namespace panelwire::core
