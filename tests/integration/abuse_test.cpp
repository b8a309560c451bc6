// Attacks on the relay as a guest on the open internet would make them, each
// against the real server binary: the attack first, then what the relay
// must still do for everyone else.

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "raw_client.h"
#include "redis_process.h"
#include "server_process.h"

namespace panelwire::test {
namespace {

v1::ClientMessage hello(const std::string& panel, const std::string& name) {
  v1::ClientMessage m;
  m.set_id("hello");
  m.mutable_hello()->set_panel_id(panel);
  m.mutable_hello()->set_display_name(name);
  return m;
}

// The server stopped with SIGTERM: it exits 0 with no session left over.
void expect_clean_stop(ServerProcess& server) {
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_NE(server.log().find("event=stopped sessions_left=0"), std::string::npos)
      << "every session ended";
}

// A panel whose fresh Welcome (JSON) is larger than the cap that cuts slow
// consumers; 50 connections join it, never read, and send one more command.
TEST(Abuse, WelcomeOverTheCapNeverClosesASessionTwice) {
  ServerProcess server({"--outbound-queue-bytes", "131072", "--max-frame-bytes", "16384",
                        "--socket-send-buffer-bytes", "16384", "--close-timeout-ms", "1000",
                        "--snapshot-chat", "50"});
  {
    RawClient filler(server.port());
    filler.join("big", "Filler");
    // U+0001 is six bytes in JSON ("\u0001"): 12 KB a message, ~240 KB of
    // recent chat in the Welcome, almost twice the cap.
    const std::string text(2000, '\x01');
    for (int i = 0; i < 20; ++i)
      ASSERT_FALSE(filler.chat("f" + std::to_string(i), text).has_error());
  }
  const long rss_before = server.rss_kib();

  std::vector<std::unique_ptr<RawClient>> attackers;
  for (int i = 0; i < 50; ++i) {
    attackers.push_back(std::make_unique<RawClient>(server.port(), RawOptions{.rcvbuf = 4096}));
    attackers.back()->send(hello("big", "Stalled " + std::to_string(i)));
    v1::ClientMessage ping;
    ping.set_id("one-more");
    ping.mutable_ping();
    attackers.back()->send(ping);
  }

  // An ordinary client joins the same panel fresh, gets its Welcome with
  // the whole snapshot, and chats on while the attackers sit there.
  RawClient ordinary(server.port());
  auto w = ordinary.join("big", "Ordinary");
  EXPECT_EQ(w.resume(), v1::FRESH);
  EXPECT_EQ(w.recent_chat_size(), 20);
  // Live traffic past the attackers' catch-up budget: each is cut.
  const std::string line(1000, 'x');
  std::vector<v1::Event> events;
  for (int i = 0; i < 200; ++i) {
    auto ack = ordinary.chat("o" + std::to_string(i), line, &events);
    ASSERT_FALSE(ack.has_error()) << ack.DebugString();
  }
  EXPECT_FALSE(ordinary.closed()) << "the ordinary client keeps its connection";

  for (auto& a : attackers) {
    auto code = a->read_until_close(20s);
    EXPECT_TRUE(code == v1::SLOW_CONSUMER || code == 0) << "close code " << code;
  }
  attackers.clear();
  const long rss_after = server.rss_kib();
  RecordProperty("rss_before_kib", std::to_string(rss_before));
  RecordProperty("rss_after_kib", std::to_string(rss_after));

  // One more ordinary join still works, and the server stops cleanly.
  RawClient late(server.port(), {.subprotocol = "panelwire.v1.proto"});
  EXPECT_EQ(late.join("big", "Late").resume(), v1::FRESH);
  EXPECT_FALSE(late.chat("late", "hello").has_error());
  expect_clean_stop(server);
}

// The join deadline covers the whole join, not only the wait for Hello: a
// join stuck in the engine (here: Redis stopped) ends at the deadline.
TEST(Abuse, StuckJoinEndsAtTheJoinDeadline) {
  engine::RedisProcess redis;
  ServerProcess server({"--redis", redis.url(), "--join-timeout-ms", "1000"});
  for (int i = 0; i < 500 && RawClient::http_get(server.port(), "/readyz").first != 200; ++i)
    std::this_thread::sleep_for(10ms);
  {
    RawClient warm(server.port());
    warm.join("slow", "Warm");
  }
  ::kill(redis.pid(), SIGSTOP);
  RawClient c(server.port());
  c.send(hello("stuck", "Eve"));
  EXPECT_EQ(c.read_until_close(5s), 1008) << "policy close at the join deadline";
  ::kill(redis.pid(), SIGCONT);
  // A refused Hello followed by silence ends there too.
  RawClient idle(server.port());
  idle.send(hello("no spaces allowed", "Eve"));
  auto ack = idle.read();
  ASSERT_TRUE(ack && ack->has_ack());
  EXPECT_EQ(ack->ack().error().code(), v1::INVALID_ARGUMENT);
  EXPECT_EQ(idle.read_until_close(5s), 1008);
  expect_clean_stop(server);
}

// A guest's public id (in every chat event) gives no way to join as that
// guest: ids are keyed hashes of the client id, not a hash anyone can invert.
TEST(Abuse, AGuestsPublicIdCannotBeTurnedIntoTheirIdentity) {
  const std::string ids = "an-id-secret-shared-by-every-node-0123";
  ServerProcess server({"--id-secret", ids});
  RawClient victim(server.port());
  const auto victim_id = victim.join("p", "Victim", "victim-client-id").you().id();
  ASSERT_EQ(victim_id.size(), 34u) << victim_id;
  EXPECT_EQ(victim_id.rfind("g:", 0), 0u);

  RawClient attacker(server.port());
  attacker.join("p", "Attacker");
  std::vector<v1::Event> seen;
  victim.chat("c1", "hello");
  ASSERT_FALSE(attacker.chat("c2", "hi", &seen).has_error());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().chat_posted().author().id(), victim_id) << "what every attendee sees";
  // Whatever client id the attacker derives from what it saw, it is not
  // the victim: only the victim's own client id (never sent to anyone)
  // maps to the victim's id under the server's secret.
  for (const auto& forged :
       {victim_id, victim_id.substr(2), std::string("victim"), std::string("victim-client-id-")}) {
    RawClient again(server.port());
    v1::ClientMessage m;
    m.set_id("hello");
    m.mutable_hello()->set_panel_id("p");
    m.mutable_hello()->set_display_name("Victim");
    m.mutable_hello()->set_client_id(forged);
    again.send(m);
    auto w = again.read();
    ASSERT_TRUE(w && w->has_welcome());
    EXPECT_NE(w->welcome().you().id(), victim_id) << forged;
  }
  // The victim itself, reconnecting with its client id, is still itself;
  // and a node with the same id secret gives it the same id.
  RawClient back(server.port());
  EXPECT_EQ(back.join("p", "Victim", "victim-client-id").you().id(), victim_id);
  ServerProcess other({"--id-secret", ids});
  RawClient elsewhere(other.port());
  EXPECT_EQ(elsewhere.join("p", "Victim", "victim-client-id").you().id(), victim_id);
  ServerProcess unkeyed({"--id-secret", "a-different-secret-0123456789abcdef"});
  RawClient there(unkeyed.port());
  EXPECT_NE(there.join("p", "Victim", "victim-client-id").you().id(), victim_id);
}

// Secrets: too short to resist an offline guess is refused at start, each
// can come from a file or the environment, and none reaches a log line.
TEST(Abuse, ShortSecretsRefusedAndSecretsStayOutOfLogs) {
  auto started = [](std::vector<std::string> args) -> std::string {
    try {
      ServerProcess s(std::move(args));
      return "started";
    } catch (const std::exception& e) {
      return e.what();
    }
  };
  auto refused = started({"--token-secret", "dev-secret"});
  EXPECT_NE(refused.find("at least 32 bytes"), std::string::npos) << refused;

  const auto file = temp_path("token.secret");
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    std::fputs("a-token-secret-from-a-file-0123456789\n", f);
    std::fclose(f);
  }
  EXPECT_EQ(started({"--token-secret-file", file}), "started");
  ::setenv("PANELWIRE_TOKEN_SECRET", "short", 1);
  refused = started({});
  ::unsetenv("PANELWIRE_TOKEN_SECRET");
  EXPECT_NE(refused.find("at least 32 bytes"), std::string::npos) << "the environment counts too";

  auto bad_url = started({"--redis", "redis://:hunter2-password@127.0.0.1:1/notanumber"});
  EXPECT_NE(bad_url.find("not a number"), std::string::npos) << bad_url;
  EXPECT_EQ(bad_url.find("hunter2"), std::string::npos) << "the password is masked";
  EXPECT_NE(bad_url.find("***"), std::string::npos);
}

}  // namespace
}  // namespace panelwire::test
