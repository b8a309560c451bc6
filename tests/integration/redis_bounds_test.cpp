// What docs/redis.md promises of a relay on Redis under load and over
// time, each against a real panelwire-server and a real redis-server: the
// 2 s append deadline, the 10,000 commands waiting on one panel, a
// connection read no further past --max-inflight-commands, and the
// retention of the leftovers' stream, their batch markers and an ended
// panel's keys.

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../leftover_ids.h"
#include "client_commands.h"
#include "redis_process.h"
#include "redis_relay_support.h"

namespace panelwire::test {
namespace {

using engine::RedisProcess;

// --- the append deadline and the queue bound ---------------------------------

TEST(RedisRelay, ACommandStillLosingAfterTwoSecondsFailsAndTheConnectionStays) {
  RedisProcess redis;
  ServerProcess relay(relay_args(redis.url()));
  ASSERT_TRUE(readyz_becomes(relay, 200, 10s));
  RawClient writer(relay.port());
  writer.join("busy", "Writer");
  ASSERT_EQ(writer.chat("c-0", "first").seq(), 1u);

  // Another appender holds the panel's turn (docs/redis.md, Fairness) and
  // never appends: every attempt of ours is refused.
  ASSERT_FALSE(redis.call({"SET", "pw:{busy}:turn", "another-node", "PX", "60000"}).error);
  const auto sent_at = Clock::now();
  auto refused = ack_of(writer, chat("c-1", "losing"), 15s);
  const auto waited = Clock::now() - sent_at;
  ASSERT_TRUE(refused) << "answered within 15 s";
  ASSERT_TRUE(refused->has_error()) << refused->DebugString();
  EXPECT_EQ(refused->error().code(), v1::UNAVAILABLE);
  // A deadline cannot pass early; how much later it is answered is the
  // machine's business.
  EXPECT_GE(waited, 2s) << "refused only after losing for 2 s";
  EXPECT_EQ(redis.call({"GET", "pw:{busy}:head"}).text, "1") << "nothing was applied";

  ASSERT_FALSE(redis.call({"DEL", "pw:{busy}:turn"}).error);
  auto retried = ack_of(writer, chat("c-1", "losing"), 10s);
  ASSERT_TRUE(retried);
  EXPECT_FALSE(retried->has_error()) << "the same connection goes on: " << retried->DebugString();
  EXPECT_EQ(retried->seq(), 2u);
  EXPECT_FALSE(writer.closed());
}

TEST(RedisRelay, PastTenThousandCommandsWaitingOnAPanelMoreAreRefused) {
  // Redis paused (SIGSTOP): it holds the connection open and answers
  // nothing, so one append waits in flight and the next commands wait on
  // the panel's replica. No AOF: 10,000 appends in a row must be quick.
  RedisProcess redis(0, {}, {"--appendonly", "no"});
  ServerProcess relay(relay_args(
      redis.url(), {"--max-inflight-commands", "20000", "--outbound-queue-bytes", "67108864"}));
  ASSERT_TRUE(readyz_becomes(relay, 200, 10s));
  RawClient writer(relay.port(), {.subprotocol = "panelwire.v1.proto"});
  writer.join("queue", "Writer");

  constexpr int kInFlight = 1, kQueued = 10'000, kOver = 3;
  redis.pause();
  for (int i = 0; i < kInFlight + kQueued + kOver; ++i)
    writer.send(chat("q" + std::to_string(i), "m" + std::to_string(i)));
  // While Redis answers nothing, only the commands past the bound are
  // answered: at once, UNAVAILABLE.
  for (int i = kInFlight + kQueued; i < kInFlight + kQueued + kOver; ++i) {
    auto a = next_ack(writer, 20s);
    ASSERT_TRUE(a) << "no answer for q" << i << " while Redis is paused";
    EXPECT_EQ(a->id(), "q" + std::to_string(i));
    ASSERT_TRUE(a->has_error()) << a->DebugString();
    EXPECT_EQ(a->error().code(), v1::UNAVAILABLE);
  }
  redis.resume();
  // Then every waiting command is applied, in order.
  for (int i = 0; i < kInFlight + kQueued; ++i) {
    auto a = next_ack(writer, 20s);
    ASSERT_TRUE(a) << "no answer for q" << i;
    ASSERT_EQ(a->id(), "q" + std::to_string(i));
    ASSERT_FALSE(a->has_error()) << a->DebugString();
    ASSERT_EQ(a->seq(), static_cast<std::uint64_t>(i + 1));
  }
  auto after = ack_of(writer, chat("after", "after"), 10s);
  ASSERT_TRUE(after && !after->has_error());
  EXPECT_EQ(after->seq(), static_cast<std::uint64_t>(kInFlight + kQueued + 1));
  EXPECT_FALSE(writer.closed()) << "the connection stays";
}

// --max-inflight-commands: past that many commands awaiting their acks the
// relay reads no more of the connection (the backpressure reaches the
// client's socket), so even a Ping, which needs nothing of Redis, is read
// only once the first command's ack frees a place.
TEST(RedisRelay, PastTheInflightCapTheRelayReadsNothingMoreOfTheConnection) {
  RedisProcess redis(0, {}, {"--appendonly", "no"});
  ServerProcess relay(relay_args(redis.url(), {"--max-inflight-commands", "2"}));
  ASSERT_TRUE(readyz_becomes(relay, 200, 10s));
  RawClient c(relay.port());
  c.join("capped", "Writer");
  redis.pause();
  c.send(chat("c1", "one"));
  c.send(chat("c2", "two"));
  v1::ClientMessage ping;
  ping.set_id("p");
  ping.mutable_ping();
  c.send(ping);
  // Long enough that a Ping read now would be answered well before Redis
  // answers anything: the order below is the evidence, not this wait.
  std::this_thread::sleep_for(300ms);
  redis.resume();
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    auto a = next_ack(c, 10s);
    ASSERT_TRUE(a) << "no answer after " << order.size();
    ASSERT_FALSE(a->has_error()) << a->DebugString();
    order.push_back(a->id());
  }
  EXPECT_EQ(order.front(), "c1") << "the Ping waited behind the two in flight";
  EXPECT_LT(std::find(order.begin(), order.end(), "c1"),
            std::find(order.begin(), order.end(), "c2"));
}

// --- retention of the leftovers and of an ended panel -----------------------

TEST(RedisRelay, TheLeftoversStreamIsCappedAndBatchMarkersLastThirtyDays) {
  RedisProcess redis(0, {}, {"--appendonly", "no"});
  // A backlog nobody imported: past the documented cap of about 1,000,000.
  constexpr long long kCap = 1'000'000, kFilled = kCap + 300;
  for (long long done = 0; done < kFilled; done += 100'000) {
    auto n = std::min<long long>(100'000, kFilled - done);
    ASSERT_FALSE(redis
                     .call({"EVAL",
                            "for i = 1, tonumber(ARGV[1]) do redis.call('XADD', KEYS[1], '*', "
                            "'id', 'old', 'leftover', '') end",
                            "1", "pw:{leftovers}", std::to_string(n)})
                     .error);
  }
  ASSERT_EQ(redis.call({"XLEN", "pw:{leftovers}"}).integer, kFilled);

  ServerProcess relay(relay_args(redis.url()));
  ASSERT_TRUE(readyz_becomes(relay, 200, 10s));
  RawClient ann(relay.port());
  ann.join("kept", "Ann");
  for (auto id : {"q-1", "q-2"})
    ASSERT_FALSE(ann.command(with_id(ask(std::string("question ") + id), id)).has_error());
  constexpr long long kDay = 24 * 3600;
  auto panel_ttl = redis.call({"TTL", "pw:{kept}:head"}).integer;
  EXPECT_GT(panel_ttl, 7 * kDay - 120) << "a panel's keys live 7 days after its last event";
  EXPECT_LE(panel_ttl, 7 * kDay);

  RawClient mod(relay.port());
  mod.join("kept", "Mod", "", {}, token("moderator", "Mod", "kept"));
  auto ended = mod.command(with_id(end_panel(), "end"));
  ASSERT_FALSE(ended.has_error()) << ended.DebugString();

  const auto length = redis.call({"XLEN", "pw:{leftovers}"}).integer;
  // MAXLEN ~ trims whole stream nodes (100 entries at most,
  // stream-node-max-entries), never below the bound.
  EXPECT_GE(length, kCap);
  EXPECT_LT(length, kCap + 100) << "trimmed to about 1,000,000 entries";
  auto newest = redis.call({"XREVRANGE", "pw:{leftovers}", "+", "-", "COUNT", "2"}).items;
  std::multiset<std::string> questions;
  std::string life;  // "kept/<start>", what the batch's marker is named by too
  for (const auto& item : newest) {
    if (item.rfind("kept/", 0) != 0) continue;
    questions.insert(testing_support::without_start(item));
    life = item.substr(0, item.rfind('/'));
  }
  EXPECT_EQ(questions, (std::multiset<std::string>{"kept/1", "kept/2"}))
      << "the newest are the panel's";
  auto marker = "pw:{leftovers}:batch:" + life + "/" + std::to_string(ended.seq());
  auto marker_ttl = redis.call({"TTL", marker}).integer;
  EXPECT_GT(marker_ttl, 30 * kDay - 120) << marker << " lives 30 days";
  EXPECT_LE(marker_ttl, 30 * kDay);
  auto ended_ttl = redis.call({"TTL", "pw:{kept}:head"}).integer;
  EXPECT_GT(ended_ttl, 30 * kDay - 120)
      << "an ended panel's keys live 30 days after its last event: the forum's follow-up";
  EXPECT_LE(ended_ttl, 30 * kDay);
}

}  // namespace
}  // namespace panelwire::test
