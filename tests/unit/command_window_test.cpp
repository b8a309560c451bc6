// The panel's memory of recent command ids, client by client: exact keys,
// the seq each produced, a client's oldest command forgotten first, and
// whole clients forgotten least recently active first.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_window.h"

namespace panelwire::core {
namespace {

std::string key(const std::string& client, const std::string& id) {
  return command_key(client, id);
}

TEST(CommandWindow, StartsEmptyAndZeroHoldsNothing) {
  CommandWindow w({.per_client = 4, .clients = 4});
  EXPECT_EQ(w.size(), 0u);
  EXPECT_FALSE(w.find("").has_value());
  EXPECT_FALSE(w.find(key("a", "1")).has_value());
  for (auto limits : {CommandWindowLimits{0, 4}, CommandWindowLimits{4, 0}}) {
    CommandWindow off(limits);
    off.remember(key("a", "1"), 1);
    EXPECT_FALSE(off.find(key("a", "1")).has_value());
    EXPECT_EQ(off.size(), 0u);
  }
}

TEST(CommandWindow, AClientForgetsItsOwnOldestFirst) {
  CommandWindow w({.per_client = 5, .clients = 4});
  for (std::uint64_t i = 1; i <= 50; ++i) {
    w.remember(key("alice", std::to_string(i)), i);
    ASSERT_LE(w.size(), 5u);
    for (std::uint64_t j = 1; j <= i; ++j) {
      auto found = w.find(key("alice", std::to_string(j)));
      if (j + 5 > i)
        ASSERT_EQ(found, j) << "step " << i << " key " << j;
      else
        ASSERT_FALSE(found.has_value()) << "step " << i << " key " << j;
    }
  }
}

// The attack the window is shaped against: a retry after a reconnect must
// still be recognised however much others sent meanwhile, unless as many
// other clients as the window holds have been active since.
TEST(CommandWindow, OthersTrafficDoesNotFlushAClientsCommands) {
  CommandWindow w({.per_client = 32, .clients = 100});
  w.remember(key("victim", "c1"), 7);
  for (int puppet = 0; puppet < 99; ++puppet)
    for (int n = 0; n < 500; ++n)
      w.remember(key("puppet-" + std::to_string(puppet), std::to_string(n)), 1000 + n);
  EXPECT_EQ(w.find(key("victim", "c1")), 7u) << "99 others, 49,500 commands: still known";
  EXPECT_EQ(w.size(), 1u + 99 * 32) << "each puppet keeps only its last 32";
  w.remember(key("puppet-99", "x"), 2000);
  EXPECT_FALSE(w.find(key("victim", "c1")).has_value())
      << "the 100th other client pushes out the least recently active";
  EXPECT_EQ(w.size(), 99u * 32 + 1);
}

TEST(CommandWindow, ActivityKeepsAClientRemembered) {
  CommandWindow w({.per_client = 4, .clients = 2});
  w.remember(key("a", "1"), 1);
  w.remember(key("b", "1"), 2);
  w.remember(key("a", "2"), 3);  // a is now the more recently active
  w.remember(key("c", "1"), 4);
  EXPECT_FALSE(w.find(key("b", "1")).has_value()) << "b was least recently active";
  EXPECT_EQ(w.find(key("a", "1")), 1u);
  EXPECT_EQ(w.find(key("a", "2")), 3u);
  EXPECT_EQ(w.find(key("c", "1")), 4u);
  EXPECT_EQ(w.size(), 3u);
}

TEST(CommandWindow, LookingUpDoesNotRefresh) {
  // Age is by when a command was applied, not when it was last retried.
  CommandWindow w({.per_client = 2, .clients = 2});
  w.remember(key("a", "1"), 1);
  w.remember(key("b", "1"), 2);
  EXPECT_EQ(w.find(key("a", "1")), 1u);
  w.remember(key("c", "1"), 3);
  EXPECT_FALSE(w.find(key("a", "1")).has_value());
  EXPECT_EQ(w.find(key("b", "1")), 2u);
}

TEST(CommandWindow, KeysMatchExactly) {
  CommandWindow w({.per_client = 10, .clients = 10});
  w.remember(key("alice", "c1"), 5);
  EXPECT_EQ(w.find(key("alice", "c1")), 5u);
  EXPECT_FALSE(w.find(key("bob", "c1")).has_value()) << "other client, same id";
  EXPECT_FALSE(w.find(key("alice", "C1")).has_value()) << "case matters";
  EXPECT_FALSE(w.find(key("alice", "c")).has_value()) << "no prefixes";
  EXPECT_FALSE(w.find(key("alice", "c10")).has_value());
  EXPECT_FALSE(w.find(key("alic", "ec1")).has_value());
  EXPECT_FALSE(w.find("alicec1").has_value());
  w.remember(key("big", "n"), 18'446'744'073'709'551'615ull);
  EXPECT_EQ(w.find(key("big", "n")), 18'446'744'073'709'551'615ull);
}

// A snapshot lists the window with for_each and a loading node remembers
// it in that order: the same commands, forgotten in the same order after.
TEST(CommandWindow, ForEachRebuildsTheSameWindow) {
  const CommandWindowLimits limits{.per_client = 3, .clients = 3};
  CommandWindow w(limits);
  w.remember(key("a", "1"), 1);
  w.remember(key("b", "1"), 2);
  w.remember(key("a", "2"), 3);
  w.remember(key("c", "1"), 4);
  w.remember(key("b", "2"), 5);
  CommandWindow copy(limits);
  std::vector<std::string> order;
  w.for_each([&](const std::string& k, std::uint64_t seq) {
    order.push_back(k);
    copy.remember(k, seq);
  });
  EXPECT_EQ(order, (std::vector<std::string>{key("a", "1"), key("a", "2"), key("c", "1"),
                                             key("b", "1"), key("b", "2")}));
  EXPECT_EQ(copy.size(), w.size());
  for (auto* window : {&w, &copy}) {
    window->remember(key("d", "1"), 6);
    EXPECT_FALSE(window->find(key("a", "2")).has_value()) << "a, least recently active, goes";
    EXPECT_EQ(window->find(key("c", "1")), 4u);
    EXPECT_EQ(window->find(key("b", "2")), 5u);
  }
}

}  // namespace
}  // namespace panelwire::core
