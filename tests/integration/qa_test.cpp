// Audience Q&A against the real server, through the SDK, with real signed
// tokens: who may do what, who sees what, and what reaches the outbox.

#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "client_commands.h"
#include "raw_client.h"
#include "sdk_harness.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

const std::string kSecret = "qa-test-secret-of-32-bytes-or-more";

std::string token(const std::string& role, const std::string& name, const std::string& panel,
                  std::vector<std::string> extra = {}) {
  return mint_token(PANELWIRE_CLI_BIN, kSecret, role, name, panel, extra);
}

client::Options as(const ServerProcess& server, const std::string& panel, const std::string& role,
                   const std::string& name, client::WireFormat format = client::WireFormat::proto) {
  client::Options o;
  o.urls = {server.ws_url()};
  o.panel_id = panel;
  o.display_name = name;
  o.token = role.empty() ? "" : token(role, name, panel);
  o.format = format;
  o.reconnect = false;
  return o;
}

// The last state of question `id` among what `c` received; a test failure
// (and an empty question) when it received none.
v1::Question latest(SdkClient& c, std::uint64_t id) {
  std::optional<v1::Question> out;
  for (const auto& e : c.events())
    for (const auto& q : e.questions_changed().questions())
      if (q.id() == id) out = q;
  if (out) return *out;
  ADD_FAILURE() << "no state of question " << id << " received";
  return {};
}

std::vector<std::string> outbox_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class QaTest : public ::testing::Test {
 protected:
  ServerProcess server_{{"--token-secret", kSecret}};
  IoThread io_;
};

TEST_F(QaTest, AskVoteHighlightAnswerReachEveryoneInOneOrder) {
  SdkClient mod(io_, as(server_, "live", "moderator", "Mo"));
  SdkClient ann(io_, as(server_, "live", "attendee", "Ann"));
  SdkClient bob(io_, as(server_, "live", "", "Bob", client::WireFormat::json));
  ASSERT_TRUE(mod.wait_welcomes(1) && ann.wait_welcomes(1) && bob.wait_welcomes(1));
  EXPECT_EQ(mod.welcomes()[0].you().role(), v1::MODERATOR);
  const auto ann_id = ann.welcomes()[0].you().id();
  EXPECT_EQ(ann_id.size(), 34u) << "opaque: u: and 32 hex digits";
  EXPECT_EQ(ann_id.find("Ann"), std::string::npos) << "the token's subject stays private";
  EXPECT_EQ(bob.welcomes()[0].you().role(), v1::ATTENDEE) << "a guest";

  auto asked = ann.send(ask("How do early-career researchers find mentors?"));
  ASSERT_FALSE(asked.has_error()) << asked.DebugString();
  const auto id = asked.seq();
  ASSERT_FALSE(bob.send(vote(id)).has_error());
  auto again = bob.send(vote(id));
  ASSERT_FALSE(again.has_error());
  EXPECT_EQ(again.seq(), 0u) << "a second vote changes nothing";
  ASSERT_FALSE(mod.send(vote(id)).has_error());
  ASSERT_FALSE(mod.send(moderate(id, v1::HIGHLIGHT)).has_error());
  ASSERT_FALSE(mod.send(moderate(id, v1::MARK_ANSWERED, "Through societies.")).has_error());

  for (auto* c : {&mod, &ann, &bob}) ASSERT_TRUE(c->wait_events(5));
  auto reference = mod.events();
  for (auto* c : {&ann, &bob}) {
    auto got = c->events();
    ASSERT_EQ(got.size(), reference.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].seq(), reference[i].seq());
  }
  auto q = latest(bob, id);
  EXPECT_EQ(q.state(), v1::ANSWERED);
  EXPECT_EQ(q.votes(), 2u);
  EXPECT_EQ(q.answer_text(), "Through societies.");
  EXPECT_EQ(q.asker().display_name(), "Ann");
  EXPECT_EQ(bob.events()[1].actor().id(), "") << "voters are not named to attendees";
  EXPECT_EQ(mod.events()[1].actor().display_name(), "Bob") << "moderators see who voted";

  // A late joiner's snapshot holds the question and its own votes.
  SdkClient late(io_, as(server_, "live", "attendee", "Ann"));
  ASSERT_TRUE(late.wait_welcomes(1));
  auto w = late.welcomes()[0];
  ASSERT_EQ(w.questions_size(), 1);
  EXPECT_EQ(w.questions(0).votes(), 2u);
  EXPECT_EQ(w.your_votes_size(), 0) << "Ann did not vote";
}

TEST_F(QaTest, EveryModeratorCommandIsRefusedForAnAttendee) {
  SdkClient mod(io_, as(server_, "guarded", "moderator", "Mo"));
  SdkClient ann(io_, as(server_, "guarded", "attendee", "Ann"));
  SdkClient pan(io_, as(server_, "guarded", "panelist", "Pat"));
  ASSERT_TRUE(mod.wait_welcomes(1) && ann.wait_welcomes(1) && pan.wait_welcomes(1));
  ASSERT_FALSE(ann.chat("hello").has_error());
  auto id = ann.send(ask("q")).seq();
  ASSERT_GT(id, 0u);

  std::vector<v1::ClientMessage> commands;
  for (auto action :
       {v1::APPROVE, v1::DISMISS, v1::RESTORE, v1::HIGHLIGHT, v1::MARK_ANSWERED, v1::SEND_TO_FORUM})
    commands.push_back(moderate(id, action));
  v1::ClientMessage m;
  m.mutable_merge_questions()->set_duplicate_id(id);
  m.mutable_merge_questions()->set_into_id(id);
  commands.push_back(m);
  m.Clear();
  m.mutable_promote_chat()->set_chat_seq(1);
  commands.push_back(m);
  m.Clear();
  m.mutable_mute_participant()->set_participant_id(mod.welcomes()[0].you().id());
  m.mutable_mute_participant()->set_muted(true);
  commands.push_back(m);
  m.Clear();
  m.mutable_lock_chat()->set_locked(true);
  commands.push_back(m);
  m.Clear();
  m.mutable_delete_chat()->set_chat_seq(1);
  commands.push_back(m);
  commands.push_back(end_panel());

  for (auto* who : {&ann, &pan}) {
    for (const auto& c : commands) {
      auto a = who->send(c);
      ASSERT_TRUE(a.has_error()) << c.DebugString();
      EXPECT_EQ(a.error().code(), v1::FORBIDDEN) << c.DebugString();
    }
  }
  // Nothing changed: the next event is the next seq, the question still open.
  auto next = ann.chat("still here");
  ASSERT_FALSE(next.has_error());
  EXPECT_EQ(next.seq(), 3u);
  ASSERT_TRUE(mod.wait_events(3));
  EXPECT_EQ(latest(mod, id).state(), v1::OPEN);
}

TEST_F(QaTest, AnonymousQuestionsNeverShowTheNameButToModerators) {
  SdkClient mod(io_, as(server_, "anon", "moderator", "Mo"));
  SdkClient ann(io_, as(server_, "anon", "attendee", "Ann Secret", client::WireFormat::json));
  SdkClient bob(io_, as(server_, "anon", "attendee", "Bob", client::WireFormat::json));
  ASSERT_TRUE(mod.wait_welcomes(1) && ann.wait_welcomes(1) && bob.wait_welcomes(1));
  auto id = ann.send(ask("A sensitive question", true)).seq();
  ASSERT_TRUE(bob.wait_events(1) && mod.wait_events(1) && ann.wait_events(1));
  EXPECT_FALSE(latest(bob, id).has_asker());
  EXPECT_EQ(latest(bob, id).credited_size(), 0);
  EXPECT_FALSE(bob.events()[0].has_actor());
  EXPECT_EQ(latest(mod, id).asker().display_name(), "Ann Secret");
  EXPECT_EQ(latest(ann, id).asker().display_name(), "Ann Secret") << "the asker sees their own";

  SdkClient late(io_, as(server_, "anon", "", "Cid"));
  ASSERT_TRUE(late.wait_welcomes(1));
  ASSERT_EQ(late.welcomes()[0].questions_size(), 1);
  EXPECT_FALSE(late.welcomes()[0].questions(0).has_asker());

  ASSERT_FALSE(mod.send(end_panel()).has_error());
  auto lines = outbox_lines(server_.outbox_path());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find("Ann Secret"), std::string::npos) << "anonymous in the forum too";
  EXPECT_NE(lines[0].find("\"anonymous\":true"), std::string::npos) << lines[0];
}

// A moderator merges an anonymous duplicate into Alice's question: neither
// Alice's next Welcome nor the next event on her question may name the
// anonymous co-asker (they used to: the owner's view was not redacted).
TEST_F(QaTest, AnAnonymousCoAskerMergedIntoAQuestionIsNotShownToItsAsker) {
  // A guest keeps its id across connections through its client id.
  auto as_alice = as(server_, "merge", "", "Alice Asker");
  as_alice.client_id = "alice-client-1";
  SdkClient mod(io_, as(server_, "merge", "moderator", "Mo"));
  SdkClient alice(io_, as_alice);
  SdkClient bob(io_, as(server_, "merge", "", "Bob Hidden", client::WireFormat::json));
  ASSERT_TRUE(mod.wait_welcomes(1) && alice.wait_welcomes(1) && bob.wait_welcomes(1));
  const auto bob_id = bob.welcomes()[0].you().id();
  auto names_bob = [&](const google::protobuf::Message& m) {
    auto text = m.DebugString();
    return text.find("Bob Hidden") != std::string::npos || text.find(bob_id) != std::string::npos;
  };

  auto q = alice.send(ask("How do we keep mentoring going?")).seq();
  auto dup = bob.send(ask("How can mentoring continue after the grant?", true)).seq();
  v1::ClientMessage merge;
  merge.mutable_merge_questions()->set_duplicate_id(dup);
  merge.mutable_merge_questions()->set_into_id(q);
  auto merged = mod.send(merge).seq();
  ASSERT_NE(merged, 0u);
  auto highlighted = mod.send(moderate(q, v1::HIGHLIGHT)).seq();
  ASSERT_NE(highlighted, 0u);
  for (auto* c : {&mod, &alice, &bob}) ASSERT_TRUE(c->wait_events(4));

  EXPECT_TRUE(names_bob(mod.events()[2])) << "moderators see who is behind anonymous";
  for (const auto& e : alice.events()) EXPECT_FALSE(names_bob(e)) << e.DebugString();
  auto own = latest(alice, q);
  EXPECT_EQ(own.state(), v1::ANSWERING);
  EXPECT_EQ(own.asker().display_name(), "Alice Asker");
  EXPECT_EQ(own.credited_size(), 1);
  EXPECT_EQ(own.anonymous_credited_size(), 0);

  // Alice joins again: her fresh Welcome holds her question, without Bob.
  SdkClient alice2(io_, as_alice);
  ASSERT_TRUE(alice2.wait_welcomes(1));
  auto w = alice2.welcomes()[0];
  ASSERT_EQ(w.questions_size(), 1);
  EXPECT_EQ(w.questions(0).id(), q);
  EXPECT_EQ(w.you().id(), alice.welcomes()[0].you().id());
  EXPECT_FALSE(names_bob(w)) << w.DebugString();
  SdkClient mod2(io_, as(server_, "merge", "moderator", "Mo"));
  ASSERT_TRUE(mod2.wait_welcomes(1));
  EXPECT_TRUE(names_bob(mod2.welcomes()[0]));

  auto bobs = latest(bob, q);
  ASSERT_EQ(bobs.anonymous_credited_size(), 1) << "bob sees his own anonymous credit";
  EXPECT_EQ(bobs.anonymous_credited(0), bob_id);
}

TEST_F(QaTest, EndingPublishesTheLeftoversOnceEvenWhenTwoModeratorsRace) {
  SdkClient mo1(io_, as(server_, "ending", "moderator", "Mo One"));
  SdkClient mo2(io_, as(server_, "ending", "moderator", "Mo Two"));
  SdkClient ann(io_, as(server_, "ending", "attendee", "Jackie Wheeler"));
  ASSERT_TRUE(mo1.wait_welcomes(1) && mo2.wait_welcomes(1) && ann.wait_welcomes(1));
  auto open = ann.send(ask("Left for the forum")).seq();
  auto answered = ann.send(ask("Answered live")).seq();
  auto dismissed = ann.send(ask("Off topic")).seq();
  ASSERT_FALSE(mo1.send(moderate(answered, v1::MARK_ANSWERED)).has_error());
  ASSERT_FALSE(mo1.send(moderate(dismissed, v1::DISMISS)).has_error());

  v1::ClientMessage end1 = end_panel(), end2 = end_panel();
  std::future<v1::Ack> a1 = std::async(std::launch::async, [&] { return mo1.send(end1); });
  std::future<v1::Ack> a2 = std::async(std::launch::async, [&] { return mo2.send(end2); });
  auto r1 = a1.get(), r2 = a2.get();
  EXPECT_NE(r1.has_error(), r2.has_error()) << "exactly one end succeeds";
  EXPECT_EQ((r1.has_error() ? r1 : r2).error().code(), v1::PANEL_ENDED);

  auto lines = outbox_lines(server_.outbox_path());
  ASSERT_EQ(lines.size(), 1u) << "one leftover: the open question";
  EXPECT_TRUE(std::regex_search(
      lines[0], std::regex("\"leftoverId\":\"ending/[1-9][0-9]*/" + std::to_string(open) + "\"")))
      << lines[0];
  EXPECT_NE(lines[0].find("Jackie Wheeler"), std::string::npos);
  EXPECT_NE(lines[0].find("UNANSWERED"), std::string::npos);

  EXPECT_EQ(ann.send(ask("too late")).error().code(), v1::PANEL_ENDED);
  EXPECT_EQ(ann.chat("too late").error().code(), v1::PANEL_ENDED);

  // The outbox outlives the server: a restart leaves it whole.
  auto path = server_.outbox_path();
  EXPECT_EQ(server_.stop(SIGTERM), 0);
  ServerProcess again({"--token-secret", kSecret, "--outbox", path});
  EXPECT_EQ(outbox_lines(path), lines);
}

// What a moderator sends to the forum during the panel is in the outbox
// when the ack comes, and the end of the panel does not send it again.
TEST_F(QaTest, SentToTheForumDuringThePanelIsPublishedAtOnceAndOnce) {
  SdkClient mo(io_, as(server_, "forum-now", "moderator", "Mo"));
  SdkClient ann(io_, as(server_, "forum-now", "attendee", "Ann Attendee"));
  ASSERT_TRUE(mo.wait_welcomes(1) && ann.wait_welcomes(1));
  auto said = ann.chat("A comment from the chat");
  ASSERT_FALSE(said.has_error()) << said.DebugString();
  v1::ClientMessage promote;
  promote.mutable_promote_chat()->set_chat_seq(said.seq());
  promote.mutable_promote_chat()->set_send_to_forum(true);
  auto promoted = mo.send(promote);
  ASSERT_FALSE(promoted.has_error()) << promoted.DebugString();
  auto lines = outbox_lines(server_.outbox_path());
  ASSERT_EQ(lines.size(), 1u) << "published before the ack";
  EXPECT_NE(lines[0].find("A comment from the chat"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("CHAT_COMMENT"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("Ann Attendee"), std::string::npos) << "credited to the chat's author";

  auto asked = ann.send(ask("Worth a forum post"));
  ASSERT_FALSE(asked.has_error());
  ASSERT_FALSE(mo.send(moderate(asked.seq(), v1::SEND_TO_FORUM)).has_error());
  lines = outbox_lines(server_.outbox_path());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("Worth a forum post"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("SENT_BY_MODERATOR"), std::string::npos) << lines[1];

  ASSERT_FALSE(mo.send(end_panel()).has_error());
  EXPECT_EQ(outbox_lines(server_.outbox_path()), lines) << "what was sent is not sent again";
}

TEST_F(QaTest, PendingQuestionsAreSeenByModeratorsAndTheAskerOnly) {
  auto panels = temp_path("panels.json");
  std::ofstream(panels)
      << R"({"panels":[{"id":"premod","title":"Expert Panel","forum_thread":"t-7",)"
      << R"("pre_moderation":true,"guests_allowed":false}]})";
  ServerProcess server({"--token-secret", kSecret, "--panels", panels});
  SdkClient mod(io_, as(server, "premod", "moderator", "Mo"));
  SdkClient ann(io_, as(server, "premod", "attendee", "Ann"));
  SdkClient bob(io_, as(server, "premod", "attendee", "Bob"));
  ASSERT_TRUE(mod.wait_welcomes(1) && ann.wait_welcomes(1) && bob.wait_welcomes(1));
  EXPECT_EQ(bob.welcomes()[0].panel().title(), "Expert Panel");
  EXPECT_TRUE(bob.welcomes()[0].panel().pre_moderation());

  auto id = ann.send(ask("Waiting for approval")).seq();
  ASSERT_TRUE(bob.wait_events(1) && ann.wait_events(1) && mod.wait_events(1));
  EXPECT_TRUE(bob.events()[0].has_hidden()) << "the seq arrives, the question does not";
  EXPECT_EQ(bob.events()[0].seq(), id);
  EXPECT_EQ(latest(ann, id).state(), v1::PENDING);
  EXPECT_EQ(latest(mod, id).state(), v1::PENDING);
  EXPECT_EQ(bob.send(vote(id)).error().code(), v1::NOT_FOUND)
      << "a question bob may not see answers as no question at all";

  ASSERT_FALSE(mod.send(moderate(id, v1::APPROVE)).has_error());
  ASSERT_TRUE(bob.wait_events(2));
  EXPECT_EQ(latest(bob, id).state(), v1::OPEN);
  EXPECT_EQ(latest(bob, id).text(), "Waiting for approval");

  // Guests are not allowed here, and unknown panels do not exist.
  auto join = [&](const std::string& panel, const std::string& tok) {
    RawClient raw(server.port());
    v1::ClientMessage hello;
    hello.set_id("h");
    hello.mutable_hello()->set_panel_id(panel);
    hello.mutable_hello()->set_display_name("Guest");
    hello.mutable_hello()->set_token(tok);
    return raw.command(hello);
  };
  EXPECT_EQ(join("premod", "").error().code(), v1::UNAUTHENTICATED);
  EXPECT_EQ(join("nowhere", token("attendee", "Ann", "nowhere")).error().code(), v1::UNKNOWN_PANEL);
  EXPECT_FALSE(join("premod", token("attendee", "Ann", "premod")).has_error());
}

// Names and roles (issue 10, item 6). DISABLED_ until handle_hello runs
// core::admit_participant on the joining participant; enable it with the
// wiring.
TEST_F(QaTest, AGuestCannotTakeAReservedNameAndNamesArriveCleaned) {
  auto panels = temp_path("panels.json");
  std::ofstream(panels) << R"({"panels":[{"id":"names","reserved_names":["Dr. Alberts"]}]})";
  ServerProcess server({"--token-secret", kSecret, "--panels", panels});
  auto hello = [&](const std::string& name, const std::string& tok = {}) {
    RawClient raw(server.port());
    v1::ClientMessage m;
    m.set_id("h");
    m.mutable_hello()->set_panel_id("names");
    m.mutable_hello()->set_display_name(name);
    m.mutable_hello()->set_token(tok);
    raw.send(m);
    std::pair<std::optional<v1::Welcome>, v1::Ack> out;
    for (auto msg = raw.read(); msg; msg = raw.read()) {
      if (msg->has_welcome()) out.first = msg->welcome();
      if (msg->has_ack()) {
        out.second = msg->ack();
        break;
      }
    }
    return out;
  };
  for (std::string name : {"MODERATOR", "Moderat\u200Bor", "Dr. A1berts", "Dr. AIberts", "Host"}) {
    auto [welcome, ack] = hello(name);
    EXPECT_EQ(ack.error().code(), v1::NAME_RESERVED) << name;
    EXPECT_FALSE(welcome) << name;
  }
  EXPECT_EQ(hello("\u200B\u202E").second.error().code(), v1::INVALID_ARGUMENT);
  auto [ann, ok] = hello("  Ann\u202E\u200B  Lee ");
  ASSERT_FALSE(ok.has_error()) << ok.DebugString();
  ASSERT_TRUE(ann);
  EXPECT_EQ(ann->you().display_name(), "Ann Lee");
  auto [pat, ok2] = hello("x", token("panelist", "Dr. Alberts", "names"));
  ASSERT_FALSE(ok2.has_error()) << "a token keeps its name";
  EXPECT_EQ(pat->you().display_name(), "Dr. Alberts");
  EXPECT_EQ(pat->you().role(), v1::PANELIST);
}

TEST_F(QaTest, BadTokensAreRefusedWithTheReason) {
  auto try_join = [&](const std::string& tok, const std::string& panel = "tok") {
    RawClient raw(server_.port());
    v1::ClientMessage hello;
    hello.set_id("h");
    hello.mutable_hello()->set_panel_id(panel);
    hello.mutable_hello()->set_display_name("X");
    hello.mutable_hello()->set_token(tok);
    return raw.command(hello);
  };
  auto expired = try_join(token("attendee", "Ann", "tok", {"--expires-at", "1000"}));
  EXPECT_EQ(expired.error().code(), v1::UNAUTHENTICATED);
  EXPECT_NE(expired.error().message().find("expired"), std::string::npos);

  auto wrong_panel = try_join(token("attendee", "Ann", "other"));
  EXPECT_EQ(wrong_panel.error().code(), v1::UNAUTHENTICATED);
  EXPECT_NE(wrong_panel.error().message().find("not valid for panel"), std::string::npos);

  auto good = token("moderator", "Ann", "tok");
  auto forged = good.substr(0, good.rfind('.') + 1) + "AAAA";
  EXPECT_EQ(try_join(forged).error().code(), v1::UNAUTHENTICATED);
  EXPECT_EQ(try_join("not.a.token").error().code(), v1::UNAUTHENTICATED);
  EXPECT_FALSE(try_join(good).has_error());
}

TEST(QaLimits, ExcessCommandsAreRateLimitedAndTheConnectionStays) {
  ServerProcess server(
      {"--token-secret", kSecret, "--questions-per-minute", "1", "--question-burst", "2"});
  IoThread io;
  SdkClient ann(io, as(server, "rate", "attendee", "Ann"));
  ASSERT_TRUE(ann.wait_welcomes(1));
  ASSERT_FALSE(ann.send(ask("one")).has_error());
  ASSERT_FALSE(ann.send(ask("two")).has_error());
  auto third = ann.send(ask("three"));
  ASSERT_TRUE(third.has_error());
  EXPECT_EQ(third.error().code(), v1::RATE_LIMITED);
  EXPECT_GT(third.error().retry_after_ms(), 1000u);
  EXPECT_LE(third.error().retry_after_ms(), 60'000u);
  EXPECT_FALSE(ann.chat("chat is its own bucket").has_error());
  EXPECT_TRUE(ann.closes().empty());
}

// Sockpuppets filling a board: past the panel's cap a question is refused
// with a typed code whoever asks, and the session and the board go on.
TEST(QaLimits, APanelsBoardIsCappedAndTheConnectionStays) {
  ServerProcess server({"--token-secret", kSecret, "--max-questions", "2"});
  IoThread io;
  SdkClient ann(io, as(server, "full", "attendee", "Ann"));
  SdkClient bob(io, as(server, "full", "", "Bob"));
  ASSERT_TRUE(ann.wait_welcomes(1) && bob.wait_welcomes(1));
  ASSERT_FALSE(ann.send(ask("one")).has_error());
  ASSERT_FALSE(bob.send(ask("two")).has_error());
  auto third = bob.send(ask("three"));
  ASSERT_TRUE(third.has_error());
  EXPECT_EQ(third.error().code(), v1::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ann.send(ask("four")).error().code(), v1::RESOURCE_EXHAUSTED) << "for everyone";
  EXPECT_FALSE(bob.send(vote(1)).has_error()) << "what is on the board can be voted on";
  EXPECT_FALSE(bob.chat("chat goes on").has_error());
  EXPECT_TRUE(ann.closes().empty() && bob.closes().empty());
}

TEST_F(QaTest, MutedAndLockedChatIsRefusedNotDropped) {
  SdkClient mod(io_, as(server_, "gates", "moderator", "Mo"));
  SdkClient ann(io_, as(server_, "gates", "attendee", "Ann"));
  SdkClient pat(io_, as(server_, "gates", "panelist", "Pat"));
  ASSERT_TRUE(mod.wait_welcomes(1) && ann.wait_welcomes(1) && pat.wait_welcomes(1));
  v1::ClientMessage mute;
  mute.mutable_mute_participant()->set_participant_id(ann.welcomes()[0].you().id());
  mute.mutable_mute_participant()->set_muted(true);
  ASSERT_FALSE(mod.send(mute).has_error());
  EXPECT_EQ(ann.chat("hi").error().code(), v1::MUTED);
  EXPECT_EQ(ann.send(ask("q")).error().code(), v1::MUTED);
  ASSERT_TRUE(ann.wait_events(1));
  EXPECT_TRUE(ann.events()[0].has_participant_muted()) << "the muted person is told";
  ASSERT_TRUE(pat.wait_events(1));
  EXPECT_TRUE(pat.events()[0].has_hidden()) << "others are not";

  mute.mutable_mute_participant()->set_muted(false);
  ASSERT_FALSE(mod.send(mute).has_error());
  v1::ClientMessage lock;
  lock.mutable_lock_chat()->set_locked(true);
  ASSERT_FALSE(mod.send(lock).has_error());
  EXPECT_EQ(ann.chat("hi").error().code(), v1::MUTED);
  EXPECT_FALSE(pat.chat("panelists still talk").has_error());
  EXPECT_FALSE(mod.chat("so do moderators").has_error());
}

}  // namespace
}  // namespace panelwire::test
