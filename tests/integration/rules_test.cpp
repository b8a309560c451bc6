// Panel rules switched at run time, against real panelwire-server nodes on
// one real redis-server: a moderator on one node changes them, clients on
// another node follow the event at once (a guest's next question refused,
// slow mode spacing chat, pre-moderation hiding new questions), and a node
// started afterwards loads them too.

#include <thread>

#include <gtest/gtest.h>

#include "raw_client.h"
#include "redis_process.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

const std::string kSecret = "rules-test-secret-of-32-bytes-or-more";
const std::string kPanel = "rules";

std::unique_ptr<ServerProcess> node(const engine::RedisProcess& redis) {
  auto n = std::make_unique<ServerProcess>(
      std::vector<std::string>{"--redis", redis.url(), "--token-secret", kSecret});
  for (int i = 0; i < 500 && RawClient::http_get(n->port(), "/readyz").first != 200; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(RawClient::http_get(n->port(), "/readyz").first, 200u);
  return n;
}

std::string token(const std::string& role, const std::string& name) {
  return mint_token(PANELWIRE_CLI_BIN, kSecret, role, name, kPanel);
}

v1::ClientMessage set_rules(const std::string& id, std::optional<bool> pre_moderation,
                            std::optional<bool> guest_questions,
                            std::optional<std::uint32_t> slow_ms) {
  v1::ClientMessage m;
  m.set_id(id);
  auto* r = m.mutable_set_panel_rules()->mutable_rules();
  if (pre_moderation) r->set_pre_moderation(*pre_moderation);
  if (guest_questions) r->set_guest_questions(*guest_questions);
  if (slow_ms) r->set_chat_slow_mode_ms(*slow_ms);
  return m;
}

v1::ClientMessage ask(const std::string& id, const std::string& text) {
  v1::ClientMessage m;
  m.set_id(id);
  m.mutable_ask_question()->set_text(text);
  return m;
}

// The three rules as one line; every field must be set.
std::string shown(const v1::PanelRules& r) {
  if (!r.has_pre_moderation() || !r.has_guest_questions() || !r.has_chat_slow_mode_ms())
    return "incomplete: " + r.ShortDebugString();
  return "premod=" + std::to_string(r.pre_moderation()) +
         " guests=" + std::to_string(r.guest_questions()) +
         " slow=" + std::to_string(r.chat_slow_mode_ms());
}

// The next `n` events, failing the test on anything else.
std::vector<v1::Event> next_events(RawClient& c, std::size_t n) {
  std::vector<v1::Event> out;
  while (out.size() < n) {
    auto m = c.read();
    if (!m) break;
    EXPECT_TRUE(m->has_event()) << m->DebugString();
    if (m->has_event()) out.push_back(m->event());
  }
  EXPECT_EQ(out.size(), n);
  return out;
}

std::vector<std::uint64_t> seqs(const std::vector<v1::Event>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e.seq());
  return out;
}

std::string code(const v1::Ack& a) {
  return a.has_error() ? v1::ErrorCode_Name(a.error().code()) : "OK";
}

TEST(Rules, AModeratorOnOneNodeSetsRulesEveryNodeFollows) {
  engine::RedisProcess redis;
  auto a = node(redis), b = node(redis);
  // The moderator and Tom speak JSON, the guest binary protobuf.
  RawClient mod(a->port());
  RawClient gail(b->port(), {.subprotocol = "panelwire.v1.proto"});
  RawClient tom(b->port());
  auto w = mod.join(kPanel, "Mo", "mod-1", {}, token("moderator", "Mo"));
  EXPECT_EQ(shown(w.panel().rules()), "premod=0 guests=1 slow=0");
  EXPECT_EQ(shown(gail.join(kPanel, "Gail", "gail-1").panel().rules()), "premod=0 guests=1 slow=0");
  tom.join(kPanel, "Tom", "tom-1", {}, token("attendee", "Tom"));

  // Guests' questions off and slow mode on, in one change.
  std::vector<v1::Event> mod_saw;
  auto set = mod.command(set_rules("r1", {}, false, 2'000), &mod_saw);
  ASSERT_EQ(code(set), "OK") << set.DebugString();
  EXPECT_EQ(set.seq(), 1u);
  auto heard = next_events(gail, 1);
  ASSERT_EQ(seqs(heard), std::vector<std::uint64_t>{1});
  ASSERT_TRUE(heard[0].has_panel_rules());
  EXPECT_EQ(shown(heard[0].panel_rules()), "premod=0 guests=0 slow=2000");
  EXPECT_EQ(heard[0].actor().display_name(), "Mo");
  EXPECT_EQ(shown(next_events(tom, 1)[0].panel_rules()), "premod=0 guests=0 slow=2000")
      << "over JSON too";

  // The guest's next question is refused; a token holder still asks.
  std::vector<v1::Event> gail_saw;
  auto refused = gail.command(ask("q1", "May a guest ask?"), &gail_saw);
  EXPECT_EQ(code(refused), "FORBIDDEN");
  EXPECT_TRUE(gail_saw.empty());
  auto asked = tom.command(ask("q1", "What does a mentor owe?"));
  ASSERT_EQ(code(asked), "OK");
  EXPECT_EQ(asked.seq(), 2u);

  // Slow mode: the second message within two seconds waits, said how long.
  auto one = gail.chat("c1", "first", &gail_saw);
  ASSERT_EQ(code(one), "OK");
  EXPECT_EQ(one.seq(), 3u);
  auto two = gail.chat("c2", "second, too soon", &gail_saw);
  EXPECT_EQ(code(two), "RATE_LIMITED");
  EXPECT_GT(two.error().retry_after_ms(), 0u);
  EXPECT_LE(two.error().retry_after_ms(), 2'000u);
  EXPECT_EQ(seqs(gail_saw), (std::vector<std::uint64_t>{2, 3}));
  for (const char* id : {"m1", "m2"})
    EXPECT_EQ(code(mod.chat(id, "moderators are not slowed", &mod_saw)), "OK");

  // Pre-moderation on: Tom's new question waits, unseen by Gail.
  ASSERT_EQ(code(mod.command(set_rules("r2", true, {}, {}), &mod_saw)), "OK");
  std::vector<v1::Event> tom_saw;
  auto held = tom.command(ask("q2", "Held for a moderator?"), &tom_saw);
  ASSERT_EQ(code(held), "OK");
  EXPECT_EQ(held.seq(), 7u);
  EXPECT_EQ(seqs(tom_saw), (std::vector<std::uint64_t>{3, 4, 5, 6, 7}));
  EXPECT_EQ(tom_saw.back().questions_changed().questions(0).state(), v1::PENDING)
      << "the asker sees their own";
  auto later = next_events(gail, 4);
  EXPECT_EQ(seqs(later), (std::vector<std::uint64_t>{4, 5, 6, 7}));
  EXPECT_EQ(shown(later[2].panel_rules()), "premod=1 guests=0 slow=2000");
  EXPECT_TRUE(later[3].has_hidden()) << "another's pending question: " << later[3].DebugString();
  auto mod_more = next_events(mod, 1);
  EXPECT_EQ(seqs(mod_saw), (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(mod_more[0].questions_changed().questions(0).text(), "Held for a moderator?");

  // Once the wait is over the guest chats again.
  std::this_thread::sleep_for(std::chrono::milliseconds(two.error().retry_after_ms()));
  auto again = gail.chat("c3", "after the wait");
  ASSERT_EQ(code(again), "OK") << again.DebugString();
  EXPECT_EQ(again.seq(), 8u);

  // A node started now loads the panel from Redis with its rules.
  auto c = node(redis);
  RawClient late(c->port(), {.subprotocol = "panelwire.v1.proto"});
  auto welcome = late.join(kPanel, "Lee", "lee-1");
  EXPECT_EQ(shown(welcome.panel().rules()), "premod=1 guests=0 slow=2000");
  EXPECT_TRUE(welcome.panel().pre_moderation());
  ASSERT_EQ(welcome.questions_size(), 1) << "the pending one is not shown";
  EXPECT_EQ(welcome.questions(0).id(), 2u);
  EXPECT_EQ(code(late.command(ask("q1", "And from here?"))), "FORBIDDEN");
}

TEST(Rules, OnlyModeratorsSwitchRulesAndBoundsHold) {
  ServerProcess a{{"--token-secret", kSecret}};
  RawClient mod(a.port()), pat(a.port()), tom(a.port()), gail(a.port());
  mod.join(kPanel, "Mo", "mod-1", {}, token("moderator", "Mo"));
  pat.join(kPanel, "Pat", "pat-1", {}, token("panelist", "Pat"));
  tom.join(kPanel, "Tom", "tom-1", {}, token("attendee", "Tom"));
  gail.join(kPanel, "Gail", "gail-1");
  for (auto* c : {&pat, &tom, &gail})
    EXPECT_EQ(code(c->command(set_rules("r", {}, false, {}))), "FORBIDDEN");
  EXPECT_EQ(code(mod.command(set_rules("big", {}, {}, 600'001))), "INVALID_ARGUMENT");
  EXPECT_EQ(code(mod.command(set_rules("none", {}, {}, {}))), "INVALID_ARGUMENT");
  auto same = mod.command(set_rules("same", false, true, 0));
  EXPECT_EQ(code(same), "OK");
  EXPECT_EQ(same.seq(), 0u) << "the rules as they are: nothing to publish";
  std::vector<v1::Event> saw;
  auto longest = mod.command(set_rules("max", {}, {}, 600'000), &saw);
  EXPECT_EQ(code(longest), "OK");
  EXPECT_EQ(longest.seq(), 1u) << "nothing before it was published";
  ASSERT_EQ(seqs(saw), std::vector<std::uint64_t>{1});
  EXPECT_EQ(shown(saw[0].panel_rules()), "premod=0 guests=1 slow=600000");
}

}  // namespace
}  // namespace panelwire::test
