// Panel rules on the Redis engine: a moderator's change on one node is an
// event the other node's replica follows, and a node loading the panel
// after its log was trimmed past that event gets the rules from the
// snapshot.

#include "redis_node.h"

namespace panelwire::engine {
namespace {

const v1::Participant kGuest = person("g:0123456789abcdef0123456789abcdef");
const v1::Participant kAttendee = person("u:0123456789abcdef0123456789abcdef");
const v1::Participant kModerator = person("u:fedcba9876543210fedcba9876543210", v1::MODERATOR);

core::Draft guest_questions(bool on) {
  v1::ClientMessage m;
  m.mutable_set_panel_rules()->mutable_rules()->set_guest_questions(on);
  return command(m, kModerator);
}

core::Draft ask(const v1::Participant& who) {
  v1::ClientMessage m;
  m.mutable_ask_question()->set_text("Why?");
  return command(m, who);
}

core::Draft chat(const std::string& text) {
  v1::ClientMessage m;
  m.mutable_send_chat()->set_text(text);
  return command(m, kAttendee);
}

class RedisRulesTest : public RedisTest {
 protected:
  RedisRulesTest() {
    limits_.rates.chat = {0, 1};
    limits_.history_events = 20;
  }
  core::PanelLimits limits_;
  core::PanelCatalog catalog_;
};

TEST_F(RedisRulesTest, AnotherNodeFollowsTheChangeAndALateNodeLoadsItFromTheSnapshot) {
  Sink on_b;
  Node a(redis_, limits_, catalog_, 10), b(redis_, limits_, catalog_, 10);
  b.subscribe("p", on_b);
  auto set = a.append("p", guest_questions(false));
  ASSERT_TRUE(set.has_value()) << set.error().message;
  ASSERT_TRUE(on_b.wait_for_count(1));
  auto refused = b.append("p", ask(kGuest));
  ASSERT_FALSE(refused.has_value()) << "node b decides on the rules node a set";
  EXPECT_EQ(refused.error().code, v1::FORBIDDEN);
  ASSERT_TRUE(b.append("p", ask(kAttendee)).has_value());

  for (int i = 0; i < 60; ++i)
    ASSERT_TRUE(a.append("p", chat("m" + std::to_string(i))).has_value());
  auto c = connect();
  auto first = run(c, {"XRANGE", keys_for("p").log, "-", "+", "COUNT", "1"});
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->elements.size(), 1u);
  v1::LogEntry oldest;
  ASSERT_TRUE(oldest.ParseFromString(first->elements[0].elements.at(1).elements.at(1).str));
  EXPECT_GT(oldest.event().seq(), 1u) << "the rules event is trimmed from the log";
  stop(c);

  Node late(redis_, limits_, catalog_, 10);
  auto board = late.backlog("p", std::nullopt);
  ASSERT_TRUE(board.has_value()) << board.error().message;
  EXPECT_FALSE(board->info.rules().guest_questions());
  EXPECT_EQ(late.append("p", ask(kGuest)).error().code, v1::FORBIDDEN);
  ASSERT_TRUE(late.append("p", guest_questions(true)).has_value());
  // Node b decides on its replica: once the change has reached it (the
  // rules, the question, 60 chats, the rules again).
  ASSERT_TRUE(on_b.wait_for_count(63));
  EXPECT_TRUE(b.append("p", ask(kGuest)).has_value()) << "and back on, on every node";
}

}  // namespace
}  // namespace panelwire::engine
