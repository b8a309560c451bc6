// Panel rules a moderator switches while the panel runs: pre-moderation,
// guest questions and slow mode; who may switch them, their bounds, the
// event every replica follows, and the Welcome and snapshot that carry them.

#include <gtest/gtest.h>

#include "test_support.h"

#include "command_drafts.h"
#include "identity.h"
#include "panel.h"
#include "welcome.h"

namespace panelwire::core {
namespace {

using testing_support::FixedClock;
using testing_support::person;

constexpr std::string_view kIdSecret = "rules-test-id-secret-of-32-bytes!";

// The fields a change sets; the others are left out.
struct Rules {
  std::optional<bool> pre_moderation = {};
  std::optional<bool> guest_questions = {};
  std::optional<std::uint32_t> slow_ms = {};
};

v1::ClientMessage set_rules(const Rules& r) {
  v1::ClientMessage m;
  auto* rules = m.mutable_set_panel_rules()->mutable_rules();
  if (r.pre_moderation) rules->set_pre_moderation(*r.pre_moderation);
  if (r.guest_questions) rules->set_guest_questions(*r.guest_questions);
  if (r.slow_ms) rules->set_chat_slow_mode_ms(*r.slow_ms);
  return m;
}

// The three rules as one line, so a test compares them whole.
std::string shown(const v1::PanelRules& r) {
  EXPECT_TRUE(r.has_pre_moderation() && r.has_guest_questions() && r.has_chat_slow_mode_ms())
      << "every field set: " << r.ShortDebugString();
  return "premod=" + std::to_string(r.pre_moderation()) +
         " guests=" + std::to_string(r.guest_questions()) +
         " slow=" + std::to_string(r.chat_slow_mode_ms());
}

class PanelRulesTest : public ::testing::Test {
 protected:
  Result<Appended> run(const v1::ClientMessage& m, const v1::Participant& who, Panel& p) {
    auto d = draft_command(m, who, limits_);
    if (!d) return d.error();
    return p.append(std::move(*d));
  }
  Result<Appended> run(const v1::ClientMessage& m, const v1::Participant& who) {
    return run(m, who, panel_);
  }
  Result<Appended> rules(const Rules& r, const v1::Participant& who = {}) {
    return run(set_rules(r), who.id().empty() ? mod : who);
  }
  Result<Appended> chat(const v1::Participant& who) {
    v1::ClientMessage m;
    m.mutable_send_chat()->set_text("hello");
    return run(m, who);
  }
  Result<Appended> ask(const v1::Participant& who, Panel& p) {
    v1::ClientMessage m;
    m.mutable_ask_question()->set_text("Why?");
    return run(m, who, p);
  }
  Result<Appended> ask(const v1::Participant& who) { return ask(who, panel_); }
  std::string rules_now(const Panel& p) const {
    return shown(p.backlog(std::nullopt, 0)->info.rules());
  }

  FixedClock clock_{1'000'000};
  PanelLimits plimits_;
  CommandLimits limits_;
  PanelSettings settings_{"Mentoring in Research", "t/42", true, false};
  Panel panel_{"nov", settings_, plimits_, clock_};
  v1::Participant gail = guest("client-1", "Gail", kIdSecret),
                  tom = person(participant_id('u', "tom", kIdSecret)),
                  pat = person(participant_id('u', "pat", kIdSecret), v1::PANELIST),
                  mod = person(participant_id('u', "mod", kIdSecret), v1::MODERATOR);
};

TEST_F(PanelRulesTest, RulesStartFromThePanelListAndTheWelcomeCarriesThem) {
  EXPECT_EQ(rules_now(panel_), "premod=0 guests=1 slow=0");
  settings_.pre_moderation = true;
  Panel premod{"premod", settings_, plimits_, clock_};
  auto b = *premod.backlog(std::nullopt, 0, tom.id());
  EXPECT_EQ(shown(b.info.rules()), "premod=1 guests=1 slow=0");
  auto w = make_welcome(WelcomeContext{"premod", tom, v1::POPULAR, {}}, b);
  EXPECT_EQ(shown(w.panel().rules()), "premod=1 guests=1 slow=0");
  EXPECT_TRUE(w.panel().pre_moderation());
}

TEST_F(PanelRulesTest, APartialChangeIsCompletedIntoTheWholeSet) {
  auto on = rules({.pre_moderation = true});
  ASSERT_TRUE(on.has_value()) << on.error().message;
  ASSERT_NE(on->event, nullptr);
  EXPECT_EQ(on->seq, 1u);
  EXPECT_EQ(shown(on->event->event().panel_rules()), "premod=1 guests=1 slow=0");
  EXPECT_EQ(on->event->event().actor().id(), mod.id());

  auto more = rules({.guest_questions = false, .slow_ms = 5'000});
  ASSERT_TRUE(more.has_value());
  EXPECT_EQ(shown(more->event->event().panel_rules()), "premod=1 guests=0 slow=5000")
      << "pre-moderation stays as it was";
  auto b = *panel_.backlog(std::nullopt, 0);
  EXPECT_EQ(shown(b.info.rules()), "premod=1 guests=0 slow=5000");
  EXPECT_TRUE(b.info.pre_moderation()) << "the older field follows the rules";

  ASSERT_TRUE(rules({.pre_moderation = false, .guest_questions = true, .slow_ms = 0}).has_value());
  EXPECT_EQ(rules_now(panel_), "premod=0 guests=1 slow=0");
  EXPECT_FALSE(panel_.backlog(std::nullopt, 0)->info.pre_moderation());
}

TEST_F(PanelRulesTest, ANoOpChangeIsAckedWithSeqZeroAndPublishesNothing) {
  auto same = rules({.pre_moderation = false, .guest_questions = true});
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->seq, 0u);
  EXPECT_EQ(same->event, nullptr);
  EXPECT_EQ(panel_.head(), 0u);
  ASSERT_TRUE(rules({.slow_ms = 1'000}).has_value());
  EXPECT_EQ(rules({.slow_ms = 1'000})->seq, 0u) << "setting it again changes nothing";
  EXPECT_EQ(panel_.head(), 1u);
}

TEST_F(PanelRulesTest, BoundsAndAnEmptyChangeAreInvalid) {
  auto too_slow = rules({.slow_ms = 600'001});
  ASSERT_FALSE(too_slow.has_value());
  EXPECT_EQ(too_slow.error().code, v1::INVALID_ARGUMENT);
  auto nothing = rules({});
  ASSERT_FALSE(nothing.has_value());
  EXPECT_EQ(nothing.error().code, v1::INVALID_ARGUMENT);
  v1::ClientMessage bare;
  bare.mutable_set_panel_rules();
  EXPECT_EQ(run(bare, mod).error().code, v1::INVALID_ARGUMENT) << "no rules message at all";
  EXPECT_EQ(panel_.head(), 0u);
  auto longest = rules({.slow_ms = 600'000});
  ASSERT_TRUE(longest.has_value()) << "ten minutes is the longest";
  EXPECT_EQ(rules_now(panel_), "premod=0 guests=1 slow=600000");
}

TEST_F(PanelRulesTest, OnlyModeratorsMaySwitchRules) {
  for (const auto* who : {&tom, &pat, &gail}) {
    auto r = rules({.guest_questions = false}, *who);
    ASSERT_FALSE(r.has_value()) << who->id();
    EXPECT_EQ(r.error().code, v1::FORBIDDEN) << who->id();
    EXPECT_EQ(rules({.slow_ms = 600'001}, *who).error().code, v1::FORBIDDEN)
        << "who is checked before what";
  }
  EXPECT_EQ(panel_.head(), 0u);
  EXPECT_EQ(rules_now(panel_), "premod=0 guests=1 slow=0");
}

TEST_F(PanelRulesTest, PreModerationSwitchedOnHoldsNewQuestionsOnly) {
  auto before = ask(tom)->seq;
  ASSERT_TRUE(rules({.pre_moderation = true}).has_value());
  auto held = ask(tom)->seq;
  EXPECT_EQ(panel_.board().find(before)->state(), v1::OPEN) << "asked before: stays open";
  EXPECT_EQ(panel_.board().find(held)->state(), v1::PENDING);
  ASSERT_TRUE(rules({.pre_moderation = false}).has_value());
  auto open = ask(tom)->seq;
  EXPECT_EQ(panel_.board().find(open)->state(), v1::OPEN);
  EXPECT_EQ(panel_.board().find(held)->state(), v1::PENDING) << "still waits for a moderator";
}

TEST_F(PanelRulesTest, GuestQuestionsOffRefusesGuestsOnly) {
  v1::ClientMessage said;
  said.mutable_send_chat()->set_text("a question in the chat");
  auto gail_said = run(said, gail)->seq;
  auto first = ask(gail)->seq;
  ASSERT_TRUE(rules({.guest_questions = false}).has_value());
  const auto head = panel_.head();
  auto refused = ask(gail);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, v1::FORBIDDEN);
  EXPECT_EQ(panel_.head(), head) << "nothing changed";

  EXPECT_TRUE(ask(tom).has_value()) << "an attendee with a token still asks";
  EXPECT_TRUE(chat(gail).has_value()) << "guests still chat";
  v1::ClientMessage vote;
  vote.mutable_vote()->set_question_id(first);
  EXPECT_TRUE(run(vote, gail).has_value()) << "and vote";
  v1::ClientMessage promote;
  promote.mutable_promote_chat()->set_chat_seq(gail_said);
  auto promoted = run(promote, mod);
  ASSERT_TRUE(promoted.has_value()) << "a moderator's promotion is not a guest asking";
  EXPECT_EQ(promoted->event->event().questions_changed().questions(0).asker().id(), gail.id());

  ASSERT_TRUE(rules({.guest_questions = true}).has_value());
  EXPECT_TRUE(ask(gail).has_value());
}

TEST_F(PanelRulesTest, SlowModeSpacesAttendeesChatWithRetryAfter) {
  ASSERT_TRUE(rules({.slow_ms = 10'000}).has_value());
  ASSERT_TRUE(chat(tom).has_value());
  auto soon = chat(tom);
  ASSERT_FALSE(soon.has_value());
  EXPECT_EQ(soon.error().code, v1::RATE_LIMITED);
  EXPECT_EQ(soon.error().retry_after_ms, 10'000u);
  EXPECT_NE(soon.error().message.find("slow mode"), std::string::npos) << soon.error().message;
  clock_.now += 4'000;
  EXPECT_EQ(chat(tom).error().retry_after_ms, 6'000u) << "a refused message costs nothing";
  EXPECT_TRUE(chat(gail).has_value()) << "each participant has their own pace";
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(chat(mod).has_value()) << "moderators are exempt";
    EXPECT_TRUE(chat(pat).has_value()) << "panelists are exempt";
  }
  EXPECT_TRUE(ask(tom).has_value()) << "slow mode is for chat only";
  clock_.now += 6'000;
  EXPECT_TRUE(chat(tom).has_value());
}

TEST_F(PanelRulesTest, ANewSlowModeIntervalCountsFromTheLastMessage) {
  ASSERT_TRUE(rules({.slow_ms = 60'000}).has_value());
  ASSERT_TRUE(chat(tom).has_value());
  clock_.now += 3'000;
  ASSERT_TRUE(rules({.slow_ms = 5'000}).has_value());
  EXPECT_EQ(chat(tom).error().retry_after_ms, 2'000u) << "shortened: 5 s from the last message";
  clock_.now += 2'000;
  ASSERT_TRUE(chat(tom).has_value());
  ASSERT_TRUE(rules({.slow_ms = 20'000}).has_value());
  clock_.now += 5'000;
  EXPECT_EQ(chat(tom).error().retry_after_ms, 15'000u) << "lengthened: 20 s from the last one";
  ASSERT_TRUE(rules({.slow_ms = 0}).has_value());
  EXPECT_TRUE(chat(tom).has_value()) << "off: at once";
  EXPECT_TRUE(chat(tom).has_value());
}

TEST_F(PanelRulesTest, AReplicaFollowsTheRulesEvent) {
  Panel replica{"nov", settings_, plimits_, clock_};
  auto set = rules({.guest_questions = false, .slow_ms = 30'000});
  ASSERT_TRUE(set.has_value());
  ASSERT_TRUE(replica.commit(set->event->event(), {}).has_value());
  EXPECT_EQ(rules_now(replica), "premod=0 guests=0 slow=30000");
  EXPECT_EQ(ask(gail, replica).error().code, v1::FORBIDDEN);
}

TEST_F(PanelRulesTest, SnapshotsCarryRulesAModeratorSet) {
  auto untouched = panel_.snapshot();
  EXPECT_FALSE(untouched.has_rules()) << "the panel list's rules need no copy";
  settings_.pre_moderation = true;
  Panel relisted{"nov", settings_, plimits_, clock_};
  ASSERT_TRUE(relisted.restore(untouched, {}).has_value());
  EXPECT_EQ(rules_now(relisted), "premod=1 guests=1 slow=0")
      << "as replaying the log would: the panel list's";

  ASSERT_TRUE(
      rules({.pre_moderation = false, .guest_questions = false, .slow_ms = 2'000}).has_value());
  ASSERT_TRUE(chat(tom).has_value());
  auto snap = panel_.snapshot();
  ASSERT_TRUE(snap.has_rules());
  auto history = panel_.backlog(0, 0)->missed;
  Panel loaded{"nov", settings_, plimits_, clock_};
  ASSERT_TRUE(loaded.restore(snap, {history.back()->event()}).has_value());
  EXPECT_EQ(rules_now(loaded), "premod=0 guests=0 slow=2000") << "the moderator's, not the list's";
  EXPECT_EQ(loaded.snapshot().SerializeAsString(), snap.SerializeAsString());
  EXPECT_EQ(ask(gail, loaded).error().code, v1::FORBIDDEN);
  auto q = ask(tom, loaded);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(loaded.board().find(q->seq)->state(), v1::OPEN);
}

}  // namespace
}  // namespace panelwire::core
