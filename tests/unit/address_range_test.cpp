// Trusted proxies by address or range, and the client a proxy names.

#include <gtest/gtest.h>

#include "address_range.h"
#include "connection_gate.h"

namespace panelwire::net {
namespace {

boost::asio::ip::address ip(const char* s) {
  return boost::asio::ip::make_address(s);
}

TEST(AddressRange, ParsesAddressesAndRanges) {
  EXPECT_TRUE(AddressRange::parse("127.0.0.1"));
  EXPECT_TRUE(AddressRange::parse("10.0.0.0/8"));
  EXPECT_TRUE(AddressRange::parse("::1"));
  EXPECT_TRUE(AddressRange::parse("fd00::/8"));
  for (auto bad :
       {"", "10.0.0.0/33", "::/129", "host.example", "10.0.0.0/", "10.0.0.0/x8", "10.0.0.0/-1"})
    EXPECT_FALSE(AddressRange::parse(bad)) << bad;
}

TEST(AddressRange, ContainsByPrefix) {
  auto r = *AddressRange::parse("172.16.0.0/12");
  EXPECT_TRUE(r.contains(ip("172.16.0.1")));
  EXPECT_TRUE(r.contains(ip("172.31.255.255")));
  EXPECT_FALSE(r.contains(ip("172.32.0.1")));
  EXPECT_TRUE(r.contains(ip("::ffff:172.20.1.1"))) << "v4-mapped peers on a v6 socket";
  EXPECT_FALSE(r.contains(ip("fd00::1")));
  auto one = *AddressRange::parse("127.0.0.1");
  EXPECT_TRUE(one.contains(ip("127.0.0.1")));
  EXPECT_FALSE(one.contains(ip("127.0.0.2")));
  auto v6 = *AddressRange::parse("fd00::/8");
  EXPECT_TRUE(v6.contains(ip("fd12:3456::1")));
  EXPECT_FALSE(v6.contains(ip("fe80::1")));
}

TEST(ForwardedClient, TheLastHopCounts) {
  EXPECT_EQ(forwarded_client("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(forwarded_client("10.1.1.1, 203.0.113.7"), "203.0.113.7")
      << "what the client wrote itself comes first and is ignored";
  EXPECT_EQ(forwarded_client(" 2001:db8::1 "), "2001:db8::1");
  EXPECT_EQ(forwarded_client(""), "");
  EXPECT_EQ(forwarded_client("203.0.113.7, not-an-address"), "");
}

}  // namespace
}  // namespace panelwire::net
