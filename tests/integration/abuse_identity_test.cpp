// Attacks on who is who, as a guest on the open internet would make them,
// each against the real server binary: taking another's identity, many
// identities from one address, secrets, foreign pages, proxies.

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "abuse_support.h"
#include "haproxy_process.h"
#include "raw_client.h"
#include "redis_process.h"
#include "server_process.h"

namespace panelwire::test {
namespace {

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

  auto missing = started({"--token-secret-file", "/nonexistent/token.secret"});
  EXPECT_NE(missing.find("cannot read --token-secret-file"), std::string::npos) << missing;
  auto bad_proxy = started({"--trusted-proxy", "10.0.0.0/33"});
  EXPECT_NE(bad_proxy.find("--trusted-proxy wants an IP address or CIDR range"), std::string::npos)
      << bad_proxy;

  auto bad_url = started({"--redis", "redis://:hunter2-password@127.0.0.1:1/notanumber"});
  EXPECT_NE(bad_url.find("not a number"), std::string::npos) << bad_url;
  EXPECT_EQ(bad_url.find("hunter2"), std::string::npos) << "the password is masked";
  EXPECT_NE(bad_url.find("***"), std::string::npos);
}

// Sockpuppets: fresh client ids from one address to multiply votes. The
// address's joins are paced and its connections capped, so the attack
// costs the attacker time instead of costing the panel its vote count.
TEST(Abuse, SockpuppetsFromOneAddressArePacedAndCapped) {
  ServerProcess server({"--max-connections-per-address", "20", "--joins-per-address-per-minute",
                        "6", "--join-burst-per-address", "10"});
  std::vector<std::unique_ptr<RawClient>> puppets;
  int joined = 0, rate_limited = 0, refused_connections = 0;
  for (int i = 0; i < 30; ++i) {
    std::unique_ptr<RawClient> c;
    try {
      c = std::make_unique<RawClient>(server.port());
    } catch (const std::exception&) {
      ++refused_connections;
      continue;
    }
    auto h = hello("votes", "Puppet " + std::to_string(i));
    h.mutable_hello()->set_client_id("puppet-" + std::to_string(i));
    c->send(h);
    for (auto m = c->read(); m; m = c->read()) {
      if (!m->has_ack()) continue;
      if (m->ack().has_error()) {
        EXPECT_EQ(m->ack().error().code(), v1::RATE_LIMITED);
        EXPECT_GT(m->ack().error().retry_after_ms(), 0u) << "says when to come back";
        ++rate_limited;
      } else {
        ++joined;
      }
      break;
    }
    puppets.push_back(std::move(c));
  }
  // One more identity each 10 s: none within the loop, however slow the run.
  EXPECT_EQ(joined, 10) << "the burst, then nothing until the bucket refills";
  EXPECT_EQ(rate_limited, 10);
  EXPECT_EQ(refused_connections, 10) << "20 connections from one address at most";
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {}) == 101, false);
  puppets.clear();
  // The connections are released with their sockets: the address may
  // connect again (and join again once its bucket refills).
  bool reconnected = false;
  for (int i = 0; i < 200 && !reconnected; ++i) {
    reconnected = RawClient::try_upgrade(server.port(), {}) == 101;
    if (!reconnected) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(reconnected);
}

// Behind a trusted proxy, each client is counted by the address the proxy
// names; the proxy itself is never capped as one client.
TEST(Abuse, ClientsBehindATrustedProxyAreCountedByTheirOwnAddress) {
  ServerProcess server({"--max-connections-per-address", "2", "--trusted-proxy", "127.0.0.1"});
  std::vector<std::unique_ptr<RawClient>> held;
  for (const char* client : {"203.0.113.7", "203.0.113.7", "198.51.100.1", "198.51.100.1"})
    held.push_back(std::make_unique<RawClient>(server.port(), RawOptions{.forwarded_for = client}));
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {.forwarded_for = "203.0.113.7"}), 429u);
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {.forwarded_for = "10.9.9.9, 203.0.113.7"}), 429u)
      << "the last hop (added by our proxy) counts, not what the client wrote";
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {.forwarded_for = "203.0.113.7",
                                                   .forwarded_for_first = "192.0.2.99"}),
            429u)
      << "a line of the client's own before the proxy's line changes nothing";
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {.forwarded_for = "192.0.2.44"}), 101u);
}

// Through the haproxy configuration deploy/ runs: whatever X-Forwarded-For
// a client writes itself, the relay counts it by the address haproxy saw.
TEST(Abuse, ClientsCannotPassForOthersThroughTheProxy) {
  ServerProcess server({"--max-connections-per-address", "2", "--trusted-proxy", "127.0.0.1"});
  HaproxyProcess proxy({server.port()});
  std::vector<std::unique_ptr<RawClient>> held;
  for (const char* claimed : {"198.51.100.1", "198.51.100.2"})
    held.push_back(std::make_unique<RawClient>(proxy.port(), RawOptions{.forwarded_for = claimed}));
  EXPECT_EQ(RawClient::try_upgrade(proxy.port(), {.forwarded_for = "198.51.100.3"}), 429u)
      << "all three came from 127.0.0.1, whatever they claimed";
  EXPECT_EQ(RawClient::try_upgrade(proxy.port(), {.forwarded_for = "198.51.100.4, 198.51.100.5",
                                                  .forwarded_for_first = "198.51.100.6"}),
            429u);
  held.pop_back();
  bool reconnected = false;
  for (int i = 0; i < 200 && !reconnected; ++i) {
    reconnected = RawClient::try_upgrade(proxy.port(), {}) == 101;
    if (!reconnected) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(reconnected) << "a slot given back is free again";
}

// Another site's page may not open sessions with its visitors' browsers;
// the relay's own pages, listed origins and non-browser clients may.
TEST(Abuse, ForeignOriginsAreRefusedAtTheUpgrade) {
  ServerProcess server;
  const auto self = "http://127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {.origin = "https://evil.example"}), 403u);
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {.origin = self + ".evil.example"}), 403u);
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {.origin = self}), 101u);
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {}), 101u) << "no Origin: not a browser";

  ServerProcess listed({"--allowed-origin", "https://webinar.example.org"});
  EXPECT_EQ(RawClient::try_upgrade(listed.port(), {.origin = "https://webinar.example.org"}), 101u);
  EXPECT_EQ(RawClient::try_upgrade(listed.port(), {.origin = "https://evil.example"}), 403u);
}

TEST(Abuse, PagesCarryTheirSecurityHeaders) {
  auto index = temp_path("index.html");
  std::FILE* f = std::fopen(index.c_str(), "w");
  std::fputs("<!doctype html><title>p</title>", f);
  std::fclose(f);
  ServerProcess server({"--web-root", index.substr(0, index.rfind('/')), "--frame-ancestors",
                        "'self' https://webinar.example.org"});
  auto [status, headers, body] = RawClient::http_exchange(server.port(), "/p/demo");
  ASSERT_EQ(status, 200u);
  EXPECT_NE(headers.find("Referrer-Policy: no-referrer"), std::string::npos) << headers;
  EXPECT_NE(headers.find("Content-Security-Policy: default-src 'self'"), std::string::npos);
  EXPECT_NE(headers.find("frame-ancestors 'self' https://webinar.example.org"), std::string::npos);
  EXPECT_NE(headers.find("object-src 'none'"), std::string::npos);
}

// A client's retry after a reconnect is recognised however much others
// sent meanwhile: puppets sending thousands of commands between the first
// try and the retry cannot make the panel apply it twice.
TEST(Abuse, OthersTrafficCannotMakeARetryApplyTwice) {
  ServerProcess server({"--chat-per-minute", "0"});
  std::uint64_t first_seq = 0;
  {
    RawClient victim(server.port());
    victim.join("retries", "Victim", "victim-client");
    auto ack = victim.chat("only-once", "sent once, retried once");
    ASSERT_FALSE(ack.has_error());
    first_seq = ack.seq();
  }
  // More commands than a panel-wide window of 4,096 would hold.
  for (int p = 0; p < 3; ++p) {
    RawClient puppet(server.port());
    puppet.join("retries", "Puppet", "puppet-" + std::to_string(p));
    for (int i = 0; i < 1400; ++i)
      ASSERT_FALSE(puppet.chat("p" + std::to_string(i), "flush").has_error());
  }
  RawClient victim(server.port());
  victim.join("retries", "Victim", "victim-client");
  auto retry = victim.chat("only-once", "sent once, retried once");
  ASSERT_FALSE(retry.has_error()) << retry.DebugString();
  EXPECT_EQ(retry.seq(), first_seq) << "the retry answers with the first try's seq";
  // Nothing new was appended: the next chat follows the puppets' last.
  auto next = victim.chat("next", "after");
  EXPECT_EQ(next.seq(), first_seq + 3 * 1400 + 1);
}

}  // namespace
}  // namespace panelwire::test
