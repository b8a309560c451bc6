// The panel log in Redis: compare-and-append gives one order even when two
// nodes race, entries read back by seq, the live channel carries each entry
// once, and every key of a panel shares its hash tag.

#include <mutex>
#include <thread>

#include "redis_panel_log.h"
#include "redis_test_support.h"

namespace panelwire::engine {
namespace {

using RedisPanelLogTest = RedisTest;
using Appended = core::Result<RedisPanelLog::AppendResult>;

v1::LogEntry entry(std::uint64_t seq, const std::string& text, const std::string& key = {}) {
  v1::LogEntry e;
  e.mutable_event()->set_seq(seq);
  e.mutable_event()->mutable_chat_posted()->set_text(text);
  e.set_dedup_key(key);
  return e;
}

TEST(RedisPanelKeys, ShareThePanelsHashTag) {
  auto k = keys_for("nov-panel");
  for (const auto& key : {k.head, k.log, k.live, k.snapshot})
    EXPECT_NE(key.find("{nov-panel}"), std::string::npos) << key;
}

TEST_F(RedisPanelLogTest, AppendsOnlyOnTheExpectedHead) {
  auto c = connect();
  RedisPanelLog log(c, 1000, 1u << 30);
  auto append = [&](std::uint64_t expected, const v1::LogEntry& e) {
    return on<Appended>(io_, [&](auto done) { log.append("p", expected, e, false, done); });
  };
  for (std::uint64_t i = 1; i <= 3; ++i) {
    auto r = append(i - 1, entry(i, "m" + std::to_string(i), "client/" + std::to_string(i)));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_TRUE(r->appended);
    EXPECT_EQ(r->head, i);
  }
  auto stale = append(1, entry(2, "decided on a stale replica"));
  ASSERT_TRUE(stale.has_value());
  EXPECT_FALSE(stale->appended);
  EXPECT_EQ(stale->head, 3u) << "the caller learns where to catch up to";

  auto after1 = on<core::Result<std::vector<v1::LogEntry>>>(
      io_, [&](auto done) { log.read_after("p", 1, 100, done); });
  ASSERT_TRUE(after1.has_value());
  ASSERT_EQ(after1->size(), 2u);
  EXPECT_EQ((*after1)[0].event().seq(), 2u);
  EXPECT_EQ((*after1)[1].event().chat_posted().text(), "m3");
  EXPECT_EQ((*after1)[1].dedup_key(), "client/3");
  auto head = on<core::Result<std::uint64_t>>(io_, [&](auto done) { log.head("p", done); });
  EXPECT_EQ(*head, 3u);
  EXPECT_EQ(*on<core::Result<std::uint64_t>>(io_, [&](auto done) { log.head("empty", done); }), 0u);
  stop(c);
}

TEST_F(RedisPanelLogTest, AnAppenderThatKeepsLosingClaimsTheTurn) {
  auto a = connect(), b = connect();
  RedisPanelLog log_a(a, 1000, 1u << 30), log_b(b, 1000, 1u << 30);
  auto append = [&](RedisPanelLog& log, std::uint64_t expected, bool claim) {
    return on<Appended>(io_, [&](auto done) {
      log.append("turn", expected, entry(expected + 1, "x"), claim, done);
    });
  };
  ASSERT_TRUE(append(log_a, 0, false)->appended);
  auto lost = append(log_b, 0, true);
  ASSERT_FALSE(lost->appended);
  ASSERT_EQ(lost->missed.size(), 1u) << "the refusal brings what b lacked";
  EXPECT_EQ(lost->missed[0].event().seq(), 1u);
  auto waits = append(log_a, 1, false);
  EXPECT_FALSE(waits->appended) << "b holds the turn: a waits though its head is current";
  EXPECT_EQ(waits->head, 1u);
  EXPECT_TRUE(waits->missed.empty());
  auto b_goes = append(log_b, 1, true);
  ASSERT_TRUE(b_goes->appended);
  EXPECT_EQ(b_goes->head, 2u);
  EXPECT_TRUE(append(log_a, 2, false)->appended) << "the turn ends with b's append";
  stop(a);
  stop(b);
}

TEST_F(RedisPanelLogTest, RacingNodesGetOneOrderWithNoSeqTwice) {
  // Two connections stand for two nodes; each decides on its replica's head
  // and retries from the head it learns when it loses.
  auto a = connect(), b = connect(), sub = connect();
  RedisPanelLog log_a(a, 10'000, 1u << 30), log_b(b, 10'000, 1u << 30);
  std::mutex m;
  std::vector<std::uint64_t> live;
  ASSERT_TRUE((on<core::Result<RedisValue>>(io_, [&](auto done) {
                sub->subscribe(
                    keys_for("race").live,
                    [&](auto&, const std::string& payload) {
                      v1::LogEntry e;
                      e.ParseFromString(payload);
                      std::lock_guard lock(m);
                      live.push_back(e.event().seq());
                    },
                    done);
              })).has_value());

  constexpr int kEach = 100;
  struct Node {
    RedisPanelLog* log;
    std::uint64_t head = 0;
    int sent = 0, conflicts = 0;
  };
  Node na{&log_a}, nb{&log_b};
  std::promise<void> finished;
  int done_nodes = 0;
  std::function<void(Node&)> step = [&](Node& n) {
    if (n.sent == kEach) {
      if (++done_nodes == 2) finished.set_value();
      return;
    }
    n.log->append("race", n.head, entry(n.head + 1, "x"), false, [&](Appended r) {
      ASSERT_TRUE(r.has_value());
      if (!r->appended) n.conflicts++;
      if (r->appended) n.sent++;
      n.head = r->head;
      step(n);
    });
  };
  boost::asio::post(io_.executor(), [&] {
    step(na);
    step(nb);
  });
  finished.get_future().wait();
  EXPECT_GT(na.conflicts + nb.conflicts, 0) << "the race happened";

  auto all = on<core::Result<std::vector<v1::LogEntry>>>(
      io_, [&](auto done) { log_a.read_after("race", 0, 1000, done); });
  ASSERT_EQ(all->size(), 2u * kEach);
  for (std::size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].event().seq(), i + 1);
  ASSERT_TRUE(run(a, {"PING"}).has_value());
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard lock(m);
      if (live.size() == 2u * kEach) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::lock_guard lock(m);
  ASSERT_EQ(live.size(), 2u * kEach) << "each entry published once";
  for (std::size_t i = 0; i < live.size(); ++i) EXPECT_EQ(live[i], i + 1) << "in seq order";
  stop(a);
  stop(b);
  stop(sub);
}

TEST_F(RedisPanelLogTest, TrimmedToTheHistoryBoundButNeverPastTheSnapshot) {
  auto c = connect();
  RedisPanelLog log(c, 100, 1u << 30);
  auto append_up_to = [&](std::uint64_t from, std::uint64_t to) {
    for (auto i = from; i <= to; ++i)
      ASSERT_TRUE((on<Appended>(io_, [&](auto done) {
                    log.append("trim", i - 1, entry(i, "m"), false, done);
                  }))->appended);
  };
  auto xlen = [&] { return run(c, {"XLEN", keys_for("trim").log})->integer; };
  append_up_to(1, 500);
  EXPECT_EQ(xlen(), 500) << "no snapshot yet: a loading node needs every entry";

  v1::PanelSnapshot snap;
  snap.set_seq(450);
  ASSERT_TRUE((on<core::Result<void>>(io_, [&](auto done) {
                log.save_snapshot("trim", snap, done);
              })).has_value());
  snap.set_seq(300);
  ASSERT_TRUE((on<core::Result<void>>(io_, [&](auto done) {
                log.save_snapshot("trim", snap, done);
              })).has_value());
  EXPECT_EQ(run(c, {"HGET", keys_for("trim").snapshot, "seq"})->str, "450")
      << "an older snapshot never replaces a newer one";
  append_up_to(501, 1000);
  EXPECT_GE(xlen(), 550) << "entries after the newest snapshot stay";
  EXPECT_LT(xlen(), 700);

  snap.set_seq(1000);
  ASSERT_TRUE((on<core::Result<void>>(io_, [&](auto done) {
                log.save_snapshot("trim", snap, done);
              })).has_value());
  append_up_to(1001, 1100);
  EXPECT_GE(xlen(), 100);
  EXPECT_LT(xlen(), 300) << "approximate trimming keeps the bound in sight";

  auto loaded =
      on<core::Result<RedisPanelLog::Loaded>>(io_, [&](auto done) { log.load("trim", done); });
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(loaded->head, 1100u);
  EXPECT_EQ(loaded->snapshot.seq(), 1000u);
  ASSERT_EQ(loaded->entries.size(), 100u) << "the history bound, oldest first";
  EXPECT_EQ(loaded->entries.front().event().seq(), 1001u);
  EXPECT_EQ(loaded->entries.back().event().seq(), 1100u);
  stop(c);
}

TEST_F(RedisPanelLogTest, TrimmedToTheByteBoundToo) {
  auto c = connect();
  RedisPanelLog log(c, 1000, 20'000);
  v1::PanelSnapshot snap;
  snap.set_seq(1'000'000);  // covers everything: only the bounds trim
  ASSERT_TRUE((on<core::Result<void>>(io_, [&](auto done) {
                log.save_snapshot("bytes", snap, done);
              })).has_value());
  const std::string text(1000, 'b');
  for (std::uint64_t i = 1; i <= 100; ++i)
    ASSERT_TRUE((on<Appended>(io_, [&](auto done) {
                  log.append("bytes", i - 1, entry(i, text), false, done);
                }))->appended);
  auto k = keys_for("bytes");
  auto held = std::stoll(run(c, {"GET", k.bytes})->str);
  EXPECT_LE(held, 20'000) << "the byte bound, counted over the entries held";
  EXPECT_GT(held, 15'000);
  auto xlen = run(c, {"XLEN", k.log})->integer;
  EXPECT_GE(xlen, 15);
  EXPECT_LE(xlen, 20);
  auto first = run(c, {"XRANGE", k.log, "-", "+", "COUNT", "1"});
  EXPECT_EQ(first->elements[0].elements[0].str, std::to_string(101 - xlen) + "-0")
      << "the newest entries are the ones kept";
  stop(c);
}

TEST_F(RedisPanelLogTest, KeysExpireAfterTheirRetention) {
  auto c = connect();
  // An ended panel's 2 s: long enough that the appends after the end come
  // within it on a loaded machine (a sanitizer build).
  RedisPanelLog log(c, 1000, 1u << 30, RedisRetention{5000ms, 2000ms});
  auto k = keys_for("short-lived");
  auto append = [&](std::uint64_t seq, const v1::LogEntry& e) {
    return on<Appended>(io_,
                        [&](auto done) { log.append("short-lived", seq - 1, e, false, done); });
  };
  ASSERT_TRUE(append(1, entry(1, "hello"))->appended);
  for (const auto& key : {k.head, k.log, k.bytes}) {
    auto ttl = run(c, {"PTTL", key})->integer;
    EXPECT_GT(ttl, 4000) << key;
    EXPECT_LE(ttl, 5000) << key;
  }
  v1::LogEntry end;
  end.mutable_event()->set_seq(2);
  end.mutable_event()->mutable_panel_ended();
  ASSERT_TRUE(append(2, end)->appended);
  EXPECT_LE(run(c, {"PTTL", k.head})->integer, 2000) << "an ended panel goes sooner";
  v1::LogEntry late = entry(3, "a deletion after the end");
  ASSERT_TRUE(append(3, late)->appended);
  EXPECT_LE(run(c, {"PTTL", k.head})->integer, 2000) << "later events do not renew it";
  std::this_thread::sleep_for(2300ms);
  for (const auto& key : {k.head, k.log, k.bytes, k.snapshot})
    EXPECT_EQ(run(c, {"EXISTS", key})->integer, 0) << key;
  stop(c);
}

TEST_F(RedisPanelLogTest, LoadReadsFromTheSnapshotWhenItIsOlderThanTheHistory) {
  auto c = connect();
  RedisPanelLog log(c, 10, 1u << 30);
  for (std::uint64_t i = 1; i <= 40; ++i) {
    ASSERT_TRUE((on<Appended>(io_, [&](auto done) {
                  log.append("old-snap", i - 1, entry(i, "m"), false, done);
                }))->appended);
    if (i == 20) {
      v1::PanelSnapshot snap;
      snap.set_seq(20);
      snap.set_chat_locked(true);
      ASSERT_TRUE((on<core::Result<void>>(io_, [&](auto done) {
                    log.save_snapshot("old-snap", snap, done);
                  })).has_value());
    }
  }
  auto loaded =
      on<core::Result<RedisPanelLog::Loaded>>(io_, [&](auto done) { log.load("old-snap", done); });
  ASSERT_TRUE(loaded.has_value());
  EXPECT_TRUE(loaded->snapshot.chat_locked());
  ASSERT_FALSE(loaded->entries.empty());
  EXPECT_EQ(loaded->entries.front().event().seq(), 21u) << "every entry after the snapshot";
  EXPECT_EQ(loaded->entries.back().event().seq(), 40u);

  auto fresh = on<core::Result<RedisPanelLog::Loaded>>(
      io_, [&](auto done) { log.load("never-used", done); });
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->head, 0u);
  EXPECT_EQ(fresh->snapshot.seq(), 0u);
  EXPECT_TRUE(fresh->entries.empty());
  stop(c);
}

}  // namespace
}  // namespace panelwire::engine
