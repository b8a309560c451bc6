// A panel with questions: gates (mute, lock, end), promoted chat, rate
// limits, and the leftover batches the engine must make durable.

#include <gtest/gtest.h>

#include "test_support.h"
#include "visibility.h"

#include "command_drafts.h"
#include "panel.h"
#include "welcome.h"

namespace panelwire::core {
namespace {

using testing_support::FixedClock;
using testing_support::person;

class PanelQa : public ::testing::Test {
 protected:
  Result<Appended> run(const v1::ClientMessage& m, const v1::Participant& who) {
    auto d = draft_command(m, who, limits_);
    if (!d) return d.error();
    return panel_.append(std::move(*d));
  }
  Result<Appended> chat(const std::string& text, const v1::Participant& who) {
    v1::ClientMessage m;
    m.mutable_send_chat()->set_text(text);
    return run(m, who);
  }
  Result<Appended> ask(const std::string& text, const v1::Participant& who,
                       bool anonymous = false) {
    v1::ClientMessage m;
    m.mutable_ask_question()->set_text(text);
    m.mutable_ask_question()->set_anonymous(anonymous);
    return run(m, who);
  }
  Result<Appended> simple(const v1::Participant& who, auto set) {
    return send_to(panel_, who, set);
  }
  // A command that `set` fills, from `who`, to a panel of the test's own.
  Result<Appended> send_to(Panel& p, const v1::Participant& who, auto set) {
    v1::ClientMessage m;
    set(m);
    auto d = draft_command(m, who, limits_);
    if (!d) return d.error();
    return p.append(std::move(*d));
  }

  FixedClock clock_{1'000'000};
  PanelLimits plimits_;
  CommandLimits limits_;
  PanelSettings settings_{"Mentoring in Research", "t/42", true, false};
  Panel panel_{"nov", settings_, plimits_, clock_};
  v1::Participant ann = person("ann"), bob = person("bob"), pat = person("pat", v1::PANELIST),
                  mod = person("mod", v1::MODERATOR);
};

TEST_F(PanelQa, MuteLockAndEndGateCommands) {
  ASSERT_TRUE(chat("hi", ann).has_value());
  auto mute = [&](bool on) {
    return simple(mod, [&](auto& m) {
      m.mutable_mute_participant()->set_participant_id("ann");
      m.mutable_mute_participant()->set_muted(on);
    });
  };
  ASSERT_TRUE(mute(true).has_value());
  EXPECT_EQ(mute(true)->seq, 0u) << "muting twice changes nothing";
  EXPECT_EQ(chat("hi", ann).error().code, v1::MUTED);
  EXPECT_EQ(ask("q", ann).error().code, v1::MUTED);
  EXPECT_TRUE(chat("hi", bob).has_value());
  ASSERT_TRUE(mute(false).has_value());
  EXPECT_TRUE(chat("back", ann).has_value());

  auto lock = [&](bool on) {
    return simple(mod, [&](auto& m) { m.mutable_lock_chat()->set_locked(on); });
  };
  ASSERT_TRUE(lock(true).has_value());
  EXPECT_EQ(chat("hi", ann).error().code, v1::MUTED);
  EXPECT_TRUE(chat("panelists speak", pat).has_value());
  EXPECT_TRUE(chat("moderators speak", mod).has_value());
  EXPECT_TRUE(ask("questions still open", ann).has_value()) << "the lock is on chat only";
  ASSERT_TRUE(lock(false).has_value());

  auto end = simple(mod, [](auto& m) { m.mutable_end_panel(); });
  ASSERT_TRUE(end.has_value());
  const auto head = panel_.head();
  EXPECT_EQ(chat("late", mod).error().code, v1::PANEL_ENDED);
  EXPECT_EQ(ask("late", ann).error().code, v1::PANEL_ENDED);
  EXPECT_EQ(lock(true).error().code, v1::PANEL_ENDED);
  EXPECT_EQ(panel_.head(), head);
  auto b = panel_.backlog(std::nullopt, 10, "ann");
  EXPECT_TRUE(b->info.ended());
  EXPECT_EQ(b->info.forum_thread_url(), "") << "a topic id is not a link";
}

// A thread named by its address reaches every page, which links it once the
// panel has ended.
TEST_F(PanelQa, PanelInfoCarriesTheForumThreadAddress) {
  PanelSettings linked = settings_;
  linked.forum_thread = "https://forum.example/t/mentoring/42";
  Panel p("linked", linked, plimits_, clock_);
  auto b = p.backlog(std::nullopt, 10, "ann");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->info.forum_thread_url(), "https://forum.example/t/mentoring/42");
}

// A vote on a seq the voter may not see says no more than a vote on a seq
// that holds no question: a pending question of someone else's answers as a
// hidden mute does, so votes cannot tell one from the other.
TEST_F(PanelQa, AVoteOnAQuestionYouMayNotSeeIsNotFound) {
  PanelSettings moderated = settings_;
  moderated.pre_moderation = true;
  Panel p("pre", moderated, plimits_, clock_);
  auto on = [&](const v1::Participant& who, auto set) { return send_to(p, who, set); };
  auto pending = on(ann, [](auto& m) { m.mutable_ask_question()->set_text("waiting"); });
  ASSERT_TRUE(pending.has_value());
  auto mute = on(mod, [](auto& m) {
    m.mutable_mute_participant()->set_participant_id("pat");
    m.mutable_mute_participant()->set_muted(true);
  });
  ASSERT_TRUE(mute.has_value());
  auto vote = [&](const v1::Participant& who, std::uint64_t seq) {
    return on(who, [seq](auto& m) { m.mutable_vote()->set_question_id(seq); });
  };
  for (auto seq : {pending->seq, mute->seq}) {
    auto refused = vote(bob, seq);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, v1::NOT_FOUND) << "seq " << seq;
    EXPECT_EQ(refused.error().message, "no question " + std::to_string(seq));
  }
  EXPECT_EQ(vote(ann, pending->seq).error().code, v1::INVALID_STATE) << "the asker sees it";
  EXPECT_EQ(vote(mod, pending->seq).error().code, v1::INVALID_STATE) << "moderators see it";
}

// A panel holds a bounded number of questions, whoever adds them: past it
// asking and promoting are refused with a typed code, and the rest of the
// board keeps working.
TEST_F(PanelQa, QuestionsAreCappedPerPanel) {
  PanelLimits small = plimits_;
  small.max_questions = 3;
  Panel p("capped", settings_, small, clock_);
  auto on = [&](const v1::Participant& who, auto set) { return send_to(p, who, set); };
  auto asking = [](const char* text) {
    return [text](auto& m) { m.mutable_ask_question()->set_text(text); };
  };
  auto first = on(ann, asking("one"));
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(on(bob, asking("two")).has_value());
  auto chat_seq = on(bob, [](auto& m) { m.mutable_send_chat()->set_text("a comment"); })->seq;
  ASSERT_TRUE(on(mod, [](auto& m) {
                m.mutable_moderate_question()->set_question_id(1);
                m.mutable_moderate_question()->set_action(v1::DISMISS);
              }).has_value());
  ASSERT_TRUE(on(ann, asking("three")).has_value()) << "dismissed ones still count: this is 3";
  const auto head = p.head();
  auto refused = on(ann, asking("four"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, v1::RESOURCE_EXHAUSTED);
  auto promote = on(mod, [chat_seq](auto& m) { m.mutable_promote_chat()->set_chat_seq(chat_seq); });
  ASSERT_FALSE(promote.has_value());
  EXPECT_EQ(promote.error().code, v1::RESOURCE_EXHAUSTED) << "moderators too";
  EXPECT_EQ(p.head(), head) << "nothing appended";
  EXPECT_TRUE(on(bob, [](auto& m) { m.mutable_vote()->set_question_id(2); }).has_value())
      << "votes on what is there go on";
}

TEST_F(PanelQa, EndPublishesOneBatchWithEveryLeftover) {
  auto a = ask("open one", ann)->seq;
  auto b = ask("secret one", bob, true)->seq;
  auto c = ask("answered", ann)->seq;
  ASSERT_TRUE(simple(mod, [&](auto& m) {
                m.mutable_moderate_question()->set_question_id(c);
                m.mutable_moderate_question()->set_action(v1::MARK_ANSWERED);
              }).has_value());
  ASSERT_TRUE(simple(mod, [&](auto& m) {
                m.mutable_merge_questions()->set_duplicate_id(b);
                m.mutable_merge_questions()->set_into_id(a);
              }).has_value());
  clock_.now = 2'000'000;
  auto end = simple(mod, [](auto& m) { m.mutable_end_panel(); });
  ASSERT_TRUE(end.has_value());
  ASSERT_TRUE(end->leftovers.has_value());
  const auto& batch = *end->leftovers;
  EXPECT_EQ(batch.panel_id(), "nov");
  EXPECT_EQ(batch.seq(), end->seq);
  ASSERT_EQ(batch.items_size(), 1) << "the merged and the answered one are not leftovers";
  const auto& item = batch.items(0);
  EXPECT_EQ(item.leftover_id(), "nov/1000000/" + std::to_string(a))
      << "the panel, when its first event was appended, the question";
  EXPECT_EQ(item.panel_title(), "Mentoring in Research");
  EXPECT_EQ(item.forum_thread(), "t/42");
  EXPECT_EQ(item.asker_name(), "name-ann");
  ASSERT_EQ(item.credited_names_size(), 1) << "bob merged in anonymously stays unnamed";
  EXPECT_EQ(item.reason(), v1::UNANSWERED);
  EXPECT_EQ(item.published_at_ms(), 2'000'000);
  EXPECT_EQ(end->event->event().panel_ended().leftover_ids_size(), 1);
}

TEST_F(PanelQa, PromotedChatAndSendToForumPublishAtOnce) {
  auto said = chat("Here is a comment from the chat", bob)->seq;
  auto promoted = simple(mod, [&](auto& m) {
    m.mutable_promote_chat()->set_chat_seq(said);
    m.mutable_promote_chat()->set_send_to_forum(true);
  });
  ASSERT_TRUE(promoted.has_value()) << promoted.error().message;
  ASSERT_TRUE(promoted->leftovers.has_value());
  const auto& item = promoted->leftovers->items(0);
  EXPECT_EQ(item.kind(), v1::CHAT_COMMENT);
  EXPECT_EQ(item.asker_name(), "name-bob") << "credited to the chat's author";
  EXPECT_EQ(item.text(), "Here is a comment from the chat");
  EXPECT_EQ(item.reason(), v1::SENT_BY_MODERATOR);

  auto again = simple(mod, [&](auto& m) { m.mutable_promote_chat()->set_chat_seq(said); });
  ASSERT_TRUE(again.has_value()) << "a second promotion is not an error";
  EXPECT_EQ(again->seq, 0u) << "and makes no second question";
  EXPECT_FALSE(again->event);
  std::size_t comments = 0;
  for (const auto& [id, q] : panel_.board().questions()) comments += q.chat_seq() == said;
  EXPECT_EQ(comments, 1u);

  auto missing = simple(mod, [](auto& m) { m.mutable_promote_chat()->set_chat_seq(99); });
  EXPECT_EQ(missing.error().code, v1::NOT_FOUND);

  auto q = ask("worth a forum post", ann)->seq;
  auto sent = simple(mod, [&](auto& m) {
    m.mutable_moderate_question()->set_question_id(q);
    m.mutable_moderate_question()->set_action(v1::SEND_TO_FORUM);
  });
  ASSERT_TRUE(sent->leftovers.has_value());
  EXPECT_EQ(sent->leftovers->items(0).question_id(), q);
  auto end = simple(mod, [](auto& m) { m.mutable_end_panel(); });
  ASSERT_TRUE(end->leftovers.has_value());
  EXPECT_EQ(end->leftovers->items_size(), 0) << "what was sent is not sent again";
}

TEST_F(PanelQa, RateLimitsApplyPerParticipantButNotToModerators) {
  plimits_.rates.question = {1.0 / 60, 2};
  Panel p("r", settings_, plimits_, clock_);
  auto ask_in = [&](const v1::Participant& who) {
    v1::ClientMessage m;
    m.mutable_ask_question()->set_text("q");
    return p.append(*draft_command(m, who, limits_));
  };
  EXPECT_TRUE(ask_in(ann).has_value());
  EXPECT_TRUE(ask_in(ann).has_value());
  auto third = ask_in(ann);
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().code, v1::RATE_LIMITED);
  EXPECT_EQ(third.error().retry_after_ms, 60'000u);
  EXPECT_TRUE(ask_in(bob).has_value()) << "buckets are per participant";
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(ask_in(mod).has_value());
  clock_.now += 60'000;
  EXPECT_TRUE(ask_in(ann).has_value());
}

TEST_F(PanelQa, WelcomeShowsEachRoleWhatItMaySeeInTheAskedOrder) {
  auto a = ask("few votes", ann)->seq;
  auto b = ask("many votes", bob, true)->seq;
  for (const auto* who : {&ann, &pat, &mod})
    simple(*who, [&](auto& m) { m.mutable_vote()->set_question_id(b); });
  auto d = ask("dismissed", ann)->seq;
  simple(mod, [&](auto& m) {
    m.mutable_moderate_question()->set_question_id(d);
    m.mutable_moderate_question()->set_action(v1::DISMISS);
  });
  auto backlog = [&](const v1::Participant& who) {
    return *panel_.backlog(std::nullopt, 5, who.id());
  };
  WelcomeContext ctx{"nov", bob, v1::POPULAR, {}};
  auto w = make_welcome(ctx, backlog(bob));
  ASSERT_EQ(w.questions_size(), 2) << "the dismissed one is hidden";
  EXPECT_EQ(w.questions(0).id(), b) << "popular first";
  EXPECT_EQ(w.questions(0).asker().id(), "bob") << "the asker sees their own name";

  ctx.you = pat;
  ctx.order = v1::RECENT;
  w = make_welcome(ctx, backlog(pat));
  ASSERT_EQ(w.questions_size(), 2);
  EXPECT_EQ(w.questions(0).id(), b) << "newest first";
  EXPECT_EQ(w.questions(1).id(), a);
  EXPECT_FALSE(w.questions(0).has_asker()) << "anonymous to others";
  ASSERT_EQ(w.your_votes_size(), 1);
  EXPECT_EQ(w.your_votes(0), b);
  EXPECT_EQ(w.panel().title(), "Mentoring in Research");

  ctx.you = mod;
  w = make_welcome(ctx, backlog(mod));
  EXPECT_EQ(w.questions_size(), 3) << "moderators see the dismissed one";
  EXPECT_EQ(w.questions(1).asker().id(), "bob");
}

// A moderator's page opened after a mute lists who is muted, by the name
// their latest chat message had; nobody else's Welcome names them. An
// unmute names them as the mute did.
TEST_F(PanelQa, WelcomeListsTheMutedToModeratorsByName) {
  auto zed = person("zed");
  auto ann2 = ann;
  ann2.set_display_name("Ann Again");
  ASSERT_TRUE(chat("hello", ann).has_value());
  ASSERT_TRUE(chat("renamed", ann2).has_value());
  auto mute = [&](const std::string& id, bool on) {
    return simple(mod, [&](auto& m) {
      m.mutable_mute_participant()->set_participant_id(id);
      m.mutable_mute_participant()->set_muted(on);
    });
  };
  auto muted = mute("ann", true);
  ASSERT_TRUE(muted.has_value());
  EXPECT_EQ(muted->event->event().participant_muted().who().display_name(), "Ann Again");
  EXPECT_EQ(muted->event->event().participant_muted().who().role(), v1::ATTENDEE);
  ASSERT_TRUE(mute(zed.id(), true).has_value()) << "someone who never chatted: by id alone";
  auto welcome = [&](const v1::Participant& who) {
    return make_welcome({"nov", who, v1::POPULAR, {}}, *panel_.backlog(std::nullopt, 5, who.id()));
  };
  auto w = welcome(mod);
  ASSERT_EQ(w.muted_size(), 2);
  EXPECT_EQ(w.muted(0).id(), "zed") << "ordered by name, the unnamed first";
  EXPECT_EQ(w.muted(0).display_name(), "");
  EXPECT_EQ(w.muted(1).display_name(), "Ann Again");
  EXPECT_EQ(welcome(bob).muted_size(), 0);
  EXPECT_EQ(welcome(pat).muted_size(), 0);
  EXPECT_EQ(welcome(ann).muted_size(), 0) << "even the muted learn only that they are";

  auto unmuted = mute("ann", false);
  ASSERT_TRUE(unmuted.has_value());
  EXPECT_EQ(unmuted->event->event().participant_muted().who().display_name(), "Ann Again");
  w = welcome(mod);
  ASSERT_EQ(w.muted_size(), 1);
  EXPECT_EQ(w.muted(0).id(), "zed");
}

// The muted list is bounded: past its cap a mute is refused with a typed
// code, and unmuting makes room again.
TEST_F(PanelQa, MutesAreCappedPerPanel) {
  PanelLimits small = plimits_;
  small.max_muted = 2;
  Panel p("capped", settings_, small, clock_);
  auto mute = [&](const std::string& id, bool on) {
    return send_to(p, mod, [&](auto& m) {
      m.mutable_mute_participant()->set_participant_id(id);
      m.mutable_mute_participant()->set_muted(on);
    });
  };
  ASSERT_TRUE(mute("a", true).has_value());
  ASSERT_TRUE(mute("b", true).has_value());
  auto refused = mute("c", true);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, v1::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(mute("b", true).has_value()) << "muting one already muted changes nothing";
  ASSERT_TRUE(mute("a", false).has_value());
  EXPECT_TRUE(mute("c", true).has_value());
  EXPECT_EQ(p.backlog(std::nullopt, 5, "mod")->muted.size(), 2u);
}

// The panelist a question is for is shown beside it: cleaned like a name.
TEST_F(PanelQa, AddressedToIsCleanedLikeADisplayName) {
  auto asked = simple(ann, [](auto& m) {
    m.mutable_ask_question()->set_text("For you");
    m.mutable_ask_question()->set_addressed_to("\u202EDr.\u200B  Alberts\n");
  });
  ASSERT_TRUE(asked.has_value()) << asked.error().message;
  EXPECT_EQ(asked->event->event().questions_changed().questions(0).addressed_to(), "Dr. Alberts");
}

// What a multi-node engine relies on: a replica that commits another
// panel's decided events ends in the same state, and recognises retries.
TEST_F(PanelQa, AReplicaCommittingTheEventsReachesTheSameState) {
  Panel replica{"nov", settings_, plimits_, clock_};
  auto mirror = [&](const Result<Appended>& a, const std::string& key = {}) {
    ASSERT_TRUE(a.has_value()) << a.error().message;
    ASSERT_NE(a->event, nullptr);
    auto r = replica.commit(a->event->event(), key);
    ASSERT_TRUE(r.has_value()) << r.error().message;
  };
  mirror(chat("hello", ann));
  auto asked = ask("a question", ann);
  const auto id = asked->seq;
  mirror(asked);
  v1::ClientMessage vote;
  vote.mutable_vote()->set_question_id(id);
  auto decided = panel_.prepare(*draft_command(vote, bob, limits_));
  ASSERT_TRUE(decided.has_value() && decided->event);
  EXPECT_EQ(panel_.head(), 2u) << "prepare decides, it does not apply";
  mirror(panel_.commit(*decided->event, "bob/c1"), "bob/c1");
  EXPECT_EQ(replica.head(), 3u);
  EXPECT_EQ(replica.board().find(id)->votes(), 1u);
  EXPECT_TRUE(replica.board().voted(id, "bob"));

  // Rebuild from scratch, in order, as a node joining late would.
  Panel late{"nov", settings_, plimits_, clock_};
  auto b = panel_.backlog(0, 0);
  for (const auto& e : b->missed) ASSERT_TRUE(late.commit(e->event(), {}).has_value());
  EXPECT_EQ(late.head(), panel_.head());
  EXPECT_EQ(late.board().find(id)->SerializeAsString(),
            panel_.board().find(id)->SerializeAsString());
  EXPECT_TRUE(late.board().voted(id, "bob"));

  // Events must follow the head.
  v1::Event stray = b->missed.back()->event();
  auto out_of_order = late.commit(stray, {});
  ASSERT_FALSE(out_of_order.has_value());
  EXPECT_EQ(out_of_order.error().code, v1::INTERNAL);
  EXPECT_EQ(late.head(), panel_.head()) << "nothing changed";

  // A retried command is recognised on the replica that saw its key.
  auto d = *draft_command(vote, bob, limits_);
  d.dedup_key = "bob/c1";
  auto retry = replica.prepare(d);
  ASSERT_TRUE(retry.has_value());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->seq, 3u);
}

TEST_F(PanelQa, RateLimitsHoldAcrossReplicas) {
  // Two nodes' replicas of one panel: a participant asking through both
  // still gets the panel's limit, since every replica charges each
  // committed event alike.
  plimits_.rates.question = {1.0 / 60, 2};
  Panel a("r", settings_, plimits_, clock_), b("r", settings_, plimits_, clock_);
  auto ask_on = [&](Panel& decider) -> Result<std::uint64_t> {
    v1::ClientMessage m;
    m.mutable_ask_question()->set_text("q");
    auto decided = decider.prepare(*draft_command(m, ann, limits_));
    if (!decided) return decided.error();
    for (Panel* p : {&a, &b}) {
      auto r = p->commit(*decided->event, {});
      if (!r) return r.error();
    }
    return decided->seq;
  };
  EXPECT_TRUE(ask_on(a).has_value());
  EXPECT_TRUE(ask_on(b).has_value());
  auto third = ask_on(a);
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().code, v1::RATE_LIMITED) << "node a counts what node b let through";
  EXPECT_EQ(ask_on(b).error().code, v1::RATE_LIMITED);
  clock_.now += 60'000;
  EXPECT_TRUE(ask_on(b).has_value());
}

TEST_F(PanelQa, ASnapshotWithTheLatestHistoryRestoresThePanel) {
  ASSERT_TRUE(chat("first", ann).has_value());
  auto q1 = ask("one", ann)->seq;
  auto q2 = ask("two", bob, true)->seq;
  v1::ClientMessage vote;
  vote.mutable_vote()->set_question_id(q1);
  auto voted = draft_command(vote, bob, limits_);
  voted->dedup_key = "bob/v1";
  ASSERT_TRUE(panel_.append(*voted).has_value());
  ASSERT_TRUE(simple(mod, [&](auto& m) {
                m.mutable_moderate_question()->set_question_id(q2);
                m.mutable_moderate_question()->set_action(v1::HIGHLIGHT);
              }).has_value());
  ASSERT_TRUE(simple(mod, [&](auto& m) {
                m.mutable_mute_participant()->set_participant_id("ann");
                m.mutable_mute_participant()->set_muted(true);
              }).has_value());
  auto said = chat("gone soon", bob)->seq;
  ASSERT_TRUE(
      simple(mod, [&](auto& m) { m.mutable_delete_chat()->set_chat_seq(said); }).has_value());
  ASSERT_TRUE(simple(mod, [&](auto& m) { m.mutable_lock_chat()->set_locked(true); }).has_value());

  const auto snap = panel_.snapshot();
  EXPECT_EQ(snap.seq(), panel_.head());
  auto all = panel_.backlog(0, 0)->missed;
  std::vector<v1::Event> last_three;
  for (auto it = all.end() - 3; it != all.end(); ++it) last_three.push_back((*it)->event());

  Panel loaded{"nov", settings_, plimits_, clock_};
  ASSERT_TRUE(loaded.restore(snap, last_three).has_value());
  EXPECT_EQ(loaded.head(), panel_.head());
  EXPECT_EQ(loaded.snapshot().SerializeAsString(), snap.SerializeAsString())
      << "the same state, so the same snapshot";
  EXPECT_TRUE(loaded.board().voted(q1, "bob"));
  EXPECT_EQ(loaded.board().find(q2)->state(), panel_.board().find(q2)->state());

  // The gates, the command window and the history came along.
  auto d = *draft_command(vote, bob, limits_);
  d.dedup_key = "bob/v1";
  EXPECT_TRUE(loaded.prepare(d)->duplicate);
  v1::ClientMessage m;
  m.mutable_send_chat()->set_text("still muted");
  EXPECT_EQ(loaded.append(*draft_command(m, ann, limits_)).error().code, v1::MUTED);
  auto resumed = loaded.backlog(panel_.head() - 3, 10, "ann");
  ASSERT_TRUE(resumed.has_value());
  EXPECT_EQ(resumed->resume, v1::RESUMED);
  EXPECT_EQ(resumed->missed.size(), 3u);
  EXPECT_TRUE(resumed->info.you_muted());
  EXPECT_TRUE(resumed->info.chat_locked());
  ASSERT_EQ(resumed->muted.size(), 1u);
  EXPECT_EQ(resumed->muted[0].display_name(), "name-ann") << "the mute's name came along";
  EXPECT_EQ(loaded.backlog(1, 10)->resume, v1::RESUME_TOO_OLD) << "older than what came along";

  // And it goes on from there like the original.
  auto next = panel_.prepare(*draft_command(vote, pat, limits_));
  ASSERT_TRUE(next.has_value() && next->event);
  ASSERT_TRUE(loaded.commit(*next->event, {}).has_value());
  EXPECT_EQ(loaded.board().find(q1)->votes(), 2u);
}

TEST_F(PanelQa, RestoreRefusesAHistoryThatDoesNotEndAtTheSnapshot) {
  ASSERT_TRUE(chat("a", ann).has_value());
  ASSERT_TRUE(chat("b", ann).has_value());
  auto snap = panel_.snapshot();
  auto first = panel_.backlog(0, 0)->missed.front()->event();
  Panel loaded{"nov", settings_, plimits_, clock_};
  auto r = loaded.restore(snap, {first});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::INTERNAL);
  EXPECT_EQ(loaded.head(), 0u) << "nothing changed";
  ASSERT_TRUE(loaded.restore(snap, {}).has_value());
  EXPECT_FALSE(loaded.restore(snap, {}).has_value()) << "only into a fresh panel";
}

// Named in the room and in the forum are two choices, each the asker's: the
// leftover follows the forum choice, merges keep each one's, and nothing a
// moderator does changes them.
TEST_F(PanelQa, TheForumNamesWhomeverChoseToBeNamedThere) {
  auto asked = [&](const v1::Participant& who, bool anonymous, v1::ForumCredit credit) {
    return simple(who, [&](auto& m) {
      m.mutable_ask_question()->set_text("A question from " + who.display_name());
      m.mutable_ask_question()->set_anonymous(anonymous);
      m.mutable_ask_question()->set_forum_credit(credit);
    });
  };
  v1::Participant cy = person("cy"), di = person("di");
  const auto hidden_here_named_there = asked(ann, true, v1::FORUM_NAMED)->seq;
  const auto named_here_hidden_there = asked(bob, false, v1::FORUM_UNNAMED)->seq;
  const auto as_here = asked(cy, true, v1::FORUM_CREDIT_UNSPECIFIED)->seq;
  const auto dup_named_there = asked(di, true, v1::FORUM_NAMED)->seq;
  ASSERT_TRUE(simple(mod, [&](auto& m) {
                m.mutable_merge_questions()->set_duplicate_id(dup_named_there);
                m.mutable_merge_questions()->set_into_id(as_here);
              }).has_value());
  const auto dup_as_here = asked(person("ed"), true, v1::FORUM_CREDIT_UNSPECIFIED)->seq;
  ASSERT_TRUE(simple(mod, [&](auto& m) {
                m.mutable_merge_questions()->set_duplicate_id(dup_as_here);
                m.mutable_merge_questions()->set_into_id(named_here_hidden_there);
              }).has_value());
  EXPECT_EQ(simple(ann,
                   [](auto& m) {
                     m.mutable_ask_question()->set_text("x");
                     m.mutable_ask_question()->set_forum_credit(static_cast<v1::ForumCredit>(7));
                   })
                .error()
                .code,
            v1::INVALID_ARGUMENT);

  auto end = simple(mod, [](auto& m) { m.mutable_end_panel(); });
  ASSERT_TRUE(end.has_value() && end->leftovers);
  std::map<std::uint64_t, v1::Leftover> by_question;
  for (const auto& l : end->leftovers->items()) by_question[l.question_id()] = l;
  ASSERT_EQ(by_question.size(), 3u);
  const auto& a = by_question[hidden_here_named_there];
  EXPECT_FALSE(a.anonymous());
  EXPECT_EQ(a.asker_name(), "name-ann") << "anonymous in the room, named in the forum";
  const auto& b = by_question[named_here_hidden_there];
  EXPECT_TRUE(b.anonymous());
  EXPECT_EQ(b.asker_name(), "") << "named in the room, not in the forum";
  EXPECT_TRUE(b.credited_names().empty()) << "nor ed, merged in, anonymous with no other choice";
  const auto& c = by_question[as_here];
  EXPECT_TRUE(c.anonymous());
  ASSERT_EQ(c.credited_names_size(), 1);
  EXPECT_EQ(c.credited_names(0), "name-di") << "di, merged in, chose to be named in the forum";
  EXPECT_EQ(c.credited(0).id(), "di");

  // In the room the first stays anonymous to others, and who merged in
  // anonymously stays each one's own to see.
  const auto to_bob = redacted_question(*panel_.board().find(hidden_here_named_there), "bob");
  EXPECT_FALSE(to_bob.has_asker());
  EXPECT_EQ(to_bob.forum_credit(), v1::FORUM_CREDIT_UNSPECIFIED);
  const auto* target = panel_.board().find(named_here_hidden_there);
  ASSERT_EQ(target->forum_unnamed_credited_size(), 1);
  EXPECT_EQ(redacted_question(*target, "cy").forum_unnamed_credited_size(), 0);
  EXPECT_EQ(redacted_question(*target, "ed").forum_unnamed_credited_size(), 1);
}

// After the panel, the importer reports where each question went and what
// the forum answered: a moderator's command the end does not close, checked
// like every address a page will link to.
TEST_F(PanelQa, ForumUpdatesFollowTheEndAndOnlySafeAddressesAreTaken) {
  auto q = ask("left over", ann)->seq;
  ASSERT_TRUE(simple(mod, [](auto& m) { m.mutable_end_panel(); }).has_value());
  auto update = [&](const v1::Participant& who, auto set) {
    return simple(who, [&](auto& m) {
      m.mutable_forum_update()->set_question_id(q);
      set(*m.mutable_forum_update());
    });
  };
  const std::string post = "https://forum.example.org/p/1042";
  auto linked = update(mod, [&](auto& u) { u.set_post_url(post); });
  ASSERT_TRUE(linked.has_value()) << linked.error().message;
  EXPECT_EQ(panel_.board().find(q)->forum_url(), post);
  EXPECT_EQ(linked->event->event().questions_changed().change(), v1::CHANGE_FORUM_UPDATED);
  EXPECT_EQ(update(mod, [&](auto& u) { u.set_post_url(post); })->seq, 0u) << "again: unchanged";

  auto answered = update(mod, [&](auto& u) {
    u.mutable_answer()->set_answered_by("Dr.\u200B Bruce Alberts\n");
    u.mutable_answer()->set_url("https://forum.example.org/t/follow-up/7/3");
  });
  ASSERT_TRUE(answered.has_value()) << answered.error().message;
  const auto* after = panel_.board().find(q);
  EXPECT_EQ(after->forum_url(), post) << "the post's address stays";
  EXPECT_EQ(after->forum_answer().answered_by(), "Dr. Bruce Alberts") << "cleaned like a name";
  auto answer_at = [&](const std::string& url) {
    return update(mod, [&](auto& u) {
      u.mutable_answer()->set_answered_by("Dr. Bruce Alberts");
      u.mutable_answer()->set_url(url);
    });
  };
  EXPECT_EQ(answer_at("https://forum.example.org/t/follow-up/7/3")->seq, 0u) << "again: unchanged";
  EXPECT_GT(answer_at("https://forum.example.org/t/follow-up/7/9")->seq, 0u) << "a later answer";
  EXPECT_EQ(panel_.board().find(q)->forum_answer().url(),
            "https://forum.example.org/t/follow-up/7/9");

  EXPECT_EQ(update(ann, [&](auto& u) { u.set_post_url(post); }).error().code, v1::FORBIDDEN);
  EXPECT_EQ(update(pat, [&](auto& u) { u.set_post_url(post); }).error().code, v1::FORBIDDEN);
  for (const std::string bad : {"javascript:alert(1)", "data:text/html,x", "ftp://f/x",
                                "https://forum.example.org/p/1 onmouseover=x", "https://f/\x01"})
    EXPECT_EQ(update(mod, [&](auto& u) { u.set_post_url(bad); }).error().code, v1::INVALID_ARGUMENT)
        << bad;
  EXPECT_EQ(update(mod, [&](auto& u) { u.set_post_url("https://f/" + std::string(500, 'a')); })
                .error()
                .code,
            v1::TOO_LONG);
  EXPECT_EQ(update(mod, [](auto&) {}).error().code, v1::INVALID_ARGUMENT) << "nothing to say";
  EXPECT_EQ(update(mod,
                   [](auto& u) {
                     u.mutable_answer()->set_answered_by("\u200B");
                     u.mutable_answer()->set_url("https://forum.example.org/t/7/3");
                   })
                .error()
                .code,
            v1::INVALID_ARGUMENT)
      << "an answer names who gave it";
  EXPECT_EQ(simple(mod, [](auto& m) { m.mutable_forum_update()->set_post_url("https://f/p/1"); })
                .error()
                .code,
            v1::INVALID_ARGUMENT)
      << "a question is named";
  EXPECT_EQ(update(mod,
                   [&](auto& u) {
                     u.set_question_id(999);
                     u.set_post_url(post);
                   })
                .error()
                .code,
            v1::NOT_FOUND);
  EXPECT_EQ(chat("still closed", mod).error().code, v1::PANEL_ENDED) << "only the follow-up";
}

// A leftover's id names the panel's life, not only its id: a panel made
// again under the same id (an in-memory relay restarted, an id used for next
// month's panel) publishes ids the importer's ledger has never seen.
TEST_F(PanelQa, LeftoverIdsAreUniqueToThisLifeOfThePanel) {
  auto end_with_one = [&](Panel& p) {
    auto q = send_to(p, ann, [](auto& m) { m.mutable_ask_question()->set_text("left over"); });
    EXPECT_TRUE(q.has_value());
    auto end = send_to(p, mod, [](auto& m) { m.mutable_end_panel(); });
    if (!end.has_value() || !end->leftovers || end->leftovers->items_size() != 1) {
      ADD_FAILURE() << "the end did not publish the one leftover";
      return std::string{};
    }
    return end->leftovers->items(0).leftover_id();
  };
  auto first = end_with_one(panel_);
  EXPECT_EQ(first, "nov/1000000/1");
  EXPECT_EQ(panel_.started_at_ms(), 1'000'000);

  clock_.now = 9'000'000;
  Panel again{"nov", settings_, plimits_, clock_};
  EXPECT_EQ(end_with_one(again), "nov/9000000/1") << "the same panel id and question seq";

  // The start travels with a snapshot, and is found again from a whole
  // history when the snapshot was made before it was kept.
  auto snap = panel_.snapshot();
  Panel loaded{"nov", settings_, plimits_, clock_};
  ASSERT_TRUE(loaded.restore(snap, {}).has_value());
  EXPECT_EQ(loaded.started_at_ms(), 1'000'000);
  snap.clear_started_at_ms();
  std::vector<v1::Event> whole;
  const auto all = panel_.backlog(0, 0);
  for (const auto& e : all->missed) whole.push_back(e->event());
  Panel old{"nov", settings_, plimits_, clock_};
  ASSERT_TRUE(old.restore(snap, whole).has_value());
  EXPECT_EQ(old.started_at_ms(), 1'000'000);

  // Without either (an old snapshot, its start trimmed away) the id keeps
  // the form it had before the start was kept: what an old ledger holds.
  EXPECT_EQ(panel_life_id("nov", 0, 7), "nov/7");
}

}  // namespace
}  // namespace panelwire::core
