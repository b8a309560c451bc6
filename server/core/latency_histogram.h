#pragma once
// How long something took, in fixed buckets: constant memory, a plain add
// per observation (each shard keeps its own, on its own thread), and two of
// them merge by adding, so a scrape can sum the shards' copies.

#include <array>
#include <cstdint>

namespace panelwire::core {

class LatencyHistogram {
 public:
  // Upper bounds in microseconds: from a fan-out to a handful of sessions
  // (tens of µs) to a Redis append under load (seconds); about 2.5x apart,
  // so a quantile read from them is off by at most that step.
  static constexpr std::array<std::int64_t, 14> kBoundsUs = {
      50,     100,    250,    500,     1'000,   2'500,     5'000,
      10'000, 25'000, 50'000, 100'000, 250'000, 1'000'000, 2'500'000};

  void observe(std::int64_t us) {
    if (us < 0) us = 0;
    std::size_t i = 0;
    while (i < kBoundsUs.size() && us > kBoundsUs[i]) ++i;
    ++counts_[i];
    sum_us_ += static_cast<std::uint64_t>(us);
  }

  void merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    sum_us_ += other.sum_us_;
  }

  // Observations in bucket `i` alone (the last one: past every bound).
  std::uint64_t count_in(std::size_t i) const { return counts_[i]; }
  std::uint64_t count() const {
    std::uint64_t n = 0;
    for (auto c : counts_) n += c;
    return n;
  }
  std::uint64_t sum_us() const { return sum_us_; }

 private:
  std::array<std::uint64_t, kBoundsUs.size() + 1> counts_{};
  std::uint64_t sum_us_ = 0;
};

}  // namespace panelwire::core
