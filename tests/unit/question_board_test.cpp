// The question queue's state machine: every transition, legal and not,
// vote idempotency, merge arithmetic and leftover selection. Events go
// through resolve() and apply() the way a panel sends them.

#include <map>
#include <variant>

#include <gtest/gtest.h>

#include "test_support.h"

#include "question_board.h"

namespace panelwire::core {
namespace {

using testing_support::person;

class Board : public ::testing::Test {
 protected:
  // Resolves and applies one change; returns the completed event.
  Result<QuestionBoard::Outcome> run(v1::QuestionChange change, const v1::Participant& actor,
                                     v1::Question q, v1::Event* out = nullptr) {
    v1::Event ev;
    *ev.mutable_actor() = actor;
    ev.mutable_questions_changed()->set_change(change);
    *ev.mutable_questions_changed()->add_questions() = std::move(q);
    auto before = board.questions();
    auto r =
        board.resolve(ev, next_seq, 5'000 + static_cast<std::int64_t>(next_seq), pre_moderation);
    EXPECT_EQ(board.questions().size(), before.size()) << "resolve never changes the board";
    if (r && *r == QuestionBoard::Outcome::changed) {
      ev.set_seq(next_seq++);
      board.apply(ev);
      if (out) *out = ev;
    }
    return r;
  }
  std::uint64_t ask(const std::string& text, const v1::Participant& who, bool anonymous = false) {
    v1::Question q;
    q.set_text(text);
    q.set_anonymous(anonymous);
    auto id = next_seq;
    EXPECT_TRUE(run(v1::CHANGE_ASKED, who, q).has_value());
    return id;
  }
  v1::Question by_id(std::uint64_t id) {
    v1::Question q;
    q.set_id(id);
    return q;
  }
  Result<QuestionBoard::Outcome> act(v1::QuestionChange change, std::uint64_t id) {
    return run(change, mod, by_id(id));
  }
  Result<QuestionBoard::Outcome> vote(std::uint64_t id, const v1::Participant& who,
                                      bool withdraw = false) {
    return run(withdraw ? v1::CHANGE_UNVOTED : v1::CHANGE_VOTED, who, by_id(id));
  }
  v1::QuestionState state(std::uint64_t id) { return board.find(id)->state(); }

  QuestionBoard board;
  std::uint64_t next_seq = 1;
  bool pre_moderation = false;
  v1::Participant ann = person("ann"), bob = person("bob"), cid = person("cid");
  v1::Participant mod = person("mod", v1::MODERATOR);
};

TEST_F(Board, AskCreatesAnOpenQuestionIdentifiedByItsSeq) {
  next_seq = 7;
  v1::Event ev;
  v1::Question q;
  q.set_text("What about the mentors?");
  q.set_addressed_to("Dr. Alberts");
  q.set_votes(99);  // a client cannot set its own votes
  ASSERT_TRUE(run(v1::CHANGE_ASKED, ann, q, &ev).has_value());
  const auto& made = ev.questions_changed().questions(0);
  EXPECT_EQ(made.id(), 7u);
  EXPECT_EQ(made.state(), v1::OPEN);
  EXPECT_EQ(made.kind(), v1::QUESTION);
  EXPECT_EQ(made.votes(), 0u);
  EXPECT_EQ(made.asked_at_ms(), 5'007);
  EXPECT_EQ(made.asker().id(), "ann");
  ASSERT_EQ(made.credited_size(), 1);
  EXPECT_EQ(made.credited(0).id(), "ann");
  EXPECT_EQ(board.find(7)->addressed_to(), "Dr. Alberts");
}

TEST_F(Board, PreModeratedQuestionsWaitForApproval) {
  pre_moderation = true;
  auto id = ask("q", ann);
  EXPECT_EQ(state(id), v1::PENDING);
  EXPECT_EQ(vote(id, bob).error().code, v1::NOT_FOUND)
      << "no votes before approval, on a question bob does not know of";
  EXPECT_EQ(vote(id, ann).error().code, v1::INVALID_STATE) << "nor by its asker";
  ASSERT_TRUE(act(v1::CHANGE_APPROVED, id).has_value());
  EXPECT_EQ(state(id), v1::OPEN);
  EXPECT_EQ(act(v1::CHANGE_APPROVED, id).error().code, v1::INVALID_STATE) << "approve once";
}

TEST_F(Board, VotesCountEachVoterOnceAndWithdrawOnce) {
  auto id = ask("q", ann);
  ASSERT_EQ(*vote(id, bob), QuestionBoard::Outcome::changed);
  EXPECT_EQ(*vote(id, bob), QuestionBoard::Outcome::unchanged) << "a second vote is a no-op";
  ASSERT_EQ(*vote(id, cid), QuestionBoard::Outcome::changed);
  EXPECT_EQ(board.find(id)->votes(), 2u);
  EXPECT_TRUE(board.voted(id, "bob"));
  EXPECT_EQ(*vote(id, bob, true), QuestionBoard::Outcome::changed);
  EXPECT_EQ(*vote(id, bob, true), QuestionBoard::Outcome::unchanged);
  EXPECT_EQ(*vote(id, ann, true), QuestionBoard::Outcome::unchanged) << "never voted";
  EXPECT_EQ(board.find(id)->votes(), 1u);
  EXPECT_EQ(board.votes_of("cid"), std::vector<std::uint64_t>{id});
  EXPECT_EQ(vote(99, bob).error().code, v1::NOT_FOUND);
  EXPECT_EQ(vote(0, bob).error().code, v1::INVALID_ARGUMENT);
}

TEST_F(Board, OneQuestionIsAnsweredAtATime) {
  auto a = ask("a", ann), b = ask("b", bob);
  v1::Event ev;
  ASSERT_TRUE(run(v1::CHANGE_HIGHLIGHTED, mod, by_id(a), &ev).has_value());
  EXPECT_EQ(ev.questions_changed().questions_size(), 1);
  EXPECT_EQ(*act(v1::CHANGE_HIGHLIGHTED, a), QuestionBoard::Outcome::unchanged);

  ASSERT_TRUE(run(v1::CHANGE_HIGHLIGHTED, mod, by_id(b), &ev).has_value());
  ASSERT_EQ(ev.questions_changed().questions_size(), 2) << "the previous one goes back, same event";
  EXPECT_EQ(ev.questions_changed().questions(1).id(), a);
  EXPECT_EQ(state(a), v1::OPEN);
  EXPECT_EQ(state(b), v1::ANSWERING);
}

TEST_F(Board, AnswerDismissRestore) {
  auto a = ask("a", ann);
  v1::Question answer = by_id(a);
  answer.set_answer_text("See chapter 3.");
  ASSERT_TRUE(run(v1::CHANGE_ANSWERED, mod, answer).has_value());
  EXPECT_EQ(state(a), v1::ANSWERED);
  EXPECT_EQ(board.find(a)->answer_text(), "See chapter 3.");
  EXPECT_EQ(act(v1::CHANGE_ANSWERED, a).error().code, v1::INVALID_STATE);
  EXPECT_EQ(act(v1::CHANGE_HIGHLIGHTED, a).error().code, v1::INVALID_STATE);
  EXPECT_EQ(vote(a, bob).error().code, v1::INVALID_STATE);

  ASSERT_TRUE(act(v1::CHANGE_DISMISSED, a).has_value());
  EXPECT_EQ(state(a), v1::DISMISSED);
  EXPECT_EQ(*act(v1::CHANGE_DISMISSED, a), QuestionBoard::Outcome::unchanged);
  ASSERT_TRUE(act(v1::CHANGE_RESTORED, a).has_value());
  EXPECT_EQ(state(a), v1::ANSWERED) << "restored to where it was";
  EXPECT_EQ(act(v1::CHANGE_RESTORED, a).error().code, v1::INVALID_STATE);

  auto b = ask("b", bob);
  ASSERT_TRUE(act(v1::CHANGE_HIGHLIGHTED, b).has_value());
  ASSERT_TRUE(act(v1::CHANGE_DISMISSED, b).has_value());
  ASSERT_TRUE(act(v1::CHANGE_RESTORED, b).has_value());
  EXPECT_EQ(state(b), v1::OPEN) << "a restored question is no longer the one being answered";
  auto c = ask("c", cid);
  ASSERT_TRUE(act(v1::CHANGE_HIGHLIGHTED, c).has_value());
  EXPECT_EQ(state(b), v1::OPEN);
}

TEST_F(Board, MergeCombinesVotesWithoutDoubleCountingAndCreditsEveryone) {
  auto a = ask("How do I find a mentor?", ann);
  auto b = ask("Finding mentors?", bob, true);
  vote(a, cid);
  vote(a, mod);
  vote(b, cid);  // voted for both: counts once
  vote(b, ann);
  v1::Question m = by_id(b);
  m.set_merged_into(a);
  v1::Event ev;
  ASSERT_TRUE(run(v1::CHANGE_MERGED, mod, m, &ev).has_value());
  ASSERT_EQ(ev.questions_changed().questions_size(), 2);
  EXPECT_EQ(state(b), v1::MERGED);
  EXPECT_EQ(board.find(b)->merged_into(), a);
  EXPECT_EQ(board.find(a)->votes(), 3u) << "cid, mod, ann";
  ASSERT_EQ(board.find(a)->credited_size(), 2);
  EXPECT_EQ(board.find(a)->credited(1).id(), "bob");
  ASSERT_EQ(board.find(a)->anonymous_credited_size(), 1) << "bob asked anonymously";
  EXPECT_EQ(board.find(a)->anonymous_credited(0), "bob");
  EXPECT_EQ(*vote(a, cid), QuestionBoard::Outcome::unchanged) << "the voter set moved along";
  EXPECT_EQ(*vote(a, bob), QuestionBoard::Outcome::changed);
  EXPECT_EQ(board.find(a)->votes(), 4u);

  m.set_merged_into(a);
  EXPECT_EQ(run(v1::CHANGE_MERGED, mod, m).error().code, v1::INVALID_STATE) << "merged once";
  EXPECT_EQ(act(v1::CHANGE_DISMISSED, b).error().code, v1::INVALID_STATE);
  v1::Question self = by_id(a);
  self.set_merged_into(a);
  EXPECT_EQ(run(v1::CHANGE_MERGED, mod, self).error().code, v1::INVALID_ARGUMENT);
  v1::Question ghost = by_id(a);
  ghost.set_merged_into(77);
  EXPECT_EQ(run(v1::CHANGE_MERGED, mod, ghost).error().code, v1::NOT_FOUND);
}

TEST_F(Board, LeftoversAreTheOpenOnesAndWhatWasMarkedForTheForum) {
  pre_moderation = true;
  auto pending = ask("pending", ann);
  pre_moderation = false;
  auto open = ask("open", ann);
  auto answering = ask("answering", bob);
  auto answered = ask("answered", cid);
  auto dismissed = ask("dismissed", cid);
  auto merged = ask("merged", bob);
  auto sent = ask("sent during the panel", ann);
  act(v1::CHANGE_HIGHLIGHTED, answering);
  act(v1::CHANGE_ANSWERED, answered);
  act(v1::CHANGE_DISMISSED, dismissed);
  v1::Question m = by_id(merged);
  m.set_merged_into(open);
  run(v1::CHANGE_MERGED, mod, m);
  ASSERT_TRUE(act(v1::CHANGE_SENT_TO_FORUM, sent).has_value());
  EXPECT_TRUE(board.find(sent)->published()) << "published at once during the panel";
  EXPECT_EQ(*act(v1::CHANGE_SENT_TO_FORUM, sent), QuestionBoard::Outcome::unchanged);
  (void)pending;

  EXPECT_EQ(board.leftovers(), (std::vector<std::uint64_t>{open, answering}));

  // An answered question a moderator wants in the forum anyway: marked, and
  // published immediately, so it is not a leftover a second time.
  ASSERT_TRUE(act(v1::CHANGE_SENT_TO_FORUM, answered).has_value());
  EXPECT_EQ(board.leftovers(), (std::vector<std::uint64_t>{open, answering}));

  v1::Event end;
  end.set_seq(next_seq++);
  for (auto id : board.leftovers()) end.mutable_panel_ended()->add_leftover_ids(id);
  board.apply(end);
  EXPECT_TRUE(board.leftovers().empty()) << "a second end publishes nothing more";
}

TEST_F(Board, PromotedChatIsAnOpenCommentCreditedToItsAuthor) {
  pre_moderation = true;
  v1::Question q;
  q.set_text("Here is my comment from the chat");
  *q.mutable_asker() = bob;
  q.set_chat_seq(3);
  q.set_for_forum(true);
  v1::Event ev;
  ASSERT_TRUE(run(v1::CHANGE_PROMOTED, mod, q, &ev).has_value());
  const auto& made = ev.questions_changed().questions(0);
  EXPECT_EQ(made.kind(), v1::CHAT_COMMENT);
  EXPECT_EQ(made.state(), v1::OPEN) << "a moderator's choice needs no approval";
  EXPECT_EQ(made.asker().id(), "bob") << "credited to the author, not the moderator";
  EXPECT_EQ(made.credited(0).id(), "bob");
  EXPECT_TRUE(made.published()) << "sent to the forum at once";
}

// Every moderation action and a vote, from every state: the outcome is a
// new state, "unchanged", or INVALID_STATE, and a refusal changes nothing.
TEST_F(Board, EveryTransitionFromEveryState) {
  using S = v1::QuestionState;
  enum Result { invalid, unchanged };
  struct Case {
    v1::QuestionChange change;
    std::map<S, std::variant<S, Result>> outcome;
  };
  const std::vector<Case> table = {
      {v1::CHANGE_APPROVED,
       {{v1::PENDING, v1::OPEN},
        {v1::OPEN, invalid},
        {v1::ANSWERING, invalid},
        {v1::ANSWERED, invalid},
        {v1::DISMISSED, invalid},
        {v1::MERGED, invalid}}},
      {v1::CHANGE_DISMISSED,
       {{v1::PENDING, v1::DISMISSED},
        {v1::OPEN, v1::DISMISSED},
        {v1::ANSWERING, v1::DISMISSED},
        {v1::ANSWERED, v1::DISMISSED},
        {v1::DISMISSED, unchanged},
        {v1::MERGED, invalid}}},
      {v1::CHANGE_RESTORED,
       {{v1::PENDING, invalid},
        {v1::OPEN, invalid},
        {v1::ANSWERING, invalid},
        {v1::ANSWERED, invalid},
        {v1::DISMISSED, v1::OPEN},
        {v1::MERGED, invalid}}},
      {v1::CHANGE_HIGHLIGHTED,
       {{v1::PENDING, invalid},
        {v1::OPEN, v1::ANSWERING},
        {v1::ANSWERING, unchanged},
        {v1::ANSWERED, invalid},
        {v1::DISMISSED, invalid},
        {v1::MERGED, invalid}}},
      {v1::CHANGE_ANSWERED,
       {{v1::PENDING, invalid},
        {v1::OPEN, v1::ANSWERED},
        {v1::ANSWERING, v1::ANSWERED},
        {v1::ANSWERED, invalid},
        {v1::DISMISSED, invalid},
        {v1::MERGED, invalid}}},
      {v1::CHANGE_SENT_TO_FORUM,
       {{v1::PENDING, v1::PENDING},
        {v1::OPEN, v1::OPEN},
        {v1::ANSWERING, v1::ANSWERING},
        {v1::ANSWERED, v1::ANSWERED},
        {v1::DISMISSED, v1::DISMISSED},
        {v1::MERGED, invalid}}},
      {v1::CHANGE_VOTED,
       {{v1::PENDING, invalid},
        {v1::OPEN, v1::OPEN},
        {v1::ANSWERING, v1::ANSWERING},
        {v1::ANSWERED, invalid},
        {v1::DISMISSED, invalid},
        {v1::MERGED, invalid}}},
  };
  // A fresh board with one question in `state`; returns its id.
  auto prepare = [&](S state) {
    board = QuestionBoard();
    next_seq = 1;
    pre_moderation = state == v1::PENDING;
    auto id = ask("q", ann);
    pre_moderation = false;
    if (state == v1::ANSWERING) act(v1::CHANGE_HIGHLIGHTED, id);
    if (state == v1::ANSWERED) act(v1::CHANGE_ANSWERED, id);
    if (state == v1::DISMISSED) act(v1::CHANGE_DISMISSED, id);
    if (state == v1::MERGED) {
      auto other = ask("other", bob);
      v1::Question m = by_id(id);
      m.set_merged_into(other);
      run(v1::CHANGE_MERGED, mod, m);
    }
    EXPECT_EQ(board.find(id)->state(), state);
    return id;
  };
  for (const auto& c : table) {
    for (const auto& [from, expected] : c.outcome) {
      auto id = prepare(from);
      auto before = board.find(id)->SerializeAsString();
      // The asker votes: someone else would not know of a pending question.
      auto who = c.change == v1::CHANGE_VOTED ? ann : mod;
      auto r = run(c.change, who, by_id(id));
      auto label = v1::QuestionChange_Name(c.change) + " from " + v1::QuestionState_Name(from);
      if (std::holds_alternative<Result>(expected)) {
        if (std::get<Result>(expected) == invalid) {
          ASSERT_FALSE(r.has_value()) << label;
          EXPECT_EQ(r.error().code, v1::INVALID_STATE) << label;
        } else {
          ASSERT_TRUE(r.has_value()) << label;
          EXPECT_EQ(*r, QuestionBoard::Outcome::unchanged) << label;
        }
        EXPECT_EQ(board.find(id)->SerializeAsString(), before) << label << " changed nothing";
      } else {
        ASSERT_TRUE(r.has_value()) << label << ": " << r.error().message;
        EXPECT_EQ(board.find(id)->state(), std::get<S>(expected)) << label;
      }
    }
  }
}

TEST_F(Board, ReplayingTheEventsRebuildsTheSameBoard) {
  std::vector<v1::Event> log;
  auto record = [&](v1::QuestionChange c, const v1::Participant& who, v1::Question q) {
    v1::Event ev;
    if (run(c, who, std::move(q), &ev) && ev.seq()) log.push_back(ev);
  };
  v1::Question q;
  q.set_text("a");
  record(v1::CHANGE_ASKED, ann, q);
  record(v1::CHANGE_ASKED, bob, q);
  record(v1::CHANGE_VOTED, cid, by_id(1));
  record(v1::CHANGE_VOTED, ann, by_id(2));
  record(v1::CHANGE_HIGHLIGHTED, mod, by_id(2));
  v1::Question m = by_id(2);
  m.set_merged_into(1);
  record(v1::CHANGE_MERGED, mod, m);

  QuestionBoard replica;
  for (const auto& ev : log) replica.apply(ev);
  ASSERT_EQ(replica.questions().size(), board.questions().size());
  for (const auto& [id, q] : board.questions())
    EXPECT_EQ(replica.find(id)->SerializeAsString(), q.SerializeAsString()) << id;
  EXPECT_EQ(replica.votes_of("ann"), board.votes_of("ann"));
  EXPECT_EQ(replica.leftovers(), board.leftovers());
}

}  // namespace
}  // namespace panelwire::core
