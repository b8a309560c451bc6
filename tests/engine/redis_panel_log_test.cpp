// The panel log in Redis: compare-and-append gives one order even when two
// nodes race, entries read back by seq, the live channel carries each entry
// once, and every key of a panel shares its hash tag.

#include <mutex>

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
  for (const auto& key : {k.head, k.log, k.live})
    EXPECT_NE(key.find("{nov-panel}"), std::string::npos) << key;
}

TEST_F(RedisPanelLogTest, AppendsOnlyOnTheExpectedHead) {
  auto c = connect();
  RedisPanelLog log(c, 1000);
  auto append = [&](std::uint64_t expected, const v1::LogEntry& e) {
    return on<Appended>(io_, [&](auto done) { log.append("p", expected, e, done); });
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

TEST_F(RedisPanelLogTest, RacingNodesGetOneOrderWithNoSeqTwice) {
  // Two connections stand for two nodes; each decides on its replica's head
  // and retries from the head it learns when it loses.
  auto a = connect(), b = connect(), sub = connect();
  RedisPanelLog log_a(a, 10'000), log_b(b, 10'000);
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
    n.log->append("race", n.head, entry(n.head + 1, "x"), [&](Appended r) {
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

TEST_F(RedisPanelLogTest, HistoryIsTrimmedToItsBound) {
  auto c = connect();
  RedisPanelLog log(c, 100);
  for (std::uint64_t i = 1; i <= 1000; ++i)
    ASSERT_TRUE((on<Appended>(io_, [&](auto done) {
                  log.append("trim", i - 1, entry(i, "m"), done);
                }))->appended);
  auto len = run(c, {"XLEN", keys_for("trim").log});
  EXPECT_GE(len->integer, 100);
  EXPECT_LT(len->integer, 300) << "approximate trimming keeps the bound in sight";
  stop(c);
}

}  // namespace
}  // namespace panelwire::engine
