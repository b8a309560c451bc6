// A panel's event rate, which decides when its frames are batched.

#include <gtest/gtest.h>

#include "event_rate.h"

namespace panelwire::core {
namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

TEST(EventRate, ASteadyRateReadsAsItself) {
  EventRate r;
  double last = 0;
  // 200 events a second for five seconds.
  for (int i = 0; i < 1000; ++i) last = r.record(kT0 + i * 5);
  EXPECT_NEAR(last, 200, 5);
  EXPECT_NEAR(r.per_second(kT0 + 5000), 200, 5);
}

TEST(EventRate, AQuietPanelReadsLow) {
  EventRate r;
  double last = 0;
  for (int i = 0; i < 20; ++i) last = r.record(kT0 + i * 500);  // 2 a second
  EXPECT_LE(last, 3);
}

TEST(EventRate, ABurstIsSeenAtOnce) {
  EventRate r;
  r.record(kT0);
  double last = 0;
  for (int i = 0; i < 100; ++i) last = r.record(kT0 + 10'000 + i);
  EXPECT_GE(last, 100) << "within its first window";
}

TEST(EventRate, ManyCountedAtOnceReadAsMany) {
  // An event to 1,000 members, 50 times a second: 50,000 deliveries a second.
  EventRate r;
  double rate = 0;
  for (std::int64_t t = 0; t < 3000; t += 20) rate = r.record(10'000 + t, 1000);
  EXPECT_NEAR(rate, 50'000, 1'000);
}

TEST(EventRate, ItFadesWhenThePanelGoesQuiet) {
  EventRate r;
  for (int i = 0; i < 1000; ++i) r.record(kT0 + i * 5);
  EXPECT_GT(r.per_second(kT0 + 5200), 50) << "a moment after: still busy";
  EXPECT_LT(r.per_second(kT0 + 6500), 150) << "half a window on";
  EXPECT_EQ(r.per_second(kT0 + 7500), 0) << "two windows of silence";
  EXPECT_NEAR(r.record(kT0 + 60'000), 1, 0.01) << "a lone event after a long silence";
}

TEST(EventRate, AClockThatStepsBackStartsOver) {
  EventRate r;
  for (int i = 0; i < 500; ++i) r.record(kT0 + i);  // a burst
  EXPECT_GT(r.per_second(kT0 + 500), 100);
  // An hour back, then a quiet panel: it reads quiet, not as the burst's
  // count growing for the hour.
  const auto back = kT0 - 3'600'000;
  double last = 0;
  for (int i = 0; i < 10; ++i) last = r.record(back + i * 1000);
  EXPECT_LE(last, 2);
}

}  // namespace
}  // namespace panelwire::core
