// The Redis engine across nodes: two engines on one redis-server stand for
// two relay nodes. One order for both, a voter counted once when both race,
// a late node loading a trimmed panel from its snapshot, a live event
// missed and read from the log, an outage and a Redis restart survived with
// no acked event lost, and leftovers published to the stream once.

#include <set>
#include <thread>

#include "../leftover_ids.h"
#include "redis_leftover_outbox.h"
#include "redis_node.h"

namespace panelwire::engine {
namespace {

core::Draft chat(const std::string& text, const std::string& who = "ann") {
  v1::ClientMessage m;
  m.mutable_send_chat()->set_text(text);
  return command(m, person(who));
}

core::Draft ask(const std::string& text, const std::string& who) {
  v1::ClientMessage m;
  m.mutable_ask_question()->set_text(text);
  return command(m, person(who));
}

core::Draft vote(std::uint64_t id, const std::string& who, std::string key = {}) {
  v1::ClientMessage m;
  m.mutable_vote()->set_question_id(id);
  return command(m, person(who), std::move(key));
}

// A node's leftover outbox, on a thread that stops before it goes.
struct OutboxOnItsThread {
  explicit OutboxOnItsThread(const RedisProcess& redis)
      : outbox(io.executor(), *parse_redis_url(redis.url()), {}) {
    outbox.start();
  }
  ~OutboxOnItsThread() { io.stop(); }
  IoThread io;
  RedisLeftoverOutbox outbox;
};

class RedisEngineTest : public RedisTest {
 protected:
  RedisEngineTest() {
    limits_.rates.chat = {0, 1};
    limits_.rates.vote = {0, 1};
    limits_.rates.question = {0, 1};
  }
  core::PanelLimits limits_;
  core::PanelCatalog catalog_;
};

TEST_F(RedisEngineTest, TwoNodesAppendingAtOnceShareOneOrder) {
  Sink on_a, on_b;
  Node a(redis_, limits_, catalog_), b(redis_, limits_, catalog_);
  a.subscribe("p", on_a);
  b.subscribe("p", on_b);
  constexpr int kEach = 300;
  std::mutex m;
  std::vector<std::uint64_t> acked;
  auto writer = [&](Node& n, const std::string& who) {
    for (int i = 0; i < kEach; ++i) {
      auto r = n.append("p", chat(who + std::to_string(i), who));
      ASSERT_TRUE(r.has_value()) << r.error().message;
      std::lock_guard lock(m);
      acked.push_back(r->seq);
    }
  };
  std::thread ta(writer, std::ref(a), "ann"), tb(writer, std::ref(b), "bob");
  ta.join();
  tb.join();
  std::sort(acked.begin(), acked.end());
  std::vector<std::uint64_t> all;
  for (std::uint64_t s = 1; s <= 2 * kEach; ++s) all.push_back(s);
  EXPECT_EQ(acked, all) << "no seq shared, none skipped";
  ASSERT_TRUE(on_a.wait_for_count(2 * kEach));
  ASSERT_TRUE(on_b.wait_for_count(2 * kEach));
  EXPECT_EQ(on_a.seqs(), all);
  EXPECT_EQ(on_a.frames(), on_b.frames()) << "both nodes deliver the same events, byte for byte";
}

TEST_F(RedisEngineTest, ANodeFollowsOnlyThePanelsItHasClientsIn) {
  // Sinks outlive the nodes' threads that deliver to them.
  Sink sink, again;
  Node a(redis_, limits_, catalog_), b(redis_, limits_, catalog_);
  auto c = connect();
  auto listeners = [&](const std::string& panel) {
    auto r = run(c, {"PUBSUB", "NUMSUB", keys_for(panel).live});
    return r->elements.at(1).integer;
  };
  a.subscribe("followed", sink);
  EXPECT_EQ(listeners("followed"), 1) << "only node a has a client there";
  ASSERT_TRUE(b.append("followed", chat("from b")).has_value());
  ASSERT_TRUE(sink.wait_for_count(1));
  for (int i = 0; i < 200 && listeners("followed") != 1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(listeners("followed"), 1) << "node b let go once its command was done";

  a.engine.unsubscribe("followed", &sink);
  for (int i = 0; i < 200 && listeners("followed") != 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(listeners("followed"), 0) << "after the last client, nobody listens";

  // Back at once: the node follows the panel again, from where it is.
  a.subscribe("followed", again);
  ASSERT_TRUE(b.append("followed", chat("welcome back")).has_value());
  ASSERT_TRUE(again.wait_for_count(1));
  EXPECT_EQ(again.seqs(), std::vector<std::uint64_t>{2});
  stop(c);
}

TEST_F(RedisEngineTest, AVoterIsCountedOnceWhenNodesRace) {
  Node a(redis_, limits_, catalog_), b(redis_, limits_, catalog_);
  auto q = a.append("p", ask("why?", "ann"));
  ASSERT_TRUE(q.has_value());
  // Each voter votes through both nodes at the same moment.
  constexpr int kVoters = 40;
  std::vector<std::thread> threads;
  std::atomic<int> counted = 0;
  for (Node* n : {&a, &b}) {
    threads.emplace_back([&, n] {
      for (int v = 0; v < kVoters; ++v) {
        auto r = n->append("p", vote(q->seq, "voter" + std::to_string(v)));
        ASSERT_TRUE(r.has_value()) << r.error().message;
        if (r->seq != 0) counted++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counted, kVoters) << "the second vote of each voter changes nothing";
  for (Node* n : {&a, &b}) {
    auto board = n->backlog("p", std::nullopt, "voter7");
    ASSERT_TRUE(board.has_value());
    ASSERT_EQ(board->questions.size(), 1u);
    EXPECT_EQ(board->questions[0].votes(), static_cast<std::uint32_t>(kVoters));
    EXPECT_EQ(board->your_votes, std::vector<std::uint64_t>{q->seq});
  }
}

TEST_F(RedisEngineTest, ARetryThroughAnotherNodeIsRecognised) {
  Node a(redis_, limits_, catalog_), b(redis_, limits_, catalog_);
  auto q = a.append("p", ask("why?", "ann"));
  auto first = a.append("p", vote(q->seq, "bob", "bob/c7"));
  ASSERT_TRUE(first.has_value());
  auto retry = b.append("p", vote(q->seq, "bob", "bob/c7"));
  ASSERT_TRUE(retry.has_value());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->seq, first->seq);
}

TEST_F(RedisEngineTest, ALateNodeLoadsATrimmedPanelFromItsSnapshot) {
  limits_.history_events = 20;
  Sink keep;
  Node a(redis_, limits_, catalog_, 10);
  a.subscribe("p", keep);
  auto q = a.append("p", ask("first?", "ann"));
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(a.append("p", chat("m" + std::to_string(i))).has_value());
    if (i % 10 == 0) {
      ASSERT_TRUE(a.append("p", vote(q->seq, "v" + std::to_string(i))).has_value());
    }
  }
  auto head = a.backlog("p", std::nullopt)->head;
  auto c = connect();
  EXPECT_LT(run(c, {"XLEN", keys_for("p").log})->integer, 60)
      << "the log is trimmed to the history and the snapshot";
  stop(c);

  Node late(redis_, limits_, catalog_, 10);
  auto b = late.backlog("p", std::nullopt, "v30");
  ASSERT_TRUE(b.has_value()) << b.error().message;
  EXPECT_EQ(b->head, head);
  ASSERT_EQ(b->questions.size(), 1u);
  EXPECT_EQ(b->questions[0].votes(), 10u) << "votes from before the trimmed entries";
  EXPECT_EQ(b->your_votes, std::vector<std::uint64_t>{q->seq});
  auto resumed = late.backlog("p", head - 15);
  ASSERT_TRUE(resumed.has_value());
  EXPECT_EQ(resumed->resume, v1::RESUMED) << "the history bound holds on the late node too";
  EXPECT_EQ(resumed->missed.size(), 15u);
  auto more = late.append("p", vote(q->seq, "late-voter"));
  ASSERT_TRUE(more.has_value());
  EXPECT_EQ(more->seq, head + 1);
}

TEST_F(RedisEngineTest, ARedisRestartLosesNoAckedEventAndSinksResumeWithoutAGap) {
  Sink on_a;
  Node a(redis_, limits_, catalog_), b(redis_, limits_, catalog_);
  a.subscribe("p", on_a);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(a.append("p", chat("before")).has_value());
  ASSERT_TRUE(on_a.wait_for_count(20));

  redis_.kill();
  for (int i = 0; i < 200 && (a.engine.ready() || b.engine.ready()); ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(a.engine.ready()) << "not ready while Redis is out of reach";
  auto refused = a.append("p", chat("during"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, v1::UNAVAILABLE);
  auto joining = b.backlog("q", std::nullopt);
  ASSERT_FALSE(joining.has_value());
  EXPECT_EQ(joining.error().code, v1::UNAVAILABLE) << "a panel this node never loaded";
  auto served = a.backlog("p", 10);
  ASSERT_TRUE(served.has_value()) << "a loaded panel still serves resumes";
  EXPECT_EQ(served->missed.size(), 10u);

  redis_.restart();
  a.wait_ready();
  b.wait_ready();
  // Node b appends while node a may still be resubscribing: a catches up.
  for (int i = 0; i < 20; ++i) {
    auto r = b.append("p", chat("after"));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->seq, static_cast<std::uint64_t>(21 + i)) << "the AOF kept every acked event";
  }
  ASSERT_TRUE(on_a.wait_for_count(40));
  std::vector<std::uint64_t> all;
  for (std::uint64_t s = 1; s <= 40; ++s) all.push_back(s);
  EXPECT_EQ(on_a.seqs(), all) << "no gap, no duplicate across the restart";
}

// A node that misses a live event (its publication never reached it) sees
// the gap at the next one and reads what it missed from the log, in order,
// with no reload: its followers get every event once.
TEST_F(RedisEngineTest, ALiveEventMissedIsReadFromTheLogAtTheNextOne) {
  Sink on_a;
  Node a(redis_, limits_, catalog_), b(redis_, limits_, catalog_);
  a.subscribe("p", on_a);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(b.append("p", chat("published")).has_value());
  ASSERT_TRUE(on_a.wait_for_count(3));

  // Event 4 goes into the log as an append would put it, but is never
  // published: the one a dropped message would leave out.
  auto c = connect();
  auto third = run(c, {"XRANGE", "pw:{p}:log", "3-0", "3-0"});
  ASSERT_TRUE(third.has_value() && third->elements.size() == 1);
  v1::LogEntry entry;
  ASSERT_TRUE(entry.ParseFromString(third->elements[0].elements[1].elements[1].str));
  entry.mutable_event()->set_seq(4);
  entry.clear_dedup_key();
  ASSERT_TRUE(run(c, {"XADD", "pw:{p}:log", "4-0", "e", entry.SerializeAsString()}).has_value());
  ASSERT_TRUE(run(c, {"SET", "pw:{p}:head", "4"}).has_value());

  const auto fifth = b.append("p", chat("after the missed one"));
  ASSERT_TRUE(fifth.has_value()) << fifth.error().message;
  EXPECT_EQ(fifth->seq, 5u) << "b found the head moved and appended after it";
  ASSERT_TRUE(on_a.wait_for_count(5));
  EXPECT_EQ(on_a.seqs(), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  const auto served = a.backlog("p", 3);
  ASSERT_TRUE(served.has_value());
  ASSERT_EQ(served->missed.size(), 2u) << "a's replica holds the missed event";
  EXPECT_EQ(served->missed[0]->seq(), 4u);
  stop(c);
}

TEST_F(RedisEngineTest, LeftoversReachTheStreamOnceWhenTwoModeratorsEndAtOnce) {
  // Each node with the Redis outbox a server runs.
  struct OutboxNode {
    OutboxNode(const RedisProcess& redis, const core::PanelLimits& limits,
               const core::PanelCatalog& catalog)
        : out(redis),
          engine({owner.executor()}, Node::options(redis, 1'000), limits, clock, catalog,
                 out.outbox) {
      engine.start();
      for (int i = 0; i < 500 && !engine.ready(); ++i) std::this_thread::sleep_for(10ms);
    }
    ~OutboxNode() {
      // Nothing posts to the caller's thread once it goes.
      owner.stop();
      out.io.stop();
    }
    core::Result<core::Appended> append(core::Draft d) {
      std::promise<core::Result<core::Appended>> p;
      engine.append("p", std::move(d), caller.executor(),
                    [&](auto r) { p.set_value(std::move(r)); });
      return p.get_future().get();
    }
    core::SystemClock clock;
    OutboxOnItsThread out;
    IoThread owner, caller;
    RedisEngine engine;
  };
  OutboxNode a(redis_, limits_, catalog_), b(redis_, limits_, catalog_);
  for (auto who : {"ann", "bob", "cy"}) ASSERT_TRUE(a.append(ask("q?", who)).has_value());
  v1::ClientMessage end;
  end.mutable_end_panel();
  std::promise<void> go;
  auto shared_go = go.get_future().share();
  std::vector<core::Result<core::Appended>> results(2, core::fail(v1::INTERNAL, "not run"));
  std::thread ta([&] {
    shared_go.wait();
    results[0] = a.append(command(end, person("mod-a", v1::MODERATOR)));
  });
  std::thread tb([&] {
    shared_go.wait();
    results[1] = b.append(command(end, person("mod-b", v1::MODERATOR)));
  });
  go.set_value();
  ta.join();
  tb.join();
  int ended = 0;
  for (auto& r : results) {
    if (r) {
      ended++;
    } else {
      EXPECT_EQ(r.error().code, v1::PANEL_ENDED);
    }
  }
  EXPECT_EQ(ended, 1) << "one end wins";

  auto c = connect();
  auto stream_ids = [&] {
    std::multiset<std::string> ids;
    auto range = run(c, {"XRANGE", RedisLeftoverKeys::stream, "-", "+"});
    EXPECT_TRUE(range.has_value());
    for (const auto& entry : range->elements) {
      const auto& fields = entry.elements.at(1).elements;
      v1::Leftover l;
      EXPECT_TRUE(l.ParseFromString(fields.at(3).str));
      EXPECT_EQ(fields.at(1).str, l.leftover_id());
      ids.insert(l.leftover_id());
    }
    return ids;
  };
  // Node b's replica republishes what a published, when it hears the end.
  std::this_thread::sleep_for(100ms);
  const auto stored = stream_ids();
  std::multiset<std::string> questions;
  for (const auto& id : stored) questions.insert(testing_support::without_start(id));
  EXPECT_EQ(questions, (std::multiset<std::string>{"p/1", "p/2", "p/3"})) << "each once";
  ASSERT_FALSE(stored.empty());

  // Publishing the same batch again (a retry, a node covering for one that
  // died) adds nothing.
  v1::LeftoverBatch again;
  again.set_panel_id("p");
  again.set_seq(4);
  const auto& first = *stored.begin();  // "p/<start>/<question>"
  again.set_started_at_ms(std::stoll(first.substr(2, first.rfind('/') - 2)));
  again.add_items()->set_leftover_id(*stored.begin());
  std::promise<core::Result<void>> p;
  a.out.outbox.publish(again, [&](auto r) { p.set_value(r); });
  ASSERT_TRUE(p.get_future().get().has_value());
  EXPECT_EQ(stream_ids().size(), 3u);
  stop(c);
}

}  // namespace
}  // namespace panelwire::engine
