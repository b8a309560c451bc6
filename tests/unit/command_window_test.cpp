// The panel's memory of recent command ids: exact keys, the seq each one
// produced, and oldest-first forgetting at a fixed capacity.

#include <gtest/gtest.h>

#include <string>

#include "command_window.h"

namespace panelwire::core {
namespace {

TEST(CommandWindow, RemembersUpToItsCapacity) {
  CommandWindow w(3);
  w.remember("a", 1);
  w.remember("b", 2);
  w.remember("c", 3);
  EXPECT_EQ(w.find("a"), 1u);
  w.remember("d", 4);
  EXPECT_FALSE(w.find("a").has_value()) << "the oldest goes first";
  EXPECT_EQ(w.find("d"), 4u);
  EXPECT_EQ(w.size(), 3u);

  CommandWindow off(0);
  off.remember("a", 1);
  EXPECT_FALSE(off.find("a").has_value());
}

TEST(CommandWindow, StartsEmpty) {
  CommandWindow w(4);
  EXPECT_EQ(w.size(), 0u);
  EXPECT_FALSE(w.find("").has_value());
  EXPECT_FALSE(w.find("a").has_value());
  CommandWindow off(0);
  off.remember("a", 1);
  EXPECT_EQ(off.size(), 0u) << "a zero window holds nothing";
}

TEST(CommandWindow, FindsTheExactSeqOfEachKey) {
  CommandWindow w(10);
  for (std::uint64_t i = 0; i < 10; ++i) w.remember("k" + std::to_string(i), 100 + i * 7);
  for (std::uint64_t i = 0; i < 10; ++i) EXPECT_EQ(w.find("k" + std::to_string(i)), 100 + i * 7);
  w.remember("big", 18'446'744'073'709'551'615ull);
  EXPECT_EQ(w.find("big"), 18'446'744'073'709'551'615ull);
}

TEST(CommandWindow, KeysMatchExactly) {
  // Keys are client id + separator + command id; no near miss may match.
  CommandWindow w(10);
  w.remember(std::string("alice\x1f") + "c1", 5);
  EXPECT_EQ(w.find(std::string("alice\x1f") + "c1"), 5u);
  EXPECT_FALSE(w.find(std::string("bob\x1f") + "c1").has_value()) << "other client, same id";
  EXPECT_FALSE(w.find(std::string("alice\x1f") + "C1").has_value()) << "case matters";
  EXPECT_FALSE(w.find(std::string("alice\x1f") + "c").has_value()) << "no prefixes";
  EXPECT_FALSE(w.find(std::string("alice\x1f") + "c10").has_value());
  EXPECT_FALSE(w.find("alicec1").has_value());
  w.remember(std::string("a\0b", 3), 6);
  EXPECT_EQ(w.find(std::string("a\0b", 3)), 6u);
  EXPECT_FALSE(w.find("a").has_value()) << "an embedded NUL is part of the key";
}

TEST(CommandWindow, ForgetsStrictlyOldestFirst) {
  CommandWindow w(5);
  for (std::uint64_t i = 1; i <= 50; ++i) {
    w.remember(std::to_string(i), i);
    ASSERT_LE(w.size(), 5u);
    // Exactly the last five are remembered after every step.
    for (std::uint64_t j = 1; j <= i; ++j) {
      auto found = w.find(std::to_string(j));
      if (j + 5 > i)
        ASSERT_EQ(found, j) << "step " << i << " key " << j;
      else
        ASSERT_FALSE(found.has_value()) << "step " << i << " key " << j;
    }
  }
  EXPECT_EQ(w.size(), 5u);
}

TEST(CommandWindow, CapacityOneKeepsOnlyTheLatest) {
  CommandWindow w(1);
  w.remember("a", 1);
  EXPECT_EQ(w.find("a"), 1u);
  w.remember("b", 2);
  EXPECT_FALSE(w.find("a").has_value());
  EXPECT_EQ(w.find("b"), 2u);
  EXPECT_EQ(w.size(), 1u);
}

TEST(CommandWindow, LookingUpDoesNotRefreshAKey) {
  // Age is by when a command was applied, not when it was last retried.
  CommandWindow w(2);
  w.remember("a", 1);
  w.remember("b", 2);
  EXPECT_EQ(w.find("a"), 1u);
  w.remember("c", 3);
  EXPECT_FALSE(w.find("a").has_value());
  EXPECT_EQ(w.find("b"), 2u);
}

}  // namespace
}  // namespace panelwire::core
