// Panel: sequencing, command de-duplication, rules, bounded history and
// what a (re)joining client gets.

#include <gtest/gtest.h>

#include "test_support.h"

#include <string>
#include <vector>

#include "panel.h"

namespace panelwire::core {
namespace {

using testing_support::FixedClock;
using testing_support::ok;

Draft chat(const std::string& text, std::string key = {}) {
  Draft d;
  d.dedup_key = std::move(key);
  d.event.mutable_chat_posted()->set_text(text);
  return d;
}

Draft delete_of(std::uint64_t seq, std::string key = {}) {
  Draft d;
  d.dedup_key = std::move(key);
  d.event.mutable_chat_deleted()->set_chat_seq(seq);
  return d;
}

std::vector<std::uint64_t> seqs(const std::vector<EventPtr>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e->seq());
  return out;
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (auto s = first; s <= last; ++s) out.push_back(s);
  return out;
}

class PanelTest : public ::testing::Test {
 protected:
  FixedClock clock_;
  PanelLimits limits_;
};

TEST_F(PanelTest, SeqRisesByOneAndTimeIsStamped) {
  Panel p("p", {}, limits_, clock_);
  EXPECT_EQ(p.id(), "p");
  EXPECT_EQ(p.head(), 0u);
  for (std::uint64_t i = 1; i <= 5; ++i) {
    clock_.now = 1'000 + static_cast<std::int64_t>(i);
    auto d = chat("m");
    d.event.set_seq(99);  // only the panel numbers and stamps events
    d.event.set_at_ms(5);
    auto r = p.append(std::move(d));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->seq, i);
    EXPECT_FALSE(r->duplicate);
    ASSERT_NE(r->event, nullptr);
    EXPECT_EQ(r->event->seq(), i);
    EXPECT_EQ(r->event->event().at_ms(), clock_.now);
    EXPECT_EQ(r->event->panel_id(), "p");
    EXPECT_EQ(r->event->event().chat_posted().text(), "m");
  }
  EXPECT_EQ(p.head(), 5u);
}

TEST_F(PanelTest, RetriedCommandGetsTheFirstSeqAndChangesNothing) {
  Panel p("p", {}, limits_, clock_);
  ASSERT_EQ(ok(p.append(chat("a", "k1"))).seq, 1u);
  ASSERT_EQ(ok(p.append(chat("b", "k2"))).seq, 2u);
  auto again = p.append(chat("a", "k1"));
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->seq, 1u);
  EXPECT_EQ(again->event, nullptr);
  EXPECT_EQ(p.head(), 2u);
  EXPECT_EQ(ok(p.append(chat("c"))).seq, 3u) << "no key, no de-duplication";
  EXPECT_EQ(ok(p.append(chat("c"))).seq, 4u);
  EXPECT_EQ(seqs(ok(p.backlog(0, 0)).missed), range(1, 4)) << "the retry left no event behind";
}

TEST_F(PanelTest, RetryIsRecognisedByKeyAlone) {
  // A retry is the same command by definition; its body is not compared,
  // and a retried delete is not refused as "already deleted".
  const std::string key = std::string("client") + '\x1f' + "d1";
  Panel p("p", {}, limits_, clock_);
  p.append(chat("a"));
  ASSERT_EQ(ok(p.append(delete_of(1, key))).seq, 2u);
  auto retry = p.append(delete_of(1, key));
  ASSERT_TRUE(retry.has_value()) << "the retry gets the first answer, not NOT_FOUND";
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->seq, 2u);
  auto other_body = p.append(chat("different text", key));
  ASSERT_TRUE(other_body.has_value());
  EXPECT_TRUE(other_body->duplicate);
  EXPECT_EQ(other_body->seq, 2u);
  EXPECT_FALSE(ok(p.append(chat("x", std::string("client") + '\x1f' + "D1"))).duplicate)
      << "keys are case-sensitive";
  EXPECT_FALSE(ok(p.append(chat("x", std::string("other") + '\x1f' + "d1"))).duplicate)
      << "the same command id from another client is another command";
  EXPECT_EQ(p.head(), 4u);
}

TEST_F(PanelTest, ARefusedCommandIsNotRemembered) {
  // Nothing was applied, so a retry is judged afresh.
  Panel p("p", {}, limits_, clock_);
  auto first = p.append(delete_of(1, "k"));
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code, v1::NOT_FOUND);
  p.append(chat("a"));
  auto retry = p.append(delete_of(1, "k"));
  ASSERT_TRUE(retry.has_value());
  EXPECT_FALSE(retry->duplicate);
  EXPECT_EQ(retry->seq, 2u);
}

TEST_F(PanelTest, DedupOutlivesHistory) {
  // The command window, not history, bounds retries: a command whose event
  // was evicted is still not applied twice.
  limits_.history_events = 1;
  Panel p("p", {}, limits_, clock_);
  p.append(chat("a", "k1"));
  for (int i = 0; i < 5; ++i) p.append(chat("m"));
  auto again = p.append(chat("a", "k1"));
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->seq, 1u);
  EXPECT_EQ(p.head(), 6u);
}

TEST_F(PanelTest, CommandWindowForgetsTheOldestKey) {
  limits_.command_window = {.per_client = 2, .clients = 8};
  Panel p("p", {}, limits_, clock_);
  p.append(chat("a", "k1"));
  p.append(chat("b", "k2"));
  p.append(chat("c", "k3"));
  EXPECT_FALSE(ok(p.append(chat("a", "k1"))).duplicate) << "k1 fell out of the window";
  EXPECT_TRUE(ok(p.append(chat("c", "k3"))).duplicate);
}

TEST_F(PanelTest, DeleteFollowsTheRules) {
  Panel p("p", {}, limits_, clock_);
  p.append(chat("a"));
  auto missing = p.append(delete_of(9));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, v1::NOT_FOUND);

  auto del = p.append(delete_of(1));
  ASSERT_TRUE(del.has_value());
  EXPECT_EQ(del->seq, 2u);
  auto twice = p.append(delete_of(1));
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, v1::NOT_FOUND);
  auto not_chat = p.append(delete_of(2));
  ASSERT_FALSE(not_chat.has_value()) << "seq 2 is a deletion, not a chat message";
  EXPECT_EQ(not_chat.error().code, v1::NOT_FOUND);
  EXPECT_EQ(p.head(), 2u) << "refused commands take no seq";

  Draft empty;
  auto r = p.append(empty);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::INTERNAL);
}

TEST_F(PanelTest, DeleteOnTheEdgesOfTheSeqRange) {
  Panel p("p", {}, limits_, clock_);
  EXPECT_EQ(p.append(delete_of(1)).error().code, v1::NOT_FOUND) << "an empty panel";
  p.append(chat("a"));
  p.append(chat("b"));
  EXPECT_EQ(p.append(delete_of(0)).error().code, v1::NOT_FOUND) << "seqs start at 1";
  EXPECT_EQ(p.append(delete_of(3)).error().code, v1::NOT_FOUND) << "one past head";
  EXPECT_EQ(p.append(delete_of(18'446'744'073'709'551'615ull)).error().code, v1::NOT_FOUND);
  EXPECT_EQ(ok(p.append(delete_of(2))).seq, 3u) << "head itself";
  EXPECT_EQ(ok(p.append(delete_of(1))).seq, 4u) << "the oldest";
}

TEST_F(PanelTest, FreshJoinGetsRecentVisibleChatOldestFirst) {
  Panel p("p", {}, limits_, clock_);
  for (int i = 1; i <= 6; ++i) p.append(chat("m" + std::to_string(i)));
  p.append(delete_of(5));
  auto b = p.backlog(std::nullopt, 3);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->resume, v1::FRESH);
  EXPECT_EQ(b->head, 7u);
  EXPECT_TRUE(b->missed.empty());
  EXPECT_EQ(seqs(b->recent_chat), (std::vector<std::uint64_t>{3, 4, 6}));
  EXPECT_EQ(b->recent_chat.front()->event().chat_posted().text(), "m3");
  EXPECT_TRUE(ok(p.backlog(std::nullopt, 0)).recent_chat.empty());
  EXPECT_EQ(seqs(ok(p.backlog(std::nullopt, 100)).recent_chat),
            (std::vector<std::uint64_t>{1, 2, 3, 4, 6}))
      << "asking for more than there is gives all of it";
}

TEST_F(PanelTest, ResumeGetsExactlyTheEventsAfterThePoint) {
  Panel p("p", {}, limits_, clock_);
  for (int i = 0; i < 10; ++i) p.append(chat("m"));
  auto b = p.backlog(7, 5);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->resume, v1::RESUMED);
  EXPECT_EQ(seqs(b->missed), (std::vector<std::uint64_t>{8, 9, 10}));
  EXPECT_TRUE(b->recent_chat.empty()) << "a resumed client already has the chat";

  EXPECT_TRUE(ok(p.backlog(10, 5)).missed.empty()) << "up to date";
  EXPECT_EQ(ok(p.backlog(0, 5)).missed.size(), 10u) << "from the very start";

  auto ahead = p.backlog(11, 5);
  ASSERT_FALSE(ahead.has_value());
  EXPECT_EQ(ahead.error().code, v1::INVALID_ARGUMENT);
}

TEST_F(PanelTest, EveryResumePointGetsEverySeqAfterItOnce) {
  // No loss, no duplicates, in order, from every point the history covers.
  Panel p("p", {}, limits_, clock_);
  std::vector<EventPtr> appended;
  for (int i = 0; i < 12; ++i) {
    auto r = i % 4 == 3 ? p.append(delete_of(static_cast<std::uint64_t>(i))) : p.append(chat("m"));
    ASSERT_TRUE(r.has_value()) << i;
    appended.push_back(r->event);
  }
  for (std::uint64_t after = 0; after <= p.head(); ++after) {
    auto b = p.backlog(after, 5);
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->resume, v1::RESUMED);
    EXPECT_EQ(b->head, 12u);
    ASSERT_EQ(seqs(b->missed), range(after + 1, 12)) << after;
    for (std::size_t i = 0; i < b->missed.size(); ++i)
      EXPECT_EQ(b->missed[i].get(), appended[after + i].get()) << "the same shared event";
  }
}

TEST_F(PanelTest, JoiningAnEmptyPanel) {
  Panel p("p", {}, limits_, clock_);
  auto b = p.backlog(0, 5);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->resume, v1::RESUMED);
  EXPECT_TRUE(b->missed.empty());
  EXPECT_EQ(p.backlog(1, 5).error().code, v1::INVALID_ARGUMENT);
  auto fresh = p.backlog(std::nullopt, 10);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->resume, v1::FRESH);
  EXPECT_EQ(fresh->head, 0u);
  EXPECT_TRUE(fresh->recent_chat.empty());
}

TEST_F(PanelTest, HistoryIsBoundedByCountAndResumeBeyondItSaysSo) {
  limits_.history_events = 4;
  Panel p("p", {}, limits_, clock_);
  for (int i = 1; i <= 10; ++i) p.append(chat("m" + std::to_string(i)));
  // 7..10 kept: resuming after 6 still works, after 5 does not.
  EXPECT_EQ(seqs(ok(p.backlog(6, 5)).missed), (std::vector<std::uint64_t>{7, 8, 9, 10}));
  auto old = p.backlog(5, 2);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->resume, v1::RESUME_TOO_OLD);
  EXPECT_TRUE(old->missed.empty());
  EXPECT_EQ(seqs(old->recent_chat), (std::vector<std::uint64_t>{9, 10}));
  EXPECT_EQ(old->head, 10u);
  EXPECT_EQ(ok(p.backlog(0, 2)).resume, v1::RESUME_TOO_OLD);
  EXPECT_EQ(seqs(ok(p.backlog(std::nullopt, 10)).recent_chat), range(7, 10)) << "evicted is gone";
}

TEST_F(PanelTest, HistoryExactlyAtTheEventLimitKeepsEverything) {
  limits_.history_events = 4;
  Panel p("p", {}, limits_, clock_);
  for (int i = 0; i < 4; ++i) p.append(chat("m"));
  EXPECT_EQ(seqs(ok(p.backlog(0, 0)).missed), range(1, 4)) << "at the limit nothing is evicted";
  p.append(chat("m"));
  EXPECT_EQ(ok(p.backlog(0, 0)).resume, v1::RESUME_TOO_OLD) << "one over evicts seq 1";
  EXPECT_EQ(seqs(ok(p.backlog(1, 0)).missed), range(2, 5));
}

TEST_F(PanelTest, HistoryByteLimitIsInclusive) {
  Panel probe("p", {}, limits_, clock_);
  auto weight = ok(probe.append(chat(std::string(50, 'x')))).event->weight();
  for (auto [budget, kept] : {std::pair{weight * 3, 3u}, std::pair{weight * 3 - 1, 2u}}) {
    limits_.history_bytes = budget;
    Panel p("p", {}, limits_, clock_);
    for (int i = 0; i < 6; ++i) {
      auto r = p.append(chat(std::string(50, 'x')));
      ASSERT_EQ(r->event->weight(), weight) << "equal events weigh the same";
    }
    EXPECT_EQ(seqs(ok(p.backlog(6 - kept, 0)).missed), range(7 - kept, 6)) << budget;
    EXPECT_EQ(ok(p.backlog(5 - kept, 0)).resume, v1::RESUME_TOO_OLD) << budget;
  }
}

TEST_F(PanelTest, ByteEvictionCountsTheRealSizeOfEachEvent) {
  // One large message pushes out as many small ones as its weight needs.
  Panel probe("p", {}, limits_, clock_);
  auto small = ok(probe.append(chat("s"))).event->weight();
  limits_.history_bytes = small * 4;
  Panel p("p", {}, limits_, clock_);
  for (int i = 0; i < 4; ++i) p.append(chat("s"));
  EXPECT_EQ(ok(p.backlog(0, 0)).resume, v1::RESUMED) << "four fit exactly";
  auto big = ok(p.append(chat(std::string(small / 4, 'x')))).event->weight();
  ASSERT_GT(big, small);
  ASSERT_LE(big, small * 4);
  const std::uint64_t evicted = (big + small - 1) / small;
  EXPECT_EQ(seqs(ok(p.backlog(evicted, 0)).missed), range(evicted + 1, 5));
  EXPECT_EQ(ok(p.backlog(evicted - 1, 0)).resume, v1::RESUME_TOO_OLD);
}

TEST_F(PanelTest, AnEventOverTheByteBudgetIsNotKept) {
  // Still sequenced and returned; only history cannot hold it.
  Panel probe("p", {}, limits_, clock_);
  limits_.history_bytes = ok(probe.append(chat("s"))).event->weight();
  Panel p("p", {}, limits_, clock_);
  ASSERT_EQ(ok(p.append(chat("s"))).seq, 1u);
  auto big = p.append(chat(std::string(500, 'x')));
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->seq, 2u);
  ASSERT_NE(big->event, nullptr);
  EXPECT_EQ(ok(p.backlog(2, 0)).resume, v1::RESUMED) << "up to date needs no history";
  EXPECT_EQ(ok(p.backlog(1, 0)).resume, v1::RESUME_TOO_OLD);
  EXPECT_TRUE(ok(p.backlog(std::nullopt, 10)).recent_chat.empty());
  EXPECT_EQ(ok(p.append(chat("s"))).seq, 3u);
  EXPECT_EQ(seqs(ok(p.backlog(2, 0)).missed), (std::vector<std::uint64_t>{3}));
}

TEST_F(PanelTest, DeletingAMessageThatLeftHistoryIsNotFound) {
  limits_.history_events = 2;
  Panel p("p", {}, limits_, clock_);
  for (int i = 0; i < 5; ++i) p.append(chat("m"));
  auto r = p.append(delete_of(1));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::NOT_FOUND);
  EXPECT_EQ(ok(p.append(delete_of(4))).seq, 6u) << "still in history";
}

TEST_F(PanelTest, TooOldResumeGetsTheVisibleChatOnly) {
  limits_.history_events = 5;
  Panel p("p", {}, limits_, clock_);
  for (int i = 0; i < 6; ++i) p.append(chat("m"));
  p.append(delete_of(6));  // 7
  p.append(chat("m"));     // 8
  auto b = p.backlog(1, 10);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->resume, v1::RESUME_TOO_OLD);
  EXPECT_EQ(seqs(b->recent_chat), (std::vector<std::uint64_t>{4, 5, 8}));
}

}  // namespace
}  // namespace panelwire::core
