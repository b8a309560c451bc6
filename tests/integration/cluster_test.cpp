// Several real panelwire-server nodes on one real redis-server: clients
// spread over the nodes see one order, byte for byte; a voter is counted
// once when its votes race through different nodes; a retry through
// another node recognised within the command window; a node killed with
// SIGKILL loses nobody anything; a Redis restart mid-panel loses no acked
// event; and two moderators ending a panel at once on two nodes publish its
// leftovers to the stream once.

#include <signal.h>

#include <set>

#include <gtest/gtest.h>

#include "../leftover_ids.h"
#include "panelwire/v1/leftover.pb.h"
#include "raw_client.h"
#include "redis_process.h"
#include "sdk_harness.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

const std::string kSecret = "cluster-test-secret-of-32-bytes-or-more";

class Cluster {
 public:
  // `nodes` relays on one redis-server, each with `extra` arguments.
  explicit Cluster(int nodes, std::vector<std::string> extra = {}) : extra_(std::move(extra)) {
    for (int i = 0; i < nodes; ++i) add_node();
  }
  ServerProcess& node(int i) { return *nodes_.at(i); }
  engine::RedisProcess& redis() { return redis_; }
  ServerProcess& add_node() {
    std::vector<std::string> args{"--redis", redis_.url(), "--token-secret", kSecret};
    args.insert(args.end(), extra_.begin(), extra_.end());
    nodes_.push_back(std::make_unique<ServerProcess>(std::move(args)));
    EXPECT_TRUE(ready(*nodes_.back()));
    return *nodes_.back();
  }
  // GET /readyz says whether the node can serve (its Redis connections up).
  static unsigned readyz(const ServerProcess& n) {
    return RawClient::http_get(n.port(), "/readyz").first;
  }
  static bool ready(const ServerProcess& n, bool want = true) {
    for (int i = 0; i < 500; ++i) {
      if ((readyz(n) == 200) == want) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

 private:
  std::vector<std::string> extra_;
  engine::RedisProcess redis_;
  std::vector<std::unique_ptr<ServerProcess>> nodes_;
};

std::string token(const std::string& role, const std::string& name, const std::string& panel) {
  return mint_token(PANELWIRE_CLI_BIN, kSecret, role, name, panel);
}

client::Options on(std::vector<const ServerProcess*> nodes, const std::string& panel,
                   const std::string& name, const std::string& role = {}) {
  client::Options o;
  for (auto* n : nodes) o.urls.push_back(n->ws_url());
  o.panel_id = panel;
  o.display_name = name;
  if (!role.empty()) o.token = token(role, name, panel);
  o.reconnect_min = 50ms;
  o.reconnect_max = 200ms;
  return o;
}

v1::ClientMessage ask(const std::string& text) {
  v1::ClientMessage m;
  m.mutable_ask_question()->set_text(text);
  return m;
}

v1::ClientMessage vote(std::uint64_t id) {
  v1::ClientMessage m;
  m.mutable_vote()->set_question_id(id);
  return m;
}

TEST(Cluster, ClientsOnThreeNodesSeeOneOrderByteForByte) {
  Cluster cluster(3);
  IoThread io;
  std::vector<std::unique_ptr<SdkClient>> clients;
  for (int i = 0; i < 6; ++i)
    clients.push_back(std::make_unique<SdkClient>(
        io, on({&cluster.node(i % 3)}, "order", "person" + std::to_string(i), "attendee")));
  for (auto& c : clients) ASSERT_TRUE(c->wait_welcomes(1));

  // Everyone chats, asks and votes at once, through all three nodes.
  constexpr int kEach = 40;
  std::vector<std::future<v1::Ack>> acks;
  for (int i = 0; i < kEach; ++i)
    for (auto& c : clients) acks.push_back(c->chat_async("m" + std::to_string(i)));
  std::vector<std::uint64_t> questions;
  for (int i = 0; i < 3; ++i) {
    auto a = clients[i]->send(ask("question " + std::to_string(i)));
    ASSERT_FALSE(a.has_error()) << a.DebugString();
    questions.push_back(a.seq());
  }
  for (auto& c : clients)
    for (auto q : questions) ASSERT_FALSE(c->send(vote(q)).has_error());
  std::set<std::uint64_t> acked;
  for (auto& f : acks) {
    ASSERT_EQ(f.wait_for(20s), std::future_status::ready);
    auto a = f.get();
    ASSERT_FALSE(a.has_error()) << a.DebugString();
    EXPECT_TRUE(acked.insert(a.seq()).second) << "two commands acked with seq " << a.seq();
  }

  const std::size_t total = clients.size() * kEach + 3 + clients.size() * 3;
  for (auto& c : clients) ASSERT_TRUE(c->wait_events(total, 20s));
  auto reference = clients[0]->events();
  ASSERT_EQ(seqs_of(reference), range(1, total)) << "no gap, no duplicate";
  for (auto& c : clients) {
    auto got = c->events();
    ASSERT_EQ(got.size(), total);
    for (std::size_t i = 0; i < total; ++i)
      ASSERT_EQ(got[i].SerializeAsString(), reference[i].SerializeAsString()) << "at " << i;
  }
  // Each voter counted once per question, whichever node it came through.
  for (auto q : questions) {
    std::uint32_t votes = 0;
    for (const auto& e : reference)
      for (const auto& changed : e.questions_changed().questions())
        if (changed.id() == q) votes = changed.votes();
    EXPECT_EQ(votes, clients.size()) << "question " << q;
  }
}

// The command window is the panel's, in its log, so it holds across nodes
// as on one: a retry through another node is recognised within both bounds
// (--command-window 2 ids a client, --command-window-clients 2 clients)
// and applied again past them.
TEST(Cluster, ARetryThroughAnotherNodeIsRecognisedWithinTheCommandWindow) {
  Cluster cluster(2, {"--command-window", "2", "--command-window-clients", "2"});
  RawClient ann(cluster.node(0).port());
  ann.join("window", "Ann", "client-ann");
  EXPECT_EQ(ann.chat("a1", "one").seq(), 1u);
  EXPECT_EQ(ann.chat("a2", "two").seq(), 2u);
  EXPECT_EQ(ann.chat("a3", "three").seq(), 3u);
  // Her connection drops; she comes back through the other node.
  RawClient again(cluster.node(1).port());
  again.join("window", "Ann", "client-ann");
  EXPECT_EQ(again.chat("a3", "three").seq(), 3u) << "among Ann's last two: recognised";
  EXPECT_EQ(again.chat("a2", "two").seq(), 2u);
  EXPECT_EQ(again.chat("a1", "one").seq(), 4u) << "her third-last id is forgotten on every node";

  RawClient bob(cluster.node(0).port()), cy(cluster.node(1).port());
  bob.join("window", "Bob", "client-bob");
  cy.join("window", "Cy", "client-cy");
  EXPECT_EQ(bob.chat("b1", "bob").seq(), 5u);
  EXPECT_EQ(cy.chat("c1", "cy").seq(), 6u);
  RawClient bob_elsewhere(cluster.node(1).port());
  bob_elsewhere.join("window", "Bob", "client-bob");
  EXPECT_EQ(bob_elsewhere.chat("b1", "bob").seq(), 5u) << "Bob is among the last two clients";
  EXPECT_EQ(ann.chat("a1", "one").seq(), 7u) << "Ann, least recently active, is forgotten";
}

TEST(Cluster, AVoterRacingThroughTwoNodesIsCountedOnce) {
  Cluster cluster(2);
  IoThread io;
  SdkClient asker(io, on({&cluster.node(0)}, "votes", "Asker", "attendee"));
  ASSERT_TRUE(asker.wait_welcomes(1));
  auto q = asker.send(ask("Will the slides be shared?"));
  ASSERT_FALSE(q.has_error());

  // Each voter is on both nodes at once (one guest identity: the same
  // client id) and clicks on both at the same moment.
  constexpr int kVoters = 15;
  std::vector<std::unique_ptr<SdkClient>> twins;
  for (int v = 0; v < kVoters; ++v) {
    for (int n = 0; n < 2; ++n) {
      auto o = on({&cluster.node(n)}, "votes", "Voter " + std::to_string(v));
      o.client_id = "voter-" + std::to_string(v);
      twins.push_back(std::make_unique<SdkClient>(io, o));
    }
  }
  for (auto& t : twins) ASSERT_TRUE(t->wait_welcomes(1));
  std::vector<std::thread> clicks;
  std::atomic<int> counted = 0;
  for (auto& t : twins) {
    clicks.emplace_back([&, c = t.get()] {
      auto a = c->send(vote(q.seq()));
      ASSERT_FALSE(a.has_error()) << a.DebugString();
      if (a.seq() != 0) counted++;
    });
  }
  for (auto& t : clicks) t.join();
  EXPECT_EQ(counted, kVoters) << "one of each voter's two votes changed nothing";
  auto last_votes = [&] {
    std::uint32_t last = 0;
    for (const auto& e : asker.events())
      for (const auto& changed : e.questions_changed().questions()) last = changed.votes();
    return last;
  };
  for (int i = 0; i < 500 && last_votes() < kVoters; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(last_votes(), static_cast<std::uint32_t>(kVoters));
  EXPECT_EQ(asker.events().size(), 1u + kVoters) << "the question, then one vote event per voter";
  // Nothing more: the next event is the next one sent.
  auto marker = asker.chat("marker");
  ASSERT_FALSE(marker.has_error()) << marker.DebugString();
  ASSERT_TRUE(asker.wait_events(2 + kVoters));
  EXPECT_EQ(asker.events().size(), 2u + kVoters);
  EXPECT_EQ(asker.events().back().chat_posted().text(), "marker");
}

TEST(Cluster, ClientsOfAKilledNodeResumeOnAnotherWithNoGap) {
  Cluster cluster(2);
  IoThread io;
  // The reader knows both nodes and starts on node 0.
  SdkClient reader(io, on({&cluster.node(0), &cluster.node(1)}, "kill", "Reader"));
  SdkClient writer(io, on({&cluster.node(1)}, "kill", "Writer"));
  ASSERT_TRUE(reader.wait_welcomes(1) && writer.wait_welcomes(1));

  std::atomic<bool> talk_failed = false;
  std::atomic<int> sent = 0;
  // A jthread: an ASSERT below that returns early stops and joins it.
  std::jthread talk([&](std::stop_token stop) {
    while (!stop.stop_requested()) {
      auto a = writer.chat("line " + std::to_string(sent));
      if (a.has_error()) {
        ADD_FAILURE() << a.DebugString();
        talk_failed = true;
        return;
      }
      sent++;
      std::this_thread::sleep_for(2ms);
    }
  });
  ASSERT_TRUE(reader.wait_events(50));
  EXPECT_EQ(cluster.node(0).stop(SIGKILL), 128 + SIGKILL);
  ASSERT_TRUE(reader.wait_welcomes(2)) << "reconnected to the other node";
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (sent < 300 && !talk_failed) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "300 lines not sent in 30 s";
    std::this_thread::sleep_for(5ms);
  }
  talk.request_stop();
  talk.join();
  ASSERT_FALSE(talk_failed);

  ASSERT_TRUE(reader.wait_events(static_cast<std::size_t>(sent.load())));
  EXPECT_EQ(reader.welcomes()[1].resume(), v1::RESUMED);
  auto got = reader.events();
  EXPECT_EQ(seqs_of(got), range(1, static_cast<std::uint64_t>(sent.load())))
      << "no gap, no duplicate across the node's death";
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(got[i].chat_posted().text(), "line " + std::to_string(i));
}

TEST(Cluster, ARedisRestartMidPanelLosesNoAckedEvent) {
  Cluster cluster(2);
  IoThread io;
  SdkClient ann(io, on({&cluster.node(0)}, "restart", "Ann"));
  SdkClient bob(io, on({&cluster.node(1)}, "restart", "Bob"));
  ASSERT_TRUE(ann.wait_welcomes(1) && bob.wait_welcomes(1));
  std::vector<std::string> acked;
  for (int i = 0; i < 20; ++i) {
    auto text = "before " + std::to_string(i);
    ASSERT_FALSE((i % 2 ? bob : ann).chat(text).has_error());
    acked.push_back(text);
  }

  cluster.redis().kill();
  EXPECT_TRUE(Cluster::ready(cluster.node(0), false)) << "GET /readyz says not ready";
  EXPECT_TRUE(Cluster::ready(cluster.node(1), false));
  auto refused = ann.chat("during the outage");
  ASSERT_TRUE(refused.has_error());
  EXPECT_EQ(refused.error().code(), v1::UNAVAILABLE);

  cluster.redis().restart();
  EXPECT_TRUE(Cluster::ready(cluster.node(0)));
  EXPECT_TRUE(Cluster::ready(cluster.node(1)));
  for (int i = 0; i < 20; ++i) {
    auto text = "after " + std::to_string(i);
    auto a = (i % 2 ? ann : bob).chat(text);
    ASSERT_FALSE(a.has_error()) << a.DebugString();
    EXPECT_EQ(a.seq(), 21u + i) << "every acked event survived in the AOF";
    acked.push_back(text);
  }
  for (auto* c : {&ann, &bob}) {
    ASSERT_TRUE(c->wait_events(40));
    auto got = c->events();
    ASSERT_EQ(seqs_of(got), range(1, 40));
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].chat_posted().text(), acked[i]);
    EXPECT_TRUE(c->closes().empty()) << "kept connected through the outage";
  }
}

TEST(Cluster, TwoModeratorsEndingOnTwoNodesPublishTheLeftoversOnce) {
  Cluster cluster(2);
  IoThread io;
  SdkClient ann(io, on({&cluster.node(0)}, "end", "Ann", "attendee"));
  ASSERT_TRUE(ann.wait_welcomes(1));
  std::set<std::string> asked;
  for (int i = 0; i < 4; ++i) {
    auto a = ann.send(ask("left over " + std::to_string(i)));
    ASSERT_FALSE(a.has_error());
    asked.insert("end/" + std::to_string(a.seq()));
  }
  SdkClient mod_a(io, on({&cluster.node(0)}, "end", "Moderator A", "moderator"));
  SdkClient mod_b(io, on({&cluster.node(1)}, "end", "Moderator B", "moderator"));
  ASSERT_TRUE(mod_a.wait_welcomes(1) && mod_b.wait_welcomes(1));
  v1::ClientMessage end;
  end.mutable_end_panel();
  std::promise<void> go;
  auto start = go.get_future().share();
  v1::Ack acks[2];
  std::thread ta([&] {
    start.wait();
    acks[0] = mod_a.send(end);
  });
  std::thread tb([&] {
    start.wait();
    acks[1] = mod_b.send(end);
  });
  go.set_value();
  ta.join();
  tb.join();
  int ended = 0;
  for (const auto& a : acks) {
    if (!a.has_error()) {
      ended++;
    } else {
      EXPECT_EQ(a.error().code(), v1::PANEL_ENDED);
    }
  }
  EXPECT_EQ(ended, 1) << "one end wins, the other is told the panel has ended";

  // Both nodes' replicas saw the end; give the loser's a moment to cover.
  std::this_thread::sleep_for(200ms);
  std::multiset<std::string> published;
  std::set<std::string> lives;
  for (const auto& entry : cluster.redis().stream("pw:{leftovers}")) {
    ASSERT_EQ(entry.size(), 4u);
    v1::Leftover l;
    ASSERT_TRUE(l.ParseFromString(entry[3]));
    EXPECT_EQ(entry[1], l.leftover_id());
    EXPECT_EQ(l.asker_name(), "Ann");
    published.insert(testing_support::without_start(l.leftover_id()));
    lives.insert(l.leftover_id().substr(0, l.leftover_id().rfind('/')));
  }
  EXPECT_EQ(lives.size(), 1u) << "both nodes name the panel's life alike";
  EXPECT_EQ(published, std::multiset<std::string>(asked.begin(), asked.end()))
      << "every leftover in the stream, each once";
}

}  // namespace
}  // namespace panelwire::test
