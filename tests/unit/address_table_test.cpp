// Connections per node and per address, and joins per address: each cap
// refuses exactly past its number and every release gives a slot back.

#include <gtest/gtest.h>

#include "address_table.h"

namespace panelwire::core {
namespace {

using V = AddressTable::Verdict;

TEST(AddressTable, CapsEachAddressAndTheNode) {
  AddressTable t({.max_connections = 5, .max_per_address = 2});
  EXPECT_EQ(t.admit("a"), V::admitted);
  EXPECT_EQ(t.admit("a"), V::admitted);
  EXPECT_EQ(t.admit("a"), V::address_full);
  EXPECT_EQ(t.admit("b"), V::admitted);
  EXPECT_EQ(t.admit(""), V::admitted) << "a trusted proxy: the node counts it";
  EXPECT_EQ(t.admit(""), V::admitted);
  EXPECT_EQ(t.connections(), 5u);
  EXPECT_EQ(t.admit("c"), V::node_full);
  t.release("a");
  EXPECT_EQ(t.admit("c"), V::admitted);
  EXPECT_EQ(t.addresses(), 3u);
}

TEST(AddressTable, ReleasedAddressesAreForgotten) {
  AddressTable t({.max_connections = 0, .max_per_address = 1});
  for (int i = 0; i < 1000; ++i) {
    auto a = "10.0.0." + std::to_string(i);
    ASSERT_EQ(t.admit(a), V::admitted);
    t.release(a);
  }
  EXPECT_EQ(t.addresses(), 0u) << "the map holds only addresses with connections";
  EXPECT_EQ(t.connections(), 0u);
}

TEST(AddressTable, AProxysConnectionMovesToItsClient) {
  AddressTable t({.max_connections = 10, .max_per_address = 1});
  ASSERT_EQ(t.admit(""), V::admitted);
  ASSERT_EQ(t.admit(""), V::admitted);
  EXPECT_EQ(t.move("", "203.0.113.7"), V::admitted);
  EXPECT_EQ(t.move("", "203.0.113.7"), V::address_full) << "the client's cap holds";
  EXPECT_EQ(t.connections(), 2u);
  t.release("203.0.113.7");
  t.release("");
  EXPECT_EQ(t.connections(), 0u);
  EXPECT_EQ(t.addresses(), 0u);
}

TEST(AddressTable, JoinsArePacedPerAddress) {
  AddressTable t({.joins = RateRule{1, 3}});
  std::int64_t now = 1'000'000;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.take_join("a", now), 0u);
  auto wait = t.take_join("a", now);
  EXPECT_GT(wait, 0u);
  EXPECT_LE(wait, 1000u);
  EXPECT_EQ(t.take_join("b", now), 0u) << "another address is not held back";
  EXPECT_EQ(t.take_join("a", now + 1000), 0u) << "one more a second";
}

TEST(AddressTable, HandshakesHaveABucketOfTheirOwn) {
  AddressTable t({.joins = RateRule{1, 1}, .handshakes = RateRule{2, 2}});
  std::int64_t now = 1'000'000;
  EXPECT_EQ(t.take_handshake("a", now), 0u);
  EXPECT_EQ(t.take_handshake("a", now), 0u);
  const auto wait = t.take_handshake("a", now);
  EXPECT_GT(wait, 0u);
  EXPECT_LE(wait, 500u) << "two a second";
  EXPECT_EQ(t.take_join("a", now), 0u) << "handshakes spend nothing of the joins";
  EXPECT_EQ(t.take_handshake("a", now + 500), 0u);
}

TEST(TokenBucket, SpendsTheBurstThenRefills) {
  TokenBucket b(RateRule{10, 5});
  std::int64_t now = 5'000;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(b.take(now));
  EXPECT_FALSE(b.take(now));
  EXPECT_TRUE(b.take(now + 100)) << "10 a second: one per 100 ms";
  EXPECT_FALSE(b.take(now + 100));
  TokenBucket unlimited(RateRule{0, 1});
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(unlimited.take(now));
}

}  // namespace
}  // namespace panelwire::core
