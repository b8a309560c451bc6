// What docs/redis.md promises of a relay on Redis when Redis fails, each
// against a real panelwire-server and a real redis-server: reconnects paced
// by the documented backoff (an outage, a Redis refusing the password),
// ready only once a restarted Redis answers PING (not while it answers
// LOADING), AUTH and SELECT from the URL (the keys in that database, the
// password never in the log), a command retried with its id after an
// outage applied once (whether its first try landed or not), and a node
// cut off for longer than the panel's log reaches closing its sessions
// with 1013.

#include <algorithm>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "client_commands.h"
#include "metrics_scrape.h"
#include "redis_fault_proxy.h"
#include "redis_process.h"
#include "redis_relay_support.h"

namespace panelwire::test {
namespace {

using engine::RedisFaultProxy;
using engine::RedisProcess;

// ServerProcess runs `--threads 2`: two owners with a connection for
// commands and one for subscriptions each, and the leftovers' connection.
constexpr int kRelayConnections = 2 * 2 + 1;

// The most attempts one connection can make in `window` by the documented
// backoff (docs/redis.md: 100 ms doubling to 5 s): attempt k comes at least
// 100 + 200 + ... + min(100 * 2^(k-1), 5000) ms after the first one, or
// after the loss when `first_at_once` is false (the first retry waits too).
int most_attempts(Clock::duration window, bool first_at_once) {
  int attempts = first_at_once ? 1 : 0;
  std::chrono::milliseconds at{0}, backoff{100};
  while (true) {
    at += backoff;
    if (at > window) return attempts;
    ++attempts;
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, 5'000ms);
  }
}

// --- the reconnect backoff --------------------------------------------------

TEST(RedisRelay, AnOutageIsRetriedAtTheDocumentedPace) {
  RedisProcess redis;
  ServerProcess relay(relay_args(redis.url()));
  ASSERT_TRUE(readyz_becomes(relay, 200, 10s));
  const auto failed_before = count_of(relay.log(), "event=redis_connect_failed");

  const auto lost_at = Clock::now();
  redis.kill();
  ASSERT_TRUE(readyz_becomes(relay, 503, 5s)) << "not ready while Redis is out of reach";
  // A window is the only way to count a pace: about 3 s, in which the
  // documented backoff allows each connection its retries at 0.1, 0.3, 0.7,
  // 1.5 s (and 3.1 s). Retrying every 100 ms would be 30 each.
  std::this_thread::sleep_until(lost_at + 3s);
  const auto attempts = count_of(relay.log(), "event=redis_connect_failed") - failed_before;
  const auto window = Clock::now() - lost_at;
  EXPECT_GE(attempts, static_cast<std::size_t>(kRelayConnections))
      << "every connection retries (its first retry after 100 ms)";
  EXPECT_LE(attempts, static_cast<std::size_t>(kRelayConnections * most_attempts(window, false)))
      << "no connection retries sooner than the documented backoff allows";

  redis.restart();
  EXPECT_TRUE(readyz_becomes(relay, 200, 15s)) << "back once Redis is";
}

// --- what the metrics say of Redis ---------------------------------------------

TEST(RedisRelay, TheMetricsShowRedisRoundTripsAndReconnects) {
  RedisProcess redis;
  ServerProcess relay(relay_args(redis.url(), {"--metrics-listen", "127.0.0.1:0"}));
  ASSERT_TRUE(readyz_becomes(relay, 200, 10s));
  const auto port = metrics_port(relay);
  ASSERT_NE(port, 0);
  RawClient ann(relay.port());
  ann.join("measured", "Ann");
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(ann.chat("c" + std::to_string(i), "hi").has_error());
  auto s = scrape(port);
  EXPECT_GE(value(s, "panelwire_redis_round_trip_seconds_count"), 3) << "each append's script";
  EXPECT_EQ(value(s, "panelwire_redis_reconnects_total"), 0);
  EXPECT_EQ(value(s, "panelwire_panels"), 1) << "the panel Ann follows";
  EXPECT_EQ(value(s, "panelwire_history_events"), 3);

  redis.kill();
  ASSERT_TRUE(readyz_becomes(relay, 503, 5s));
  redis.restart();
  ASSERT_TRUE(readyz_becomes(relay, 200, 15s));
  // Ready again means every engine connection is back: each once.
  s = scrape(port);
  EXPECT_EQ(value(s, "panelwire_redis_reconnects_total"), kRelayConnections - 1)
      << "the engine's connections (the leftovers' own is not counted)";
}

// --- AUTH and SELECT ----------------------------------------------------------

TEST(RedisRelay, AWrongPasswordKeepsTheRelayNotReadyUnprintedAndRetriedAtThePace) {
  const std::string wrong = "wrong-password-7c1e9";
  RedisProcess redis(0, "the-right-password-0b52");
  const auto before = redis.info_number("stats", "total_connections_received");
  const auto started_at = Clock::now();
  ServerProcess relay(
      relay_args("redis://:" + wrong + "@127.0.0.1:" + std::to_string(redis.port()) + "/3"));
  ASSERT_TRUE(relay.log_shows("event=redis_auth_failed", kRelayConnections, 10s))
      << "Redis refused each connection's AUTH";
  EXPECT_EQ(readyz(relay), 503u) << "refused by Redis: not ready";
  // A window is the only way to count a pace (see above); from the start
  // each connection's attempts come at 0, 0.1, 0.3, 0.7, 1.5 (3.1) s.
  std::this_thread::sleep_until(started_at + 3s);
  // Less our own connection for INFO.
  const auto connections = redis.info_number("stats", "total_connections_received") - before - 1;
  const auto window = Clock::now() - started_at;
  EXPECT_GE(connections, 2 * kRelayConnections) << "each connection tries again";
  EXPECT_LE(connections, kRelayConnections * most_attempts(window, true))
      << "no sooner than the documented backoff allows";
  EXPECT_EQ(readyz(relay), 503u);

  const auto log = relay.log();
  EXPECT_NE(log.find("error=\"WRONGPASS\""), std::string::npos) << log;
  EXPECT_EQ(log.find(wrong), std::string::npos) << "the password is never printed:\n" << log;
}

TEST(RedisRelay, ARedisEchoingTheAuthCommandStillNeverPrintsThePassword) {
  // A Redis that does not know AUTH (renamed away here, as a proxy or an
  // old server may) answers "unknown command 'AUTH', with args beginning
  // with: '<the password>'".
  const std::string password = "echoed-password-5d3a8";
  RedisProcess redis(0, {}, {"--rename-command", "AUTH", ""});
  ServerProcess relay(
      relay_args("redis://:" + password + "@127.0.0.1:" + std::to_string(redis.port())));
  ASSERT_TRUE(relay.log_shows("event=redis_auth_failed", 2, 10s));
  EXPECT_EQ(readyz(relay), 503u);
  const auto log = relay.log();
  EXPECT_EQ(log.find(password), std::string::npos) << "the password is never printed:\n" << log;
}

TEST(RedisRelay, AuthAndSelectFromTheUrlPutThePanelInItsDatabase) {
  const std::string password = "db3-password-44f0a";
  RedisProcess redis(0, password);
  ServerProcess relay(
      relay_args("redis://:" + password + "@127.0.0.1:" + std::to_string(redis.port()) + "/3"));
  ASSERT_TRUE(readyz_becomes(relay, 200, 10s)) << relay.log();

  RawClient ann(relay.port());
  ann.join("db3", "Ann");
  auto asked = ann.command(with_id(ask("Left over?"), "q-1"));
  ASSERT_FALSE(asked.has_error()) << asked.DebugString();
  auto said = ann.chat("c-1", "hello in database 3");
  ASSERT_FALSE(said.has_error()) << said.DebugString();
  RawClient mod(relay.port());
  mod.join("db3", "Mod", "", {}, token("moderator", "Mod", "db3"));
  auto ended = mod.command(with_id(end_panel(), "end"));
  ASSERT_FALSE(ended.has_error()) << ended.DebugString();

  EXPECT_EQ(redis.call({"GET", "pw:{db3}:head"}, 3).text, std::to_string(ended.seq()))
      << "the panel's log is in database 3";
  EXPECT_EQ(redis.call({"XLEN", "pw:{db3}:log"}, 3).integer, static_cast<long long>(ended.seq()));
  EXPECT_EQ(redis.call({"XLEN", "pw:{leftovers}"}, 3).integer, 1) << "so are the leftovers";
  EXPECT_EQ(redis.call({"DBSIZE"}, 0).integer, 0) << "nothing in database 0";
  EXPECT_EQ(relay.log().find(password), std::string::npos);
}

// --- ready only after PING --------------------------------------------------

TEST(RedisRelay, ReadyOnlyOnceARestartedRedisAnswersPing) {
  RedisProcess redis;
  ServerProcess relay(relay_args(redis.url()));
  ASSERT_TRUE(readyz_becomes(relay, 200, 10s));
  RawClient ann(relay.port());
  ann.join("loading", "Ann");
  ASSERT_EQ(ann.chat("c-1", "before the restart").seq(), 1u);
  // Enough in the AOF for a slow load: 10,000 keys, each read back 300 us
  // late (key-load-delay, a setting Redis keeps for its own tests), with
  // clients answered every KiB of it: LOADING for some 3 to 5 s.
  ASSERT_FALSE(
      redis.call({"EVAL", "for i = 1, 10000 do redis.call('SET', 'filler:' .. i, 'x') end", "0"})
          .error);

  redis.restart({"--key-load-delay", "300", "--loading-process-events-interval-bytes", "1024"});
  int loading = 0;
  long long most_clients = 0;
  const auto deadline = Clock::now() + 30s;
  while (Clock::now() < deadline) {
    // /readyz first, PING after: Redis still LOADING at the PING was
    // LOADING at the /readyz too, so the relay must have said 503.
    const auto status = readyz(relay);
    const auto ping = redis.call({"PING"});
    if (!ping.error) break;
    ASSERT_TRUE(ping.text.starts_with("LOADING")) << ping.text;
    ++loading;
    EXPECT_EQ(status, 503u) << "ready while Redis still answers LOADING";
    most_clients = std::max(most_clients, redis.info_number("clients", "connected_clients"));
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_GE(loading, 5) << "Redis was seen LOADING; else this test proves nothing";
  // Our own connection, and the relay's (connected, answered LOADING).
  EXPECT_GT(most_clients, 1) << "the relay had connected while Redis was loading";
  EXPECT_TRUE(readyz_becomes(relay, 200, 15s)) << "ready once PING is answered";
  auto after = ann.chat("c-2", "after the restart");
  EXPECT_FALSE(after.has_error()) << after.DebugString();
  EXPECT_EQ(after.seq(), 2u);
}

// --- a retry after an outage ------------------------------------------------

// The first try of a command is cut with Redis (`how`), the client retries
// it with its id while Redis is out of reach and again once it is back:
// applied once, with one seq.
void retry_across_an_outage(RedisFaultProxy::Cut how) {
  RedisProcess redis;
  RedisFaultProxy proxy(redis.port());
  ServerProcess relay(relay_args("redis://127.0.0.1:" + std::to_string(proxy.port())));
  ASSERT_TRUE(readyz_becomes(relay, 200, 10s));
  RawClient writer(relay.port()), watcher(relay.port());
  writer.join("retry", "Writer");
  watcher.join("retry", "Watcher");
  ASSERT_EQ(writer.chat("c-0", "first").seq(), 1u);

  const std::string marker = "retried-after-the-outage-81d4";
  proxy.cut_at(marker, how);
  auto first = ack_of(writer, chat("c-1", marker), 10s);
  ASSERT_TRUE(first);
  ASSERT_TRUE(proxy.cut_done()) << "the append was cut";
  ASSERT_TRUE(first->has_error()) << first->DebugString();
  EXPECT_EQ(first->error().code(), v1::UNAVAILABLE);
  const bool landed = how == RedisFaultProxy::Cut::after_reply;
  ASSERT_EQ(redis.call({"GET", "pw:{retry}:head"}).text, landed ? "2" : "1")
      << (landed ? "Redis applied the first try" : "Redis never saw the first try");

  // While Redis is out of reach the retry fails too, and changes nothing.
  auto during = ack_of(writer, chat("c-1", marker), 10s);
  ASSERT_TRUE(during && during->has_error());
  EXPECT_EQ(during->error().code(), v1::UNAVAILABLE);

  proxy.set_down(false);
  ASSERT_TRUE(readyz_becomes(relay, 200, 15s));
  auto retried = ack_of(writer, chat("c-1", marker), 10s);
  ASSERT_TRUE(retried);
  ASSERT_FALSE(retried->has_error()) << retried->DebugString();
  EXPECT_EQ(retried->seq(), 2u) << "the first application's seq, or the next one";
  auto next = ack_of(writer, chat("c-2", "next"), 10s);
  ASSERT_TRUE(next && !next->has_error());
  EXPECT_EQ(next->seq(), 3u) << "nothing else was appended";

  int copies = 0;
  for (const auto& entry : redis.stream("pw:{retry}:log"))
    if (entry.at(1).find(marker) != std::string::npos) ++copies;
  EXPECT_EQ(copies, 1) << "the command is in the log once";
  std::vector<std::uint64_t> seen;
  int watched_copies = 0;
  while (seen.size() < 3) {
    auto m = watcher.read(10s);
    ASSERT_TRUE(m) << "the watcher got " << seen.size() << " events";
    if (!m->has_event()) continue;
    seen.push_back(m->event().seq());
    if (m->event().chat_posted().text() == marker) ++watched_copies;
  }
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2, 3})) << "no gap, no duplicate";
  EXPECT_EQ(watched_copies, 1);
  EXPECT_FALSE(writer.closed() || watcher.closed()) << "clients kept through the outage";
}

TEST(RedisRelay, ARetryOfACommandThatLandedBeforeTheOutageIsAppliedOnce) {
  retry_across_an_outage(RedisFaultProxy::Cut::after_reply);
}

TEST(RedisRelay, ARetryOfACommandLostInTheOutageIsAppliedOnce) {
  retry_across_an_outage(RedisFaultProxy::Cut::before_request);
}

// --- a gap the log no longer holds -------------------------------------------

TEST(RedisRelay, ANodeCutOffPastWhatTheLogHoldsClosesItsSessions1013AndTheyResumeFromASnapshot) {
  // Node A reaches Redis through a proxy that can cut it off; node B does
  // not. A short history: the log keeps about 20 entries, with a snapshot
  // every 10.
  RedisProcess redis;
  RedisFaultProxy proxy(redis.port());
  const std::vector<std::string> history = {"--history-events", "20"};
  ServerProcess a(relay_args("redis://127.0.0.1:" + std::to_string(proxy.port()), history));
  ServerProcess b(relay_args(redis.url(), history));
  ASSERT_TRUE(readyz_becomes(a, 200, 10s) && readyz_becomes(b, 200, 10s));
  RawClient watcher(a.port()), writer(b.port());
  watcher.join("gap", "Watcher");
  writer.join("gap", "Writer");
  ASSERT_EQ(writer.chat("c-0", "before").seq(), 1u);
  auto first = watcher.read(10s);
  ASSERT_TRUE(first && first->has_event() && first->event().seq() == 1u);

  proxy.set_down(true);
  ASSERT_TRUE(readyz_becomes(a, 503, 10s)) << "A lost Redis";
  constexpr std::uint64_t kWritten = 60;
  for (std::uint64_t i = 2; i <= kWritten; ++i)
    ASSERT_EQ(writer.chat("c-" + std::to_string(i), "while A is away").seq(), i);
  const auto kept = redis.stream("pw:{gap}:log").size();
  ASSERT_LT(kept, kWritten - 1) << "the log no longer holds what A missed; else no gap";

  proxy.set_down(false);
  ASSERT_TRUE(readyz_becomes(a, 200, 15s)) << "A is back";
  // A reloads the panel from its snapshot: what it missed is gone, so its
  // session cannot be brought up to date in the stream; it is told to
  // reconnect, and sees no gap before that.
  std::vector<std::uint64_t> seen;
  while (auto m = watcher.read(15s))
    if (m->has_event()) seen.push_back(m->event().seq());
  ASSERT_TRUE(watcher.closed()) << "seen " << seen.size() << " events\n" << a.log();
  EXPECT_EQ(watcher.close_code(), 1013) << "try again later";
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 2) << "no gap, in order";
  EXPECT_NE(a.log().find("event=panel_reload panel=gap"), std::string::npos) << a.log();

  // Reconnecting with its resume point, the client is told it is too old
  // and gets the panel as it is now.
  RawClient again(a.port());
  const auto resumed_after = seen.empty() ? 1u : seen.back();
  auto welcome = again.join("gap", "Watcher", "", resumed_after);
  EXPECT_EQ(welcome.resume(), v1::RESUME_TOO_OLD);
  EXPECT_EQ(welcome.seq(), kWritten);
  ASSERT_FALSE(welcome.recent_chat().empty());
  EXPECT_EQ(welcome.recent_chat().rbegin()->seq(), kWritten) << "the newest message is there";
  ASSERT_EQ(writer.chat("c-after", "after").seq(), kWritten + 1);
  auto next = again.read(10s);
  ASSERT_TRUE(next && next->has_event());
  EXPECT_EQ(next->event().seq(), kWritten + 1) << "and the live stream from there";
}
}  // namespace
}  // namespace panelwire::test
