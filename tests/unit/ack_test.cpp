// The Ack that answers a command: the seq it made, or its refusal whole.

#include <gtest/gtest.h>

#include "ack.h"

namespace panelwire::core {
namespace {

TEST(Ack, CarriesTheIdAndSeq) {
  auto m = make_ack("c1", 42);
  ASSERT_TRUE(m.has_ack());
  EXPECT_EQ(m.ack().id(), "c1");
  EXPECT_EQ(m.ack().seq(), 42u);
  EXPECT_FALSE(m.ack().has_error());
  EXPECT_EQ(make_ack("ping", 0).ack().seq(), 0u) << "a command that made no event";
}

TEST(Ack, CarriesTheFailureWhole) {
  auto m = make_ack_error("h1", Failure{v1::RATE_LIMITED, "too many joins from this address", 750});
  ASSERT_TRUE(m.has_ack());
  EXPECT_EQ(m.ack().id(), "h1");
  EXPECT_EQ(m.ack().seq(), 0u);
  ASSERT_TRUE(m.ack().has_error());
  EXPECT_EQ(m.ack().error().code(), v1::RATE_LIMITED);
  EXPECT_EQ(m.ack().error().message(), "too many joins from this address");
  EXPECT_EQ(m.ack().error().retry_after_ms(), 750u);

  auto unread = make_ack_error("", fail(v1::MALFORMED, "not JSON"));
  EXPECT_EQ(unread.ack().id(), "");
  EXPECT_EQ(unread.ack().error().code(), v1::MALFORMED);
  EXPECT_EQ(unread.ack().error().retry_after_ms(), 0u);
}

}  // namespace
}  // namespace panelwire::core
