// The real server driven through the C++ SDK: one order for everyone, exact
// resume after a dropped connection, snapshots when resuming from too far
// back, and commands retried across reconnects applied once.

#include <signal.h>

#include <atomic>
#include <future>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "raw_client.h"
#include "sdk_harness.h"
#include "server_process.h"

namespace panelwire::test {
namespace {

client::Options options(const ServerProcess& server, const std::string& panel,
                        const std::string& name,
                        client::WireFormat format = client::WireFormat::proto) {
  client::Options o;
  o.urls = {server.ws_url()};
  o.panel_id = panel;
  o.display_name = name;
  o.format = format;
  return o;
}

TEST(Relay, ThreeClientsSeeOneOrder) {
  ServerProcess server;
  IoThread io;
  SdkClient ann(io, options(server, "order", "Ann"));
  SdkClient bob(io, options(server, "order", "Bob", client::WireFormat::json));
  SdkClient cid(io, options(server, "order", "Cid"));
  ASSERT_TRUE(ann.wait_welcomes(1) && bob.wait_welcomes(1) && cid.wait_welcomes(1));

  // All three talk at once.
  constexpr int kEach = 100;
  std::vector<std::future<v1::Ack>> acks;
  for (int i = 0; i < kEach; ++i) {
    acks.push_back(ann.chat_async("ann " + std::to_string(i)));
    acks.push_back(bob.chat_async("bob " + std::to_string(i)));
    acks.push_back(cid.chat_async("cid " + std::to_string(i)));
  }
  std::set<std::uint64_t> acked;
  for (auto& f : acks) {
    ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
    auto a = f.get();
    ASSERT_FALSE(a.has_error()) << a.DebugString();
    EXPECT_TRUE(acked.insert(a.seq()).second) << "two commands acked with seq " << a.seq();
  }
  constexpr std::size_t kTotal = 3 * kEach;
  const auto all = range(1, kTotal);
  EXPECT_EQ(acked, std::set<std::uint64_t>(all.begin(), all.end()));

  for (auto* c : {&ann, &bob, &cid}) ASSERT_TRUE(c->wait_events(kTotal));
  auto reference = ann.events();
  ASSERT_EQ(seqs_of(reference), range(1, kTotal));
  for (auto* c : {&bob, &cid}) {
    auto got = c->events();
    ASSERT_EQ(got.size(), kTotal);
    for (std::size_t i = 0; i < kTotal; ++i) {
      ASSERT_EQ(got[i].seq(), reference[i].seq());
      ASSERT_EQ(got[i].chat_posted().text(), reference[i].chat_posted().text()) << "at " << i;
      ASSERT_EQ(got[i].chat_posted().author().id(), reference[i].chat_posted().author().id());
    }
  }
  // Each sender's messages keep the order they were sent in.
  std::map<std::string, int> next;
  for (const auto& e : reference) {
    const auto& text = e.chat_posted().text();
    auto who = text.substr(0, 3);
    EXPECT_EQ(text, who + " " + std::to_string(next[who]++));
  }
}

TEST(Relay, ResumeAfterDropGetsExactlyWhatWasMissed) {
  ServerProcess server;
  IoThread io;
  SdkClient ann(io, options(server, "resume", "Ann"));
  auto bob_opts = options(server, "resume", "Bob");
  // Long enough that the messages below are sent while Bob is away.
  bob_opts.reconnect_min = 700ms;
  bob_opts.reconnect_max = 700ms;
  SdkClient bob(io, bob_opts);
  ASSERT_TRUE(ann.wait_welcomes(1) && bob.wait_welcomes(1));

  for (int i = 0; i < 10; ++i) ASSERT_FALSE(ann.chat("before " + std::to_string(i)).has_error());
  ASSERT_TRUE(bob.wait_events(10));
  bob.drop();
  for (int i = 0; i < 25; ++i) ASSERT_FALSE(ann.chat("during " + std::to_string(i)).has_error());

  ASSERT_TRUE(bob.wait_welcomes(2));
  ASSERT_TRUE(bob.wait_events(35));
  auto w = bob.welcomes();
  EXPECT_EQ(w[1].resume(), v1::RESUMED);
  EXPECT_EQ(w[1].recent_chat_size(), 0);
  EXPECT_EQ(seqs_of(bob.events()), range(1, 35)) << "no gap, no duplicate";
  EXPECT_EQ(bob.events()[10].chat_posted().text(), "during 0");

  // Live delivery goes on after the replay.
  ASSERT_FALSE(ann.chat("after").has_error());
  ASSERT_TRUE(bob.wait_events(36));
  EXPECT_EQ(seqs_of(bob.events()), range(1, 36));
  // Nothing extra came between: the next event is the next one sent.
  ASSERT_FALSE(ann.chat("marker").has_error());
  ASSERT_TRUE(bob.wait_events(37));
  EXPECT_EQ(seqs_of(bob.events()), range(1, 37));
  EXPECT_EQ(bob.events()[36].chat_posted().text(), "marker");
}

// A resume's catch-up ends while the panel goes on: the replay, then the
// live events held meanwhile, then live ones, each once and in order,
// however the writes of the catch-up complete (at once or later).
TEST(Relay, ResumesWhileThePanelChatsGetEveryEventOnceInOrder) {
  ServerProcess server;
  RawClient ann(server.port());
  ann.join("busy", "Ann");
  for (int i = 0; i < 20; ++i)
    ASSERT_FALSE(ann.chat("before" + std::to_string(i), "before").has_error());

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> head{20};
  auto chatter = std::async(std::launch::async, [&] {
    for (int i = 0; !stop; ++i) {
      auto ack = ann.chat("live" + std::to_string(i), "live");
      if (ack.has_error() || ack.seq() == 0) return false;
      head = ack.seq();
    }
    return true;
  });
  // Stops the chatter however the test ends (before the future's wait).
  struct Stop {
    std::atomic<bool>& flag;
    ~Stop() { flag = true; }
  } stop_on_exit{stop};

  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    RawClient bob(server.port());
    auto w = bob.join("busy", "Bob", "", 10);
    EXPECT_EQ(w.resume(), v1::RESUMED);
    // Past the head of the moment it joined: well into live delivery.
    const auto until = head.load() + 40;
    for (std::uint64_t want = 11; want <= until;) {
      auto m = bob.read(5s);
      ASSERT_TRUE(m) << "missing " << want;
      if (!m->has_event()) continue;
      ASSERT_EQ(m->event().seq(), want) << "a gap or a duplicate";
      ++want;
    }
  }
  stop = true;
  EXPECT_TRUE(chatter.get()) << "every chat acked";
}

TEST(Relay, ResumeFromTooFarBackGetsASnapshot) {
  ServerProcess server({"--history-events", "10", "--snapshot-chat", "4"});
  IoThread io;
  SdkClient ann(io, options(server, "old", "Ann"));
  ASSERT_TRUE(ann.wait_welcomes(1));
  ASSERT_FALSE(ann.chat("first").has_error());
  for (int i = 0; i < 30; ++i) ASSERT_FALSE(ann.chat("m" + std::to_string(i)).has_error());

  // Bob saw the first message only. He comes back once all 30 are in (a
  // reconnect timer racing the sends would make the test depend on speed).
  auto bob_opts = options(server, "old", "Bob", client::WireFormat::json);
  bob_opts.resume_after = 1;
  SdkClient bob(io, bob_opts);
  ASSERT_TRUE(bob.wait_welcomes(1));
  auto w = bob.welcomes()[0];
  EXPECT_EQ(w.resume(), v1::RESUME_TOO_OLD) << "says so rather than leaving a silent gap";
  EXPECT_EQ(w.seq(), 31u);
  ASSERT_EQ(w.recent_chat_size(), 4);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(w.recent_chat(i).seq(), 28u + i);
    EXPECT_EQ(w.recent_chat(i).chat_posted().text(), "m" + std::to_string(26 + i));
  }
  EXPECT_TRUE(bob.events().empty()) << "nothing replayed from before the snapshot";

  ASSERT_FALSE(ann.chat("next").has_error());
  ASSERT_TRUE(bob.wait_events(1));
  EXPECT_EQ(bob.events()[0].seq(), 32u);
}

// --history-bytes bounds a resume as --history-events does: long messages
// push the oldest out of the history well before the count is reached.
TEST(Relay, HistoryBytesBoundWhatAResumeCanReplay) {
  ServerProcess server({"--history-events", "10000", "--history-bytes", "40000"});
  IoThread io;
  SdkClient ann(io, options(server, "heavy", "Ann"));
  ASSERT_TRUE(ann.wait_welcomes(1));
  ASSERT_FALSE(ann.chat("first").has_error());
  // 30 messages of 1,500 characters: far past 40,000 bytes of history
  // (each event weighs its text several times: parsed, and its frames).
  for (int i = 0; i < 30; ++i)
    ASSERT_FALSE(ann.chat(std::to_string(i) + std::string(1500, 'x')).has_error());

  // Bob saw the first message only, and comes back once all 30 are in.
  auto bob_opts = options(server, "heavy", "Bob");
  bob_opts.resume_after = 1;
  SdkClient bob(io, bob_opts);
  ASSERT_TRUE(bob.wait_welcomes(1));
  auto w = bob.welcomes()[0];
  EXPECT_EQ(w.resume(), v1::RESUME_TOO_OLD) << "the bytes bound it, not the 10,000 events";
  EXPECT_EQ(w.seq(), 31u);
  EXPECT_TRUE(bob.events().empty()) << "nothing replayed from before the snapshot";
  // A client that missed only the last two is still replayed them.
  auto carl_opts = options(server, "heavy", "Carl");
  carl_opts.resume_after = 29;
  SdkClient carl(io, carl_opts);
  ASSERT_TRUE(carl.wait_welcomes(1));
  EXPECT_EQ(carl.welcomes()[0].resume(), v1::RESUMED);
  ASSERT_TRUE(carl.wait_events(2));
  EXPECT_EQ(seqs_of(carl.events()), range(30, 31));
}

TEST(Relay, CommandsDuringAnOutageAreSentOnceAfterReconnect) {
  ServerProcess server;
  IoThread io;
  auto opts = options(server, "outage", "Ann");
  opts.reconnect_min = 300ms;
  opts.reconnect_max = 300ms;
  SdkClient ann(io, opts);
  SdkClient bob(io, options(server, "outage", "Bob"));
  ASSERT_TRUE(ann.wait_welcomes(1) && bob.wait_welcomes(1));

  ann.drop();
  auto f1 = ann.chat_async("while away 1");
  auto f2 = ann.chat_async("while away 2");
  ASSERT_EQ(f1.wait_for(10s), std::future_status::ready);
  ASSERT_EQ(f2.wait_for(10s), std::future_status::ready);
  auto a1 = f1.get(), a2 = f2.get();
  ASSERT_FALSE(a1.has_error()) << a1.DebugString();
  ASSERT_FALSE(a2.has_error()) << a2.DebugString();
  EXPECT_EQ(a1.seq(), 1u);
  EXPECT_EQ(a2.seq(), 2u);
  // Each command applied once: the next one sent is the third event.
  auto marker = ann.chat("marker");
  ASSERT_FALSE(marker.has_error()) << marker.DebugString();
  EXPECT_EQ(marker.seq(), 3u) << "each command applied once";
  ASSERT_TRUE(bob.wait_events(3));
  EXPECT_EQ(bob.events()[0].chat_posted().text(), "while away 1");
  EXPECT_EQ(bob.events()[1].chat_posted().text(), "while away 2");
  EXPECT_EQ(bob.events()[2].chat_posted().text(), "marker");
}

TEST(Relay, ACommandInFlightWhenTheConnectionDropsIsAppliedOnce) {
  ServerProcess server;
  IoThread io;
  SdkClient ann(io, options(server, "in-flight", "Ann"));
  SdkClient bob(io, options(server, "in-flight", "Bob"));
  ASSERT_TRUE(ann.wait_welcomes(1) && bob.wait_welcomes(1));

  // The server is stopped, so the command sits in its socket unanswered
  // when the connection drops. The SDK sends it again, with its id, on the
  // next connection.
  ASSERT_EQ(::kill(server.pid(), SIGSTOP), 0);
  auto in_flight = ann.chat_async("in flight");
  // Time for the frame to reach the stopped server's socket: nothing can
  // show it arrived while the server cannot answer.
  std::this_thread::sleep_for(200ms);
  ann.drop();
  ASSERT_EQ(::kill(server.pid(), SIGCONT), 0);
  // The server now holds two copies: the dropped connection's, and the
  // resend of the SDK (which may reconnect at once, before the server
  // resumes). Whichever it reads first is applied; the other is the
  // duplicate, answered with the first one's seq.

  ASSERT_EQ(in_flight.wait_for(10s), std::future_status::ready);
  auto ack = in_flight.get();
  ASSERT_FALSE(ack.has_error()) << ack.DebugString();
  EXPECT_EQ(ack.seq(), 1u);
  ASSERT_TRUE(ann.wait_welcomes(2)) << "the SDK reconnected";
  auto marker = ann.chat("marker");
  ASSERT_FALSE(marker.has_error()) << marker.DebugString();
  EXPECT_EQ(marker.seq(), 2u) << "the command applied once, from whichever copy";
  ASSERT_TRUE(bob.wait_events(2));
  EXPECT_EQ(bob.events()[0].chat_posted().text(), "in flight");
  EXPECT_EQ(bob.events()[1].chat_posted().text(), "marker");
}

TEST(Relay, ShutdownClosesWithGoingAway) {
  auto server = std::make_unique<ServerProcess>();
  IoThread io;
  auto opts = options(*server, "restart", "Ann");
  opts.reconnect_min = 100ms;
  SdkClient ann(io, opts);
  ASSERT_TRUE(ann.wait_welcomes(1));
  ASSERT_FALSE(ann.chat("hi").has_error());
  EXPECT_EQ(server->stop(SIGTERM), 0);
  ASSERT_TRUE(ann.wait_closes(1));
  EXPECT_EQ(ann.closes().front(), 1001);
}

}  // namespace
}  // namespace panelwire::test
