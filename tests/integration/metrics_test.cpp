// The relay's metrics port against the real binary: a scripted panel, then
// a scrape whose figures are what the script did (joins and refusals by
// code, commands, events and the frames they made, sessions by role and
// subprotocol, closes by code, the latency histograms' counts); the port
// serves /metrics only, and the clients' port does not serve it at all.

#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "metrics_scrape.h"
#include "raw_client.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

const std::string kSecret = "metrics-test-secret-of-at-least-32-bytes";

v1::ClientMessage hello_with(const std::string& panel, const std::string& token) {
  v1::ClientMessage m;
  m.set_id("h");
  m.mutable_hello()->set_panel_id(panel);
  m.mutable_hello()->set_display_name("Eve");
  m.mutable_hello()->set_token(token);
  return m;
}

TEST(Metrics, AScrapeAfterAScriptedPanelCountsWhatTheScriptDid) {
  ServerProcess relay({"--metrics-listen", "127.0.0.1:0", "--token-secret", kSecret,
                       "--max-chat-chars", "100", "--max-frame-bytes", "4096"});
  const auto port = metrics_port(relay);
  ASSERT_NE(port, 0);

  auto mod =
      std::make_unique<RawClient>(relay.port(), RawOptions{.subprotocol = "panelwire.v1.proto"});
  mod->join("metrics", "Mo", "", {},
            mint_token(PANELWIRE_CLI_BIN, kSecret, "moderator", "Mo", "metrics"));
  RawClient ann(relay.port());                                         // JSON
  RawClient bob(relay.port(), {.subprotocol = "panelwire.v1.proto"});  // protobuf
  ann.join("metrics", "Ann");
  bob.join("metrics", "Bob");
  // A forged token is refused.
  RawClient eve(relay.port());
  auto refused = eve.command(hello_with("metrics", "not.a.token"));
  ASSERT_TRUE(refused.has_error());
  EXPECT_EQ(refused.error().code(), v1::UNAUTHENTICATED);

  for (int i = 0; i < 3; ++i) ASSERT_FALSE(ann.chat("a" + std::to_string(i), "hello").has_error());
  for (int i = 0; i < 2; ++i) ASSERT_FALSE(bob.chat("b" + std::to_string(i), "hi").has_error());
  auto retry = ann.chat("a0", "hello");  // a retry: applied once, answered again
  ASSERT_FALSE(retry.has_error());
  auto too_long = bob.chat("b9", std::string(101, 'x'));
  ASSERT_TRUE(too_long.has_error());
  EXPECT_EQ(too_long.error().code(), v1::TOO_LONG);
  // A frame over --max-frame-bytes: closed with 1009.
  RawClient big(relay.port());
  big.join("metrics", "Big");
  big.send_text(std::string(5000, ' '));
  EXPECT_EQ(big.read_until_close(), 1009);

  // The events reached everyone before the acks of the last command: each
  // of the three has read them (as its own command's ack came after).
  auto s = scrape(port);
  EXPECT_EQ(value(s, "panelwire_joins_total{result=\"accepted\"}"), 4);
  EXPECT_EQ(value(s, "panelwire_joins_total{result=\"UNAUTHENTICATED\"}"), 1);
  EXPECT_EQ(value(s, "panelwire_commands_total{result=\"applied\"}"), 6) << "5 chats and a retry";
  EXPECT_EQ(value(s, "panelwire_commands_total{result=\"TOO_LONG\"}"), 1);
  EXPECT_EQ(value(s, "panelwire_events_appended_total"), 5) << "the retry appended nothing";
  // Five events, each to the three members (Big joined after them).
  EXPECT_EQ(value(s, "panelwire_event_frames_total"), 15);
  EXPECT_EQ(value(s, "panelwire_closes_total{code=\"1009\"}"), 1);
  EXPECT_EQ(value(s, "panelwire_closes_total{code=\"4000\"}"), 0);
  EXPECT_EQ(value(s, "panelwire_sessions{role=\"moderator\",subprotocol=\"proto\"}"), 1);
  EXPECT_EQ(value(s, "panelwire_sessions{role=\"attendee\",subprotocol=\"json\"}"), 1)
      << "Ann (Eve never joined, Big is gone)";
  EXPECT_EQ(value(s, "panelwire_sessions{role=\"attendee\",subprotocol=\"proto\"}"), 1);
  EXPECT_EQ(value(s, "panelwire_sessions{role=\"panelist\",subprotocol=\"json\"}"), 0);
  EXPECT_EQ(value(s, "panelwire_engine_ready"), 1);
  EXPECT_EQ(value(s, "panelwire_panels"), 1);
  EXPECT_EQ(value(s, "panelwire_history_events"), 5);
  EXPECT_GT(value(s, "panelwire_history_bytes"), 5 * 5) << "at least the chats' own text";
  EXPECT_EQ(value(s, "panelwire_redis_reconnects_total"), -1) << "the embedded engine has none";
  // Each command that reached the engine was timed: the chats and the retry.
  EXPECT_EQ(value(s, "panelwire_append_duration_seconds_count"), 6);
  EXPECT_EQ(value(s, "panelwire_append_duration_seconds_bucket{le=\"+Inf\"}"), 6);
  // Each event fanned out once per shard holding members of the panel.
  const auto fanouts = value(s, "panelwire_fanout_duration_seconds_count");
  EXPECT_GE(fanouts, 5);
  EXPECT_LE(fanouts, 10);
  EXPECT_GE(value(s, "panelwire_connections"), 4) << "Mo, Ann, Bob, Eve; and the scrape's own";

  // Counters only grow; a client that leaves is no longer counted.
  ann.chat("a3", "one more");
  bob.chat("b3", "and one more");
  mod.reset();  // the moderator's connection closes
  for (int i = 0; i < 200; ++i) {
    s = scrape(port);
    if (value(s, "panelwire_sessions{role=\"moderator\",subprotocol=\"proto\"}") == 0) break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(value(s, "panelwire_sessions{role=\"moderator\",subprotocol=\"proto\"}"), 0);
  EXPECT_EQ(value(s, "panelwire_events_appended_total"), 7);
  EXPECT_EQ(value(s, "panelwire_commands_total{result=\"applied\"}"), 8);
}

// The metrics deploy/grafana/panelwire-dashboard.json charts whose names
// start with `prefix` (histograms by their family name).
std::set<std::string> charted(const std::string& prefix) {
  std::ifstream in(PANELWIRE_SOURCE_DIR "/deploy/grafana/panelwire-dashboard.json");
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  std::set<std::string> names;
  const std::regex name("panelwire_[a-z_]+");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator();
       ++it) {
    auto n = it->str();
    for (const std::string suffix : {"_bucket", "_count", "_sum"})
      if (n.ends_with(suffix)) n.resize(n.size() - suffix.size());
    if (n.starts_with(prefix)) names.insert(n);
  }
  return names;
}

TEST(Metrics, TheDashboardChartsOnlyWhatTheRelayServes) {
  ServerProcess relay({"--metrics-listen", "127.0.0.1:0"});
  const auto port = metrics_port(relay);
  ASSERT_NE(port, 0);
  const auto body = RawClient::http_get(port, "/metrics").second;
  auto names = charted("panelwire_");
  // The importer's are the importer's; Redis's only a relay on Redis serves
  // (RedisRelay.TheMetricsShowRedisRoundTripsAndReconnects reads both).
  std::erase_if(names, [](const std::string& n) {
    return n.starts_with("panelwire_importer_") || n.starts_with("panelwire_redis_");
  });
  ASSERT_GE(names.size(), 10u) << "the dashboard was read";
  for (const auto& n : names)
    EXPECT_NE(body.find("# TYPE " + n + " "), std::string::npos) << n << " is charted, not served";
}

TEST(Metrics, ThePortServesTheFiguresOnlyAndTheClientsPortNeverDoes) {
  ServerProcess relay({"--metrics-listen", "127.0.0.1:0"});
  const auto port = metrics_port(relay);
  ASSERT_NE(port, 0);
  auto [status, body] = RawClient::http_get(port, "/metrics");
  EXPECT_EQ(status, 200u);
  EXPECT_NE(body.find("# TYPE panelwire_commands_total counter"), std::string::npos) << body;
  EXPECT_EQ(RawClient::http_get(port, "/healthz").first, 404u);
  EXPECT_EQ(RawClient::http_get(port, "/").first, 404u);
  EXPECT_EQ(RawClient::try_upgrade(port, {}), 404u) << "no WebSocket on the metrics port";
  EXPECT_EQ(RawClient::http_get(relay.port(), "/metrics").first, 404u)
      << "the figures are never on the public port";

  // Off unless asked for: no such line, no such port.
  ServerProcess plain;
  EXPECT_EQ(plain.log().find("metrics_listening"), std::string::npos);
}

}  // namespace
}  // namespace panelwire::test
