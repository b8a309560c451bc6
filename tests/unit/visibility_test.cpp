// What attendees, panelists, askers and moderators each see of an event:
// nothing private leaks, and every receiver still gets every seq.

#include <gtest/gtest.h>

#include "test_support.h"

#include "panel_event.h"

namespace panelwire::core {
namespace {

using testing_support::person;

v1::Event question_event(v1::QuestionChange change, const v1::Participant& actor,
                         std::vector<v1::Question> qs) {
  v1::Event ev;
  ev.set_seq(9);
  ev.set_at_ms(100);
  *ev.mutable_actor() = actor;
  ev.mutable_questions_changed()->set_change(change);
  for (auto& q : qs) *ev.mutable_questions_changed()->add_questions() = std::move(q);
  return ev;
}

v1::Question question(std::uint64_t id, const v1::Participant& asker, v1::QuestionState state,
                      bool anonymous = false) {
  v1::Question q;
  q.set_id(id);
  q.set_text("text " + std::to_string(id));
  *q.mutable_asker() = asker;
  *q.add_credited() = asker;
  q.set_state(state);
  q.set_anonymous(anonymous);
  return q;
}

const auto ann = person("ann"), bob = person("bob"), pan = person("pan", v1::PANELIST),
           mod = person("mod", v1::MODERATOR);

TEST(Visibility, ChatNeedsNoRedaction) {
  v1::Event ev;
  ev.mutable_chat_posted()->set_text("hi");
  EXPECT_FALSE(needs_redaction(ev));
  EXPECT_EQ(view_for(ann, ev), View::full);
  auto e = make_event("p", ev);
  EXPECT_EQ(e->frame(WireFormat::json, View::public_copy).get(),
            e->frame(WireFormat::json, View::full).get())
      << "one shared frame when there is nothing to hide";
}

TEST(Visibility, AnonymousAskerIsKnownOnlyToModeratorsAndThemselves) {
  auto ev = question_event(v1::CHANGE_ASKED, ann, {question(9, ann, v1::OPEN, true)});
  EXPECT_EQ(view_for(mod, ev), View::full);
  EXPECT_EQ(view_for(ann, ev), View::own);
  EXPECT_EQ(view_for(bob, ev), View::public_copy);
  EXPECT_EQ(view_for(pan, ev), View::public_copy);
  auto pub = public_view(ev);
  EXPECT_EQ(pub.seq(), 9u);
  EXPECT_FALSE(pub.has_actor());
  const auto& q = pub.questions_changed().questions(0);
  EXPECT_FALSE(q.has_asker());
  EXPECT_EQ(q.credited_size(), 0);
  EXPECT_TRUE(q.anonymous());
  EXPECT_EQ(q.text(), "text 9");
  auto e = make_event("p", ev);
  EXPECT_EQ(e->frame(WireFormat::json, View::public_copy)->find("name-ann"), std::string::npos);
  EXPECT_NE(e->frame(WireFormat::json, View::full)->find("name-ann"), std::string::npos);
}

TEST(Visibility, PendingQuestionsAreHiddenButKeepTheirSeq) {
  auto ev = question_event(v1::CHANGE_ASKED, ann, {question(9, ann, v1::PENDING)});
  EXPECT_EQ(view_for(ann, ev), View::own) << "the asker sees their own pending question";
  EXPECT_EQ(redacted_view(ev, "ann").questions_changed().questions(0).state(), v1::PENDING);
  auto pub = public_view(ev);
  EXPECT_TRUE(pub.has_hidden());
  EXPECT_EQ(pub.seq(), 9u);
  EXPECT_EQ(pub.at_ms(), 100);
}

TEST(Visibility, VotersAreNeverNamedToOthers) {
  auto ev = question_event(v1::CHANGE_VOTED, bob, {question(3, ann, v1::OPEN)});
  EXPECT_EQ(view_for(ann, ev), View::public_copy) << "not even to the asker";
  EXPECT_EQ(view_for(bob, ev), View::public_copy);
  EXPECT_FALSE(public_view(ev).has_actor());
  EXPECT_EQ(public_view(ev).questions_changed().questions(0).asker().id(), "ann");
}

TEST(Visibility, DismissedAndMergedShrinkToStubs) {
  auto dismissed = question(4, ann, v1::DISMISSED);
  dismissed.set_dismissed_from(v1::OPEN);
  auto pub = public_view(question_event(v1::CHANGE_DISMISSED, mod, {dismissed}));
  const auto& q = pub.questions_changed().questions(0);
  EXPECT_EQ(q.id(), 4u);
  EXPECT_EQ(q.state(), v1::DISMISSED);
  EXPECT_TRUE(q.text().empty());
  EXPECT_FALSE(q.has_asker());

  auto merged = question(5, bob, v1::MERGED, true);
  merged.set_merged_into(4);
  auto target = question(4, ann, v1::OPEN);
  *target.add_credited() = bob;  // anonymous bob merged in
  target.add_anonymous_credited("bob");
  auto ev = question_event(v1::CHANGE_MERGED, mod, {merged, target});
  EXPECT_EQ(view_for(ann, ev), View::public_copy) << "nothing of ann's is hidden from others";
  EXPECT_EQ(view_for(bob, ev), View::own) << "bob's own anonymous credit";
  auto m = public_view(ev);
  ASSERT_EQ(m.questions_changed().questions_size(), 2);
  EXPECT_EQ(m.questions_changed().questions(0).merged_into(), 4u);
  const auto& t = m.questions_changed().questions(1);
  ASSERT_EQ(t.credited_size(), 1) << "bob asked anonymously and stays so after the merge";
  EXPECT_EQ(t.credited(0).id(), "ann");
  EXPECT_EQ(t.anonymous_credited_size(), 0);
}

TEST(Visibility, MutesAreBetweenModeratorsAndTheMuted) {
  v1::Event ev;
  ev.set_seq(2);
  *ev.mutable_participant_muted()->mutable_who() = bob;
  ev.mutable_participant_muted()->set_muted(true);
  EXPECT_EQ(view_for(bob, ev), View::full);
  EXPECT_EQ(view_for(mod, ev), View::full);
  EXPECT_EQ(view_for(ann, ev), View::public_copy);
  EXPECT_TRUE(public_view(ev).has_hidden());
}

TEST(Visibility, SnapshotsShowWhatEachRoleMaySee) {
  for (auto s : {v1::OPEN, v1::ANSWERING, v1::ANSWERED}) {
    EXPECT_TRUE(visible_in_snapshot(bob, question(1, ann, s)));
    EXPECT_TRUE(visible_in_snapshot(pan, question(1, ann, s)));
  }
  for (auto s : {v1::PENDING, v1::DISMISSED, v1::MERGED}) {
    EXPECT_FALSE(visible_in_snapshot(bob, question(1, ann, s))) << s;
    EXPECT_TRUE(visible_in_snapshot(mod, question(1, ann, s))) << s;
  }
  EXPECT_TRUE(visible_in_snapshot(ann, question(1, ann, v1::PENDING)));
  EXPECT_FALSE(visible_in_snapshot(ann, question(1, ann, v1::DISMISSED)));
}

}  // namespace
}  // namespace panelwire::core
