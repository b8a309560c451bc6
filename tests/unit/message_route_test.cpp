// Where a client message goes for each join state, and every refusal with
// the id its Ack echoes, its code and its message.

#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "message_route.h"

namespace panelwire::core {
namespace {

constexpr JoinState kStates[] = {JoinState::awaiting_hello, JoinState::joining, JoinState::joined};

v1::ClientMessage message(const std::string& id) {
  v1::ClientMessage m;
  m.set_id(id);
  return m;
}
v1::ClientMessage hello(const std::string& id = "c1") {
  auto m = message(id);
  m.mutable_hello()->set_panel_id("expert-panel");
  return m;
}
v1::ClientMessage ping(const std::string& id = "c1") {
  auto m = message(id);
  m.mutable_ping();
  return m;
}
v1::ClientMessage chat(const std::string& id = "c1") {
  auto m = message(id);
  m.mutable_send_chat()->set_text("hello");
  return m;
}

// The route taken; nullopt (and the test fails) on a refusal.
std::optional<Route> route(const v1::ClientMessage& m, JoinState state) {
  auto r = route_message(m, state);
  if (!r) {
    ADD_FAILURE() << v1::ErrorCode_Name(r.error().failure.code) << ": "
                  << r.error().failure.message;
    return std::nullopt;
  }
  return *r;
}

Refusal refusal(const v1::ClientMessage& m, JoinState state) {
  auto r = route_message(m, state);
  if (r) {
    ADD_FAILURE() << "routed to " << static_cast<int>(*r);
    return {};
  }
  return r.error();
}

TEST(MessageRoute, AnIdOutOfFormIsRefusedWithoutEchoingIt) {
  for (const auto& bad :
       std::vector<std::string>{"", "has space", "tab\there", "\x7f", std::string(65, 'i')}) {
    for (auto state : kStates) {
      for (const auto& m : {hello(bad), ping(bad), chat(bad), message(bad)}) {
        auto r = refusal(m, state);
        EXPECT_EQ(r.ack_id, "") << bad;
        EXPECT_EQ(r.failure.code, v1::INVALID_ARGUMENT);
        EXPECT_EQ(r.failure.message,
                  "command id must be 1 to 64 visible ASCII characters (no spaces)");
      }
    }
  }
  EXPECT_EQ(route(ping(std::string(64, 'i')), JoinState::joined), Route::ping);
}

TEST(MessageRoute, HelloOnlyWhileAwaitingIt) {
  EXPECT_EQ(route(hello(), JoinState::awaiting_hello), Route::hello);
  for (auto state : {JoinState::joining, JoinState::joined}) {
    auto r = refusal(hello("h2"), state);
    EXPECT_EQ(r.ack_id, "h2");
    EXPECT_EQ(r.failure.code, v1::ALREADY_JOINED);
    EXPECT_EQ(r.failure.message, "this connection has joined a panel");
  }
}

TEST(MessageRoute, NoCommandIsUnknownInEveryState) {
  for (auto state : kStates) {
    auto r = refusal(message("m1"), state);
    EXPECT_EQ(r.ack_id, "m1");
    EXPECT_EQ(r.failure.code, v1::UNKNOWN_COMMAND) << "before NOT_JOINED";
    EXPECT_EQ(r.failure.message, "the message holds no known command");
  }
}

TEST(MessageRoute, PingsAndCommandsWaitForTheJoin) {
  for (auto state : {JoinState::awaiting_hello, JoinState::joining}) {
    for (const auto& m : {ping("p1"), chat("p1")}) {
      auto r = refusal(m, state);
      EXPECT_EQ(r.ack_id, "p1");
      EXPECT_EQ(r.failure.code, v1::NOT_JOINED);
      EXPECT_EQ(r.failure.message, "send Hello first");
    }
  }
  EXPECT_EQ(route(ping(), JoinState::joined), Route::ping);
  EXPECT_EQ(route(chat(), JoinState::joined), Route::command);
}

TEST(MessageRoute, APanelCommandIsRoutedWhateverItHolds) {
  // Its fields are the draft's to check (draft_command()).
  auto empty_vote = message("v1");
  empty_vote.mutable_vote();
  EXPECT_EQ(route(empty_vote, JoinState::joined), Route::command);
  auto end = message("e1");
  end.mutable_end_panel();
  EXPECT_EQ(route(end, JoinState::joined), Route::command);
}

}  // namespace
}  // namespace panelwire::core
