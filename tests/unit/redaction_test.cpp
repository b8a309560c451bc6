// Redaction by field, on a real panel: a moderator merges an anonymous
// duplicate into Alice's question, then votes, highlights, answers and
// dismisses it. Every event and every Welcome is checked, as sent, for each
// viewer role: moderator, panelist, the asker, the anonymous co-asker and an
// attendee with nothing to do with it.

#include <gtest/gtest.h>

#include "test_support.h"

#include "command_drafts.h"
#include "panel.h"
#include "welcome.h"
#include "ws_frame.h"

namespace panelwire::core {
namespace {

using testing_support::FixedClock;

v1::Participant someone(const std::string& id, const std::string& name, v1::Role role) {
  v1::Participant p;
  p.set_id(id);
  p.set_display_name(name);
  p.set_role(role);
  return p;
}

// Ids and names that nothing else in a frame can contain by chance.
const auto alice = someone("guest:a11ce", "Alice Asker", v1::ATTENDEE);
const auto bob = someone("guest:b0b0b", "Bob Hidden", v1::ATTENDEE);
const auto cid = someone("guest:c1d", "Cid Other", v1::ATTENDEE);
const auto pan = someone("user:pan", "Pat Panelist", v1::PANELIST);
const auto mod = someone("user:mod", "Mo Moderator", v1::MODERATOR);

bool mentions(const std::string& text, const v1::Participant& p) {
  return text.find(p.id()) != std::string::npos || text.find(p.display_name()) != std::string::npos;
}

class Redaction : public ::testing::Test {
 protected:
  Result<Appended> run(const v1::Participant& who, auto set) {
    v1::ClientMessage m;
    set(m);
    auto d = draft_command(m, who, limits_);
    if (!d) return d.error();
    return panel_.append(std::move(*d));
  }
  std::uint64_t ask(const v1::Participant& who, const std::string& text, bool anonymous) {
    auto a = run(who, [&](auto& m) {
      m.mutable_ask_question()->set_text(text);
      m.mutable_ask_question()->set_anonymous(anonymous);
    });
    EXPECT_TRUE(a.has_value());
    return a ? a->seq : 0;
  }
  EventPtr moderate(std::uint64_t id, v1::ModerationAction action) {
    auto a = run(mod, [&](auto& m) {
      m.mutable_moderate_question()->set_question_id(id);
      m.mutable_moderate_question()->set_action(action);
      m.mutable_moderate_question()->set_answer_text(action == v1::MARK_ANSWERED ? "Yes." : "");
    });
    EXPECT_TRUE(a.has_value() && a->event);
    return a ? a->event : nullptr;
  }
  EventPtr merge(std::uint64_t dup, std::uint64_t into) {
    auto a = run(mod, [&](auto& m) {
      m.mutable_merge_questions()->set_duplicate_id(dup);
      m.mutable_merge_questions()->set_into_id(into);
    });
    EXPECT_TRUE(a.has_value() && a->event);
    return a ? a->event : nullptr;
  }
  EventPtr vote(const v1::Participant& who, std::uint64_t id) {
    auto a = run(who, [&](auto& m) { m.mutable_vote()->set_question_id(id); });
    EXPECT_TRUE(a.has_value() && a->event);
    return a ? a->event : nullptr;
  }
  // The frame `viewer` is sent, as JSON, and decoded back.
  static std::string frame_of(const EventPtr& ev, const v1::Participant& viewer) {
    return *ev->frame(WireFormat::json, view_for(viewer, ev->event()));
  }
  static v1::Event seen(const EventPtr& ev, const v1::Participant& viewer) {
    auto f = ev->frame(WireFormat::proto, view_for(viewer, ev->event()));
    v1::ServerMessage m;
    EXPECT_TRUE(m.ParseFromString(std::string(frame_payload(*f))));
    return m.event();
  }
  static const std::string* shared_frame(const EventPtr& ev, const v1::Participant& viewer) {
    return ev->frame(WireFormat::json, view_for(viewer, ev->event())).get();
  }
  v1::Welcome welcome(const v1::Participant& viewer) {
    WelcomeContext ctx{"p", viewer, v1::POPULAR, {}};
    return make_welcome(ctx, *panel_.backlog(std::nullopt, 10, viewer.id()));
  }
  static std::string json(const v1::Welcome& w) {
    v1::ServerMessage m;
    *m.mutable_welcome() = w;
    return encode(m, WireFormat::json);
  }
  // Bob's name or id reaches the moderator and Bob, nobody else.
  static void expect_bob_only_to_moderator_and_himself(const std::string& what, auto text_for) {
    EXPECT_TRUE(mentions(text_for(mod), bob)) << what << ": moderators see who is anonymous";
    for (const auto* v : {&alice, &cid, &pan})
      EXPECT_FALSE(mentions(text_for(*v), bob)) << what << " leaks bob to " << v->display_name();
  }

  FixedClock clock_{1'000'000};
  PanelLimits plimits_;
  CommandLimits limits_;
  Panel panel_{"p", PanelSettings{"Redaction", "", true, false}, plimits_, clock_};
};

TEST_F(Redaction, AnAnonymousDuplicateMergedIntoAlicesQuestionStaysAnonymous) {
  const auto q = ask(alice, "How do we keep mentoring going?", false);
  const auto dup = ask(bob, "How can mentoring continue?", true);
  auto merged = merge(dup, q);
  ASSERT_TRUE(merged);

  expect_bob_only_to_moderator_and_himself("merge", [&](auto& v) { return frame_of(merged, v); });
  EXPECT_EQ(view_for(alice, merged->event()), View::public_copy) << "nothing of hers is hidden";
  EXPECT_EQ(view_for(bob, merged->event()), View::own);
  EXPECT_EQ(shared_frame(merged, cid), shared_frame(merged, pan)) << "one shared public frame";
  EXPECT_EQ(shared_frame(merged, cid), shared_frame(merged, alice));

  auto for_bob = seen(merged, bob).questions_changed();
  ASSERT_EQ(for_bob.questions_size(), 2);
  EXPECT_EQ(for_bob.questions(0).state(), v1::MERGED);
  EXPECT_EQ(for_bob.questions(0).merged_into(), q);
  const auto& target = for_bob.questions(1);
  ASSERT_EQ(target.credited_size(), 2) << "bob sees his own credit";
  EXPECT_EQ(target.credited(1).id(), bob.id());
  ASSERT_EQ(target.anonymous_credited_size(), 1) << "and that he is anonymous in it";
  EXPECT_EQ(target.anonymous_credited(0), bob.id());

  auto for_alice = seen(merged, alice).questions_changed().questions(1);
  EXPECT_EQ(for_alice.asker().id(), alice.id());
  ASSERT_EQ(for_alice.credited_size(), 1);
  EXPECT_EQ(for_alice.credited(0).id(), alice.id());
  EXPECT_EQ(for_alice.anonymous_credited_size(), 0);
  auto for_mod = seen(merged, mod).questions_changed().questions(1);
  EXPECT_EQ(for_mod.credited_size(), 2);
  EXPECT_EQ(for_mod.anonymous_credited_size(), 1);

  // Every later event on the question, and every snapshot.
  auto voted = vote(cid, q);
  expect_bob_only_to_moderator_and_himself("vote", [&](auto& v) { return frame_of(voted, v); });
  for (const auto* v : {&alice, &bob, &cid, &pan})
    EXPECT_FALSE(mentions(frame_of(voted, *v), cid)) << "the voter is named to moderators only";
  EXPECT_TRUE(mentions(frame_of(voted, mod), cid));
  EXPECT_EQ(seen(voted, bob).questions_changed().questions(0).votes(), 1u);

  for (auto action : {v1::HIGHLIGHT, v1::MARK_ANSWERED}) {
    auto ev = moderate(q, action);
    ASSERT_TRUE(ev);
    expect_bob_only_to_moderator_and_himself(v1::ModerationAction_Name(action),
                                             [&](auto& v) { return frame_of(ev, v); });
    EXPECT_TRUE(mentions(frame_of(ev, bob), bob)) << "bob still sees his own credit";
    EXPECT_EQ(seen(ev, alice).questions_changed().questions(0).asker().id(), alice.id());
  }

  for (const auto* v : {&alice, &bob, &cid, &pan, &mod}) {
    auto w = welcome(*v);
    ASSERT_EQ(w.questions_size(), v == &mod ? 2 : 1) << "the merged stub is for moderators";
  }
  expect_bob_only_to_moderator_and_himself("welcome", [&](auto& v) { return json(welcome(v)); });
  EXPECT_TRUE(mentions(json(welcome(bob)), bob));
  EXPECT_EQ(welcome(alice).questions(0).credited_size(), 1);
  EXPECT_EQ(welcome(bob).questions(0).anonymous_credited(0), bob.id());

  auto dismissed = moderate(q, v1::DISMISS);
  ASSERT_TRUE(dismissed);
  expect_bob_only_to_moderator_and_himself("dismiss",
                                           [&](auto& v) { return frame_of(dismissed, v); });
  for (const auto* v : {&alice, &bob, &cid, &pan}) {
    auto got = seen(dismissed, *v).questions_changed();
    ASSERT_EQ(got.questions_size(), 1);
    EXPECT_EQ(got.questions(0).state(), v1::DISMISSED);
    EXPECT_TRUE(got.questions(0).text().empty()) << "a stub to drop";
    EXPECT_EQ(welcome(*v).questions_size(), 0);
  }
}

TEST_F(Redaction, AnAnonymousAskerIsNotShownToTheCoAskerMergedIn) {
  const auto q = ask(alice, "Anonymous first", true);
  const auto dup = ask(bob, "Named duplicate", false);
  auto merged = merge(dup, q);
  ASSERT_TRUE(merged);
  for (const auto* v : {&bob, &cid, &pan})
    EXPECT_FALSE(mentions(frame_of(merged, *v), alice)) << v->display_name();
  EXPECT_TRUE(mentions(frame_of(merged, alice), alice)) << "alice sees she asked it";
  auto own = seen(merged, alice).questions_changed().questions(1);
  EXPECT_TRUE(own.anonymous());
  EXPECT_EQ(own.asker().id(), alice.id());
  for (const auto* v : {&bob, &cid, &pan}) {
    EXPECT_FALSE(mentions(json(welcome(*v)), alice)) << v->display_name();
    EXPECT_TRUE(mentions(json(welcome(*v)), bob)) << "bob asked by name";
  }
  EXPECT_EQ(welcome(alice).questions(0).asker().id(), alice.id());
}

TEST_F(Redaction, APendingAnonymousQuestionReachesItsAskerAndModeratorsOnly) {
  Panel premod{"pm", PanelSettings{"Premod", "", true, true}, plimits_, clock_};
  v1::ClientMessage m;
  m.mutable_ask_question()->set_text("pending and anonymous");
  m.mutable_ask_question()->set_anonymous(true);
  auto a = premod.append(*draft_command(m, alice, limits_));
  ASSERT_TRUE(a.has_value());
  const auto& ev = a->event;
  EXPECT_EQ(view_for(alice, ev->event()), View::own);
  auto own = seen(ev, alice);
  ASSERT_EQ(own.questions_changed().questions_size(), 1);
  EXPECT_EQ(own.questions_changed().questions(0).state(), v1::PENDING);
  EXPECT_EQ(own.actor().id(), alice.id()) << "she sees it was her";
  for (const auto* v : {&bob, &cid, &pan}) {
    EXPECT_TRUE(seen(ev, *v).has_hidden());
    EXPECT_FALSE(mentions(frame_of(ev, *v), alice));
  }
  WelcomeContext ctx{"pm", alice, v1::POPULAR, {}};
  EXPECT_EQ(make_welcome(ctx, *premod.backlog(std::nullopt, 1, alice.id())).questions_size(), 1);
  ctx.you = pan;
  EXPECT_EQ(make_welcome(ctx, *premod.backlog(std::nullopt, 1, pan.id())).questions_size(), 0);
}

// Every name a client receives comes with its role, so pages can badge
// moderators and panelists: chat authors, askers, credits, actors, the one
// who deleted, and Welcome.you; whichever view the receiver gets.
TEST_F(Redaction, EveryNameCarriesItsRole) {
  auto said = run(pan, [](auto& m) { m.mutable_send_chat()->set_text("Welcome, everyone"); });
  ASSERT_TRUE(said.has_value());
  auto promoted = run(mod, [&](auto& m) { m.mutable_promote_chat()->set_chat_seq(said->seq); });
  const auto q = ask(pan, "A panelist asks", false);
  auto merged = merge(q, promoted->seq);
  auto deleted = run(mod, [&](auto& m) { m.mutable_delete_chat()->set_chat_seq(said->seq); });
  ASSERT_TRUE(promoted.has_value() && merged && deleted.has_value());

  auto roles_of = [](const v1::Event& e) {
    std::vector<v1::Participant> names;
    if (e.has_actor()) names.push_back(e.actor());
    if (e.has_chat_posted()) names.push_back(e.chat_posted().author());
    if (e.has_chat_deleted()) names.push_back(e.chat_deleted().by());
    for (const auto& x : e.questions_changed().questions()) {
      if (x.has_asker()) names.push_back(x.asker());
      for (const auto& c : x.credited()) names.push_back(c);
    }
    return names;
  };
  for (const auto& ev : {said->event, promoted->event, merged, deleted->event}) {
    for (const auto* v : {&cid, &pan, &mod}) {
      auto names = roles_of(seen(ev, *v));
      EXPECT_FALSE(names.empty());
      for (const auto& p : names) {
        EXPECT_NE(p.role(), v1::ROLE_UNSPECIFIED) << p.DebugString();
        EXPECT_EQ(p.role(), p.id() == pan.id() ? v1::PANELIST : v1::MODERATOR) << p.DebugString();
      }
    }
  }
  auto w = welcome(cid);
  EXPECT_EQ(w.you().role(), v1::ATTENDEE);
  ASSERT_EQ(w.questions_size(), 1);
  for (const auto& c : w.questions(0).credited()) EXPECT_EQ(c.role(), v1::PANELIST);
}

}  // namespace
}  // namespace panelwire::core
