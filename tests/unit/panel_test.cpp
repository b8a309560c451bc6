// Panel: sequencing, command de-duplication, rules, bounded history and
// what a (re)joining client gets.

#include <gtest/gtest.h>

#include "chat.h"
#include "panel.h"

namespace panelwire::core {
namespace {

class FixedClock final : public Clock {
 public:
  std::int64_t now_ms() const override { return now; }
  std::int64_t now = 1'000;
};

Draft chat(const std::string& text, std::string key = {}) {
  Draft d;
  d.dedup_key = std::move(key);
  d.event.mutable_chat_posted()->set_text(text);
  return d;
}

Draft delete_of(std::uint64_t seq) {
  Draft d;
  d.event.mutable_chat_deleted()->set_chat_seq(seq);
  return d;
}

std::vector<std::uint64_t> seqs(const std::vector<EventPtr>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e->seq());
  return out;
}

class PanelTest : public ::testing::Test {
 protected:
  FixedClock clock_;
  PanelLimits limits_;
};

TEST_F(PanelTest, SeqRisesByOneAndTimeIsStamped) {
  Panel p("p", limits_, clock_);
  EXPECT_EQ(p.head(), 0u);
  for (std::uint64_t i = 1; i <= 5; ++i) {
    clock_.now = 1'000 + static_cast<std::int64_t>(i);
    auto r = p.append(chat("m"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->seq, i);
    EXPECT_FALSE(r->duplicate);
    ASSERT_NE(r->event, nullptr);
    EXPECT_EQ(r->event->seq(), i);
    EXPECT_EQ(r->event->event().at_ms(), clock_.now);
    EXPECT_EQ(r->event->panel_id(), "p");
  }
  EXPECT_EQ(p.head(), 5u);
}

TEST_F(PanelTest, RetriedCommandGetsTheFirstSeqAndChangesNothing) {
  Panel p("p", limits_, clock_);
  ASSERT_EQ(p.append(chat("a", "k1"))->seq, 1u);
  ASSERT_EQ(p.append(chat("b", "k2"))->seq, 2u);
  auto again = p.append(chat("a", "k1"));
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->seq, 1u);
  EXPECT_EQ(again->event, nullptr);
  EXPECT_EQ(p.head(), 2u);
  EXPECT_EQ(p.append(chat("c"))->seq, 3u) << "no key, no de-duplication";
  EXPECT_EQ(p.append(chat("c"))->seq, 4u);
}

TEST_F(PanelTest, CommandWindowForgetsTheOldestKey) {
  limits_.command_window = 2;
  Panel p("p", limits_, clock_);
  p.append(chat("a", "k1"));
  p.append(chat("b", "k2"));
  p.append(chat("c", "k3"));
  EXPECT_FALSE(p.append(chat("a", "k1"))->duplicate) << "k1 fell out of the window";
  EXPECT_TRUE(p.append(chat("c", "k3"))->duplicate);
}

TEST_F(PanelTest, DeleteFollowsTheRules) {
  Panel p("p", limits_, clock_);
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

TEST_F(PanelTest, FreshJoinGetsRecentVisibleChatOldestFirst) {
  Panel p("p", limits_, clock_);
  for (int i = 1; i <= 6; ++i) p.append(chat("m" + std::to_string(i)));
  p.append(delete_of(5));
  auto b = p.backlog(std::nullopt, 3);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->resume, v1::FRESH);
  EXPECT_EQ(b->head, 7u);
  EXPECT_TRUE(b->missed.empty());
  EXPECT_EQ(seqs(b->recent_chat), (std::vector<std::uint64_t>{3, 4, 6}));
  EXPECT_TRUE(p.backlog(std::nullopt, 0)->recent_chat.empty());
}

TEST_F(PanelTest, ResumeGetsExactlyTheEventsAfterThePoint) {
  Panel p("p", limits_, clock_);
  for (int i = 0; i < 10; ++i) p.append(chat("m"));
  auto b = p.backlog(7, 5);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->resume, v1::RESUMED);
  EXPECT_EQ(seqs(b->missed), (std::vector<std::uint64_t>{8, 9, 10}));
  EXPECT_TRUE(b->recent_chat.empty()) << "a resumed client already has the chat";

  EXPECT_TRUE(p.backlog(10, 5)->missed.empty()) << "up to date";
  EXPECT_EQ(p.backlog(0, 5)->missed.size(), 10u) << "from the very start";

  auto ahead = p.backlog(11, 5);
  ASSERT_FALSE(ahead.has_value());
  EXPECT_EQ(ahead.error().code, v1::INVALID_ARGUMENT);
}

TEST_F(PanelTest, ResumeOnAnEmptyPanel) {
  Panel p("p", limits_, clock_);
  auto b = p.backlog(0, 5);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->resume, v1::RESUMED);
  EXPECT_TRUE(b->missed.empty());
}

TEST_F(PanelTest, HistoryIsBoundedByCountAndResumeBeyondItSaysSo) {
  limits_.history_events = 4;
  Panel p("p", limits_, clock_);
  for (int i = 1; i <= 10; ++i) p.append(chat("m" + std::to_string(i)));
  // 7..10 kept: resuming after 6 still works, after 5 does not.
  EXPECT_EQ(seqs(p.backlog(6, 5)->missed), (std::vector<std::uint64_t>{7, 8, 9, 10}));
  auto old = p.backlog(5, 2);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->resume, v1::RESUME_TOO_OLD);
  EXPECT_TRUE(old->missed.empty());
  EXPECT_EQ(seqs(old->recent_chat), (std::vector<std::uint64_t>{9, 10}));
  EXPECT_EQ(old->head, 10u);
}

TEST_F(PanelTest, HistoryIsBoundedByBytes) {
  Panel probe("p", limits_, clock_);
  auto weight = probe.append(chat(std::string(100, 'x')))->event->weight();
  limits_.history_bytes = weight * 3;
  Panel p("p", limits_, clock_);
  for (int i = 0; i < 10; ++i) p.append(chat(std::string(100, 'x')));
  EXPECT_EQ(p.backlog(7, 5)->resume, v1::RESUMED);
  EXPECT_EQ(p.backlog(6, 5)->resume, v1::RESUME_TOO_OLD);
}

TEST_F(PanelTest, DeletingAMessageThatLeftHistoryIsNotFound) {
  limits_.history_events = 2;
  Panel p("p", limits_, clock_);
  for (int i = 0; i < 5; ++i) p.append(chat("m"));
  auto r = p.append(delete_of(1));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::NOT_FOUND);
}

TEST(Chat, DraftChecksTextAndCarriesTheAuthor) {
  ChatLimits limits;
  limits.max_chat_chars = 5;
  v1::Participant ann;
  ann.set_id("u1");
  ann.set_display_name("Ann");
  v1::SendChat cmd;

  cmd.set_text("h\xc3\xa9llo");  // 5 characters, 6 bytes
  auto ok = draft_chat(cmd, ann, limits);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->event.chat_posted().text(), cmd.text());
  EXPECT_EQ(ok->event.chat_posted().author().id(), "u1");

  cmd.set_text("hello!");
  EXPECT_EQ(draft_chat(cmd, ann, limits).error().code, v1::TOO_LONG);
  cmd.set_text("");
  EXPECT_EQ(draft_chat(cmd, ann, limits).error().code, v1::INVALID_ARGUMENT);
  cmd.set_text("a\xc0\xaf");
  EXPECT_EQ(draft_chat(cmd, ann, limits).error().code, v1::INVALID_ARGUMENT);
}

TEST(Chat, OnlyModeratorsDelete) {
  v1::Participant who;
  v1::DeleteChat cmd;
  cmd.set_chat_seq(3);
  for (auto role : {v1::ATTENDEE, v1::PANELIST, v1::ROLE_UNSPECIFIED}) {
    who.set_role(role);
    auto r = draft_chat_delete(cmd, who);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, v1::FORBIDDEN);
  }
  who.set_role(v1::MODERATOR);
  auto ok = draft_chat_delete(cmd, who);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->event.chat_deleted().chat_seq(), 3u);
  cmd.set_chat_seq(0);
  EXPECT_EQ(draft_chat_delete(cmd, who).error().code, v1::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace panelwire::core
