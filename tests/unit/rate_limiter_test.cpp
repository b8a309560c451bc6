// Token buckets: bursts, refill, retry-after, a rule that changes, the
// no-limit rule and the bound on how many are tracked.

#include <limits>

#include <gtest/gtest.h>

#include "rate_limiter.h"

namespace panelwire::core {
namespace {

TEST(RateLimiter, BurstThenRefillAtTheRate) {
  RateLimiter l(100);
  RateRule two_per_second{2, 3};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(l.take("a", two_per_second, 1'000), 0u) << i;
  auto wait = l.take("a", two_per_second, 1'000);
  EXPECT_EQ(wait, 500u) << "one token every 500 ms";
  EXPECT_EQ(l.take("a", two_per_second, 1'250), 250u) << "a refused take costs nothing";
  EXPECT_EQ(l.take("a", two_per_second, 1'500), 0u);
  EXPECT_GT(l.take("a", two_per_second, 1'500), 0u);
  EXPECT_EQ(l.take("b", two_per_second, 1'500), 0u) << "buckets are per key";
  // Long idle: back to a full burst, never more.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(l.take("a", two_per_second, 100'000), 0u);
  EXPECT_GT(l.take("a", two_per_second, 100'000), 0u);
}

TEST(RateLimiter, SlowRulesGiveLongRetryAfters) {
  RateLimiter l(100);
  RateRule one_a_minute{1.0 / 60, 1};
  EXPECT_EQ(l.take("q", one_a_minute, 0), 0u);
  EXPECT_EQ(l.take("q", one_a_minute, 0), 60'000u);
  EXPECT_EQ(l.take("q", one_a_minute, 30'000), 30'000u);
}

TEST(RateLimiter, ARetryAfterPastItsRangeIsTheLongest) {
  // Found by tests/fuzz/server_config: a wait longer than 2^32 ms was cast
  // out of range (undefined; on x86-64 it wrapped, to 0 for the slowest rates).
  RateLimiter l(100);
  RateRule once_a_century{1e-12, 1};
  EXPECT_EQ(l.take("q", once_a_century, 0), 0u);
  EXPECT_EQ(l.take("q", once_a_century, 0), std::numeric_limits<std::uint32_t>::max());
}

TEST(RateLimiter, ABucketRefillsAtTheRuleItIsAskedWith) {
  // Slow mode set anew: what is left of the old wait follows the new rule.
  RateLimiter l(100);
  RateRule a_minute{1.0 / 60, 1}, five_seconds{1.0 / 5, 1};
  EXPECT_EQ(l.take("s", a_minute, 0), 0u);
  EXPECT_EQ(l.wait("s", a_minute, 3'000), 57'000u);
  EXPECT_EQ(l.wait("s", five_seconds, 3'000), 2'000u);
  EXPECT_EQ(l.take("s", five_seconds, 5'000), 0u);
  EXPECT_EQ(l.take("s", a_minute, 35'000), 30'000u)
      << "charged under the new rule, asked under the old";
}

TEST(RateLimiter, ZeroRateMeansNoLimit) {
  RateLimiter l(100);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(l.take("a", RateRule{0, 1}, 0), 0u);
  EXPECT_EQ(l.tracked(), 0u);
}

TEST(RateLimiter, TracksAtMostItsBound) {
  RateLimiter l(10);
  RateRule r{1, 5};
  for (int i = 0; i < 100; ++i) l.take("k" + std::to_string(i), r, i);
  EXPECT_LE(l.tracked(), 10u);
  // Full buckets go first: a busy key survives a crowd of idle ones.
  RateLimiter m(3);
  for (int i = 0; i < 5; ++i) m.take("busy", r, 0);  // empty at t=0
  m.take("x", r, 0);                                 // 4 left, full again at t=1s
  m.take("y", r, 1'000);
  m.take("z", r, 1'000);  // makes room: "x" is full and goes
  EXPECT_EQ(m.tracked(), 3u);
  EXPECT_EQ(m.take("busy", r, 1'000), 0u) << "one token refilled";
  EXPECT_GT(m.take("busy", r, 1'000), 0u) << "still limited: its bucket was kept";
}

}  // namespace
}  // namespace panelwire::core
