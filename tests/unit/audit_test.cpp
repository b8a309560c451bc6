#include "audit.h"

#include <gtest/gtest.h>

namespace panelwire::core {
namespace {

v1::Participant as(v1::Role role) {
  v1::Participant p;
  p.set_id("user:mo");
  p.set_role(role);
  return p;
}

TEST(Audit, EachModerationCommandHasItsWordAndTarget) {
  const auto mo = as(v1::MODERATOR);
  v1::ClientMessage m;
  m.mutable_moderate_question()->set_question_id(4);
  m.mutable_moderate_question()->set_action(v1::DISMISS);
  auto e = audit_of(m, mo);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->action, "dismiss");
  EXPECT_EQ(e->target, "question:4");

  m.mutable_merge_questions()->set_duplicate_id(5);
  m.mutable_merge_questions()->set_into_id(4);
  EXPECT_EQ(audit_of(m, mo)->target, "question:5>question:4");

  m.mutable_mute_participant()->set_participant_id("g:abc");
  m.mutable_mute_participant()->set_muted(false);
  EXPECT_EQ(audit_of(m, mo)->action, "unmute");
  EXPECT_EQ(audit_of(m, mo)->target, "participant:g:abc");

  m.mutable_lock_chat()->set_locked(true);
  EXPECT_EQ(audit_of(m, mo)->action, "lock_chat");
  EXPECT_EQ(audit_of(m, mo)->target, "");

  m.mutable_end_panel();
  EXPECT_EQ(audit_of(m, mo)->action, "end_panel");
}

TEST(Audit, ParticipantsOwnCommandsAreNotModeration) {
  const auto ann = as(v1::ATTENDEE);
  v1::ClientMessage m;
  m.mutable_send_chat()->set_text("hi");
  EXPECT_FALSE(audit_of(m, ann));
  m.mutable_ask_question()->set_text("why?");
  EXPECT_FALSE(audit_of(m, ann));
  m.mutable_vote()->set_question_id(1);
  EXPECT_FALSE(audit_of(m, ann));
  m.mutable_delete_chat()->set_chat_seq(3);
  EXPECT_FALSE(audit_of(m, ann)) << "taking back one's own message";
  ASSERT_TRUE(audit_of(m, as(v1::MODERATOR))) << "a moderator deleting one";
  EXPECT_EQ(audit_of(m, as(v1::MODERATOR))->target, "chat:3");
}

TEST(Audit, AParticipantIdFromTheClientCannotForgeALogLine) {
  v1::ClientMessage m;
  m.mutable_mute_participant()->set_participant_id("x action=end_panel\nevent=moderation \"");
  m.mutable_mute_participant()->set_muted(true);
  auto e = audit_of(m, as(v1::MODERATOR));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->target.find_first_of(" \n\"="), std::string::npos) << e->target;
  m.mutable_mute_participant()->set_participant_id(std::string(10'000, 'a'));
  EXPECT_LE(audit_of(m, as(v1::MODERATOR))->target.size(), 200u);
}

TEST(Audit, ClientTextInALogLineKeepsWhatIdsAndOriginsHoldAndNothingElse) {
  EXPECT_EQ(log_safe("https://panels.example.org:8443", 200), "https://panels.example.org:8443");
  EXPECT_EQ(log_safe("x\" event=moderation", 200), "x??event?moderation");
  EXPECT_EQ(log_safe("caf\xc3\xa9\n", 200), "caf???");
  EXPECT_EQ(log_safe("abcdef", 3), "abc");
}

}  // namespace
}  // namespace panelwire::core
