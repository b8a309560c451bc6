#include "latency_histogram.h"

#include <gtest/gtest.h>

namespace panelwire::core {
namespace {

TEST(LatencyHistogram, EachObservationLandsInTheFirstBucketThatHoldsIt) {
  LatencyHistogram h;
  h.observe(0);   // the first bucket: up to 50 µs
  h.observe(50);  // on a bound: that bucket
  h.observe(51);  // just past it: the next
  h.observe(-5);  // a clock that stepped back counts as 0
  h.observe(2'500'000);
  h.observe(2'500'001);  // past every bound
  EXPECT_EQ(h.count_in(0), 3u);
  EXPECT_EQ(h.count_in(1), 1u);
  EXPECT_EQ(h.count_in(LatencyHistogram::kBoundsUs.size() - 1), 1u);
  EXPECT_EQ(h.count_in(LatencyHistogram::kBoundsUs.size()), 1u);
  EXPECT_EQ(h.count(), 6u);
  EXPECT_EQ(h.sum_us(), 0u + 50 + 51 + 0 + 2'500'000 + 2'500'001);
}

TEST(LatencyHistogram, MergingAddsBucketByBucket) {
  LatencyHistogram a, b;
  a.observe(10);
  a.observe(700);
  b.observe(700);
  b.observe(60'000);
  a.merge(b);
  EXPECT_EQ(a.count(), 4u);
  EXPECT_EQ(a.count_in(0), 1u);
  EXPECT_EQ(a.count_in(4), 2u) << "700 µs: the 1 ms bucket";
  EXPECT_EQ(a.count_in(10), 1u) << "60 ms: the 100 ms bucket";
  EXPECT_EQ(a.sum_us(), 10u + 700 + 700 + 60'000);
}

}  // namespace
}  // namespace panelwire::core
