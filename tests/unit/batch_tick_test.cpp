#include "batch_tick.h"

#include <gtest/gtest.h>

namespace panelwire::core {
namespace {

using std::chrono::milliseconds;

TEST(BatchTick, TheNextMultipleOfTheIntervalStrictlyAfterNow) {
  const milliseconds i{20};
  EXPECT_EQ(next_batch_tick(milliseconds{0}, i), milliseconds{20});
  EXPECT_EQ(next_batch_tick(milliseconds{1}, i), milliseconds{20});
  EXPECT_EQ(next_batch_tick(milliseconds{19}, i), milliseconds{20});
  // On the grid: that tick is being (or has been) run; the next one.
  EXPECT_EQ(next_batch_tick(milliseconds{20}, i), milliseconds{40});
  EXPECT_EQ(next_batch_tick(milliseconds{1'000'007}, i), milliseconds{1'000'020});
  // Before the epoch too (a clock's epoch is arbitrary).
  EXPECT_EQ(next_batch_tick(milliseconds{-1}, i), milliseconds{0});
  EXPECT_EQ(next_batch_tick(milliseconds{-20}, i), milliseconds{0});
  EXPECT_EQ(next_batch_tick(milliseconds{-21}, i), milliseconds{-20});
}

TEST(BatchTick, AFrameWaitsAtMostTheIntervalAndHalfOfItOnAverage) {
  const std::chrono::nanoseconds i = milliseconds{20};
  std::chrono::nanoseconds total{0};
  constexpr int kFrames = 20'000;
  for (int k = 0; k < kFrames; ++k) {
    // Frames at a pace sharing no factor with the interval, so they land
    // everywhere between two ticks.
    const std::chrono::nanoseconds now{k * 7'919'113LL};
    const auto wait = next_batch_tick(now, i) - now;
    ASSERT_GT(wait.count(), 0) << k;
    ASSERT_LE(wait, i) << k;
    total += wait;
  }
  EXPECT_NEAR(static_cast<double>(total.count()) / kFrames / i.count(), 0.5, 0.02);
}

TEST(BatchTick, EventsAtTheIntervalsOwnPaceGetOneTickEachUnlessNearATick) {
  // 50 events a second against 20 ms, each up to 1 ms late: events that
  // land 2 to 18 ms into the grid's period are flushed one to a tick,
  // however they wander; a flush armed 20 ms after the first event waiting
  // would take this event and the next together whenever the next is late
  // by less than the first.
  const std::chrono::nanoseconds i = milliseconds{20};
  for (long long phase_ms = 2; phase_ms <= 17; ++phase_ms) {
    std::chrono::nanoseconds last{-1};
    for (int k = 0; k < 500; ++k) {
      const auto jitter = std::chrono::nanoseconds{(k * 7'919LL) % 1'000'000};
      const auto arrival = k * i + milliseconds{phase_ms} + jitter;
      const auto tick = next_batch_tick(arrival, i);
      ASSERT_GT(tick, last) << "phase " << phase_ms << " ms, event " << k;
      ASSERT_EQ(tick, (k + 1) * i) << "phase " << phase_ms << " ms, event " << k;
      last = tick;
    }
  }
}

}  // namespace
}  // namespace panelwire::core
