// Chat commands before they reach a panel: text rules, the character limit
// and who may delete; then through a panel the way a session sends them,
// with the panel's gates (mute, lock, end, rate).

#include <gtest/gtest.h>

#include "test_support.h"

#include <string>

#include "chat.h"

namespace panelwire::core {
namespace {

using testing_support::FixedClock;
using testing_support::ok;
using testing_support::person;

v1::SendChat send(const std::string& text) {
  v1::SendChat cmd;
  cmd.set_text(text);
  return cmd;
}

v1::DeleteChat delete_cmd(std::uint64_t seq) {
  v1::DeleteChat cmd;
  cmd.set_chat_seq(seq);
  return cmd;
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

const auto ann = person("u1", v1::ATTENDEE);
const auto mod = person("m1", v1::MODERATOR);

TEST(Chat, DraftChecksTextAndCarriesTheAuthor) {
  ChatLimits limits;
  limits.max_chat_chars = 5;
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

TEST(Chat, TheDraftIsTheWholeAuthorAndTheExactText) {
  auto text = std::string("<b>\"hi\"</b>\n\t\0end", 17);
  auto d = draft_chat(send(text), ann, ChatLimits{});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->event.chat_posted().text(), text) << "byte for byte, NUL included";
  EXPECT_EQ(d->event.chat_posted().author().SerializeAsString(), ann.SerializeAsString());
  EXPECT_TRUE(d->dedup_key.empty()) << "the session sets the key";
  EXPECT_EQ(d->event.seq(), 0u) << "the panel numbers it";
  EXPECT_EQ(d->event.kind_case(), v1::Event::kChatPosted);
}

TEST(Chat, TheLimitIsInCharactersExactlyAtItAndOneOver) {
  ChatLimits limits;
  limits.max_chat_chars = 3;
  for (const std::string ch : {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"}) {
    auto at = draft_chat(send(repeat(ch, 3)), ann, limits);
    ASSERT_TRUE(at.has_value()) << ch.size() << "-byte characters at the limit";
    EXPECT_EQ(at->event.chat_posted().text(), repeat(ch, 3));
    auto over = draft_chat(send(repeat(ch, 4)), ann, limits);
    ASSERT_FALSE(over.has_value()) << ch.size() << "-byte characters one over";
    EXPECT_EQ(over.error().code, v1::TOO_LONG);
    EXPECT_NE(over.error().message.find('3'), std::string::npos) << "names the limit";
  }
}

TEST(Chat, TheDefaultLimitIsTwoThousandCharacters) {
  ChatLimits limits;
  ASSERT_EQ(limits.max_chat_chars, 2'000u);
  EXPECT_TRUE(draft_chat(send(std::string(2'000, 'a')), ann, limits).has_value());
  EXPECT_EQ(draft_chat(send(std::string(2'001, 'a')), ann, limits).error().code, v1::TOO_LONG);
  // 8000 bytes of emoji are still 2000 characters.
  EXPECT_TRUE(draft_chat(send(repeat("\xf0\x9f\x98\x80", 2'000)), ann, limits).has_value());
  EXPECT_EQ(draft_chat(send(repeat("\xf0\x9f\x98\x80", 2'001)), ann, limits).error().code,
            v1::TOO_LONG);
}

TEST(Chat, InvalidUtf8IsRefusedWhateverItsLength) {
  ChatLimits limits;
  limits.max_chat_chars = 2;
  for (const std::string& bad : {
           std::string("\xc0\xaf"),          // overlong
           std::string("\xe0\x80\xaf"),      // overlong 3-byte
           std::string("\xed\xa0\x80"),      // surrogate
           std::string("\xf4\x90\x80\x80"),  // past U+10FFFF
           std::string("ab\xe2\x82"),        // truncated at the end
           std::string("\xf0\x9f\x98"),      // truncated emoji
           std::string("\x80"),              // lone continuation
           std::string(100, 'a') + "\xff",   // too long and invalid
       }) {
    auto r = draft_chat(send(bad), ann, limits);
    ASSERT_FALSE(r.has_value()) << testing::PrintToString(bad);
    EXPECT_EQ(r.error().code, v1::INVALID_ARGUMENT) << testing::PrintToString(bad);
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(Chat, EmptyTextIsInvalidEvenWithAZeroLimit) {
  ChatLimits limits;
  limits.max_chat_chars = 0;
  EXPECT_EQ(draft_chat(send(""), ann, limits).error().code, v1::INVALID_ARGUMENT);
  EXPECT_EQ(draft_chat(send("a"), ann, limits).error().code, v1::TOO_LONG);
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

TEST(Chat, ADeletionNamesTheModeratorAndTheMessage) {
  auto d = draft_chat_delete(delete_cmd(18'446'744'073'709'551'615ull), mod);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->event.chat_deleted().chat_seq(), 18'446'744'073'709'551'615ull);
  EXPECT_EQ(d->event.chat_deleted().by().SerializeAsString(), mod.SerializeAsString());
  EXPECT_EQ(d->event.kind_case(), v1::Event::kChatDeleted);
  EXPECT_TRUE(d->dedup_key.empty());
}

TEST(Chat, PermissionIsCheckedBeforeArguments) {
  // An attendee learns nothing about what a valid delete would look like.
  auto r = draft_chat_delete(delete_cmd(0), ann);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::FORBIDDEN);
}

TEST(Chat, PostAndDeleteThroughAPanel) {
  FixedClock clock;
  Panel p("p", {}, PanelLimits{}, clock);
  for (auto text : {"one", "two", "three"}) {
    auto d = draft_chat(send(text), ann, ChatLimits{});
    ASSERT_TRUE(d.has_value());
    ASSERT_TRUE(p.append(std::move(*d)).has_value());
  }
  auto del = draft_chat_delete(delete_cmd(2), mod);
  ASSERT_TRUE(del.has_value());
  auto r = p.append(std::move(*del));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->seq, 4u);
  EXPECT_EQ(r->event->event().chat_deleted().by().id(), "m1");

  auto b = p.backlog(std::nullopt, 10);
  ASSERT_TRUE(b.has_value());
  ASSERT_EQ(b->recent_chat.size(), 2u);
  EXPECT_EQ(b->recent_chat[0]->event().chat_posted().text(), "one");
  EXPECT_EQ(b->recent_chat[1]->event().chat_posted().text(), "three");
  EXPECT_EQ(b->recent_chat[1]->event().chat_posted().author().id(), "u1");

  auto again = draft_chat_delete(delete_cmd(2), mod);
  ASSERT_TRUE(again.has_value()) << "the draft cannot know; the panel does";
  EXPECT_EQ(p.append(std::move(*again)).error().code, v1::NOT_FOUND);
}

Draft by_moderator(v1::Event ev) {
  Draft d;
  d.event = std::move(ev);
  *d.event.mutable_actor() = mod;
  return d;
}

Draft mute(const v1::Participant& who, bool muted) {
  v1::Event ev;
  *ev.mutable_participant_muted()->mutable_who() = who;
  ev.mutable_participant_muted()->set_muted(muted);
  return by_moderator(std::move(ev));
}

Draft lock(bool locked) {
  v1::Event ev;
  ev.mutable_chat_locked()->set_locked(locked);
  return by_moderator(std::move(ev));
}

class ChatInAPanel : public ::testing::Test {
 protected:
  Result<Appended> post(const v1::Participant& who, const std::string& key = {}) {
    auto d = draft_chat(send("hi"), who, ChatLimits{});
    EXPECT_TRUE(d.has_value());
    d->dedup_key = key;
    return panel.append(std::move(*d));
  }

  FixedClock clock;
  PanelLimits limits = [] {
    PanelLimits l;
    l.rates.chat = RateRule{1, 2};  // two at once, then one a second
    return l;
  }();
  Panel panel{"p", {}, limits, clock};
  v1::Participant pan = person("p1", v1::PANELIST);
};

TEST_F(ChatInAPanel, AMutedParticipantCannotChatUntilUnmuted) {
  ASSERT_TRUE(panel.append(mute(ann, true)).has_value());
  auto r = post(ann);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::MUTED);
  EXPECT_TRUE(post(pan).has_value()) << "only the muted one";
  EXPECT_EQ(panel.head(), 2u) << "the refused post took no seq";
  ASSERT_TRUE(panel.append(mute(ann, false)).has_value());
  EXPECT_TRUE(post(ann).has_value());
}

TEST_F(ChatInAPanel, ALockedChatIsForModeratorsAndPanelists) {
  ASSERT_EQ(ok(panel.append(lock(true))).seq, 1u);
  EXPECT_EQ(post(ann).error().code, v1::MUTED);
  EXPECT_TRUE(post(pan).has_value());
  EXPECT_TRUE(post(mod).has_value());
  auto again = panel.append(lock(true));
  ASSERT_TRUE(again.has_value()) << "locking a locked chat is no error";
  EXPECT_EQ(again->seq, 0u) << "and no event";
  EXPECT_EQ(again->event, nullptr);
  EXPECT_EQ(panel.head(), 3u);
  ASSERT_TRUE(panel.append(lock(false)).has_value());
  EXPECT_TRUE(post(ann).has_value());
}

TEST_F(ChatInAPanel, AnEndedPanelTakesNoChatButDeletesStill) {
  ASSERT_TRUE(post(ann).has_value());
  v1::Event end;
  end.mutable_panel_ended();
  ASSERT_TRUE(panel.append(by_moderator(end)).has_value());
  EXPECT_EQ(post(ann).error().code, v1::PANEL_ENDED);
  EXPECT_EQ(post(mod).error().code, v1::PANEL_ENDED) << "moderators too";
  auto del = draft_chat_delete(delete_cmd(1), mod);
  ASSERT_TRUE(del.has_value());
  EXPECT_TRUE(panel.append(std::move(*del)).has_value()) << "cleaning up stays possible";
}

TEST_F(ChatInAPanel, ChatIsRateLimitedPerParticipant) {
  const std::string key = std::string("ann") + '\x1f' + "c3";
  ASSERT_TRUE(post(ann).has_value());
  ASSERT_TRUE(post(ann).has_value());
  auto r = post(ann, key);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::RATE_LIMITED);
  EXPECT_EQ(r.error().retry_after_ms, 1'000u) << "one token a second";
  EXPECT_TRUE(post(pan).has_value()) << "each participant has their own bucket";
  EXPECT_TRUE(post(pan).has_value());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(post(mod).has_value()) << "moderators are not limited";
  const auto head = panel.head();

  clock.now += 999;
  EXPECT_EQ(post(pan).error().code, v1::RATE_LIMITED) << "a millisecond early";
  clock.now += 1;
  auto retry = post(ann, key);
  ASSERT_TRUE(retry.has_value()) << "after exactly retry_after_ms; and it was never applied";
  EXPECT_FALSE(retry->duplicate);
  EXPECT_EQ(retry->seq, head + 1);
  EXPECT_EQ(panel.head(), head + 1) << "refused posts took no seq";
}

}  // namespace
}  // namespace panelwire::core
