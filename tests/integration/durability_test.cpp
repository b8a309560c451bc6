// The real server on its embedded engine, restarted (and killed with
// SIGKILL at random moments) on the same data directory: every
// acknowledged event survives, in its seq, once, and clients resume.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "client_commands.h"
#include "sdk_harness.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

const std::string kSecret = "durability-test-secret-of-32-bytes";

client::Options at(unsigned short port, const std::string& name, const std::string& token = {}) {
  client::Options o;
  o.urls = {"ws://127.0.0.1:" + std::to_string(port) + "/v1/ws"};
  o.panel_id = "durable";
  o.display_name = name;
  o.token = token;
  o.reconnect_min = 20ms;
  o.reconnect_max = 200ms;
  return o;
}

// A server on `data_dir`, on `port` (0: any free one).
std::unique_ptr<ServerProcess> start(const std::string& data_dir, unsigned short port,
                                     std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--data-dir",     data_dir,
                                   "--listen",       "127.0.0.1:" + std::to_string(port),
                                   "--token-secret", kSecret};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<ServerProcess>(args);
}

// A server started on `dir` that should refuse to: how it ended (one that
// starts anyway runs into the deadline, exit -1).
ToolResult start_on(const std::string& dir) {
  return run_tool(
      PANELWIRE_SERVER_BIN,
      {"--listen", "127.0.0.1:0", "--data-dir", dir, "--outbox", temp_path("outbox.jsonl")}, {},
      10s);
}

std::string text_of(const v1::Event& e) {
  return e.has_chat_posted() ? e.chat_posted().text() : std::string();
}

TEST(Durability, ClientsResumeAcrossARestartWithNoGapAndNoDuplicate) {
  const auto dir = temp_path("data");
  auto server = start(dir, 0);
  const auto port = server->port();
  IoThread io;
  SdkClient ann(io, at(port, "Ann"));
  SdkClient bob(io, at(port, "Bob"));
  ASSERT_TRUE(ann.wait_welcomes(1) && bob.wait_welcomes(1));
  for (int i = 1; i <= 20; ++i) ASSERT_FALSE(ann.chat("m" + std::to_string(i)).has_error());
  ASSERT_TRUE(bob.wait_events(20));

  EXPECT_EQ(server->stop(SIGKILL), 128 + SIGKILL);
  server = start(dir, port);
  ASSERT_TRUE(ann.wait_welcomes(2) && bob.wait_welcomes(2)) << "both reconnected";
  EXPECT_EQ(bob.welcomes()[1].resume(), v1::RESUMED);
  EXPECT_EQ(bob.welcomes()[1].seq(), 20u) << "the panel did not start again at 0";
  for (int i = 21; i <= 25; ++i) {
    auto ack = ann.chat("m" + std::to_string(i));
    ASSERT_FALSE(ack.has_error()) << ack.DebugString();
    EXPECT_EQ(ack.seq(), static_cast<std::uint64_t>(i));
  }
  ASSERT_TRUE(bob.wait_events(25));
  auto events = bob.events();
  ASSERT_EQ(events.size(), 25u);
  for (int i = 0; i < 25; ++i) {
    EXPECT_EQ(events[i].seq(), static_cast<std::uint64_t>(i + 1));
    EXPECT_EQ(text_of(events[i]), "m" + std::to_string(i + 1));
  }
}

// Chat, questions, votes and moderation flow from several clients, each
// command waiting for its ack before the next; the server is killed at a
// random moment, restarted on the same port and directory, many times.
// Afterwards an observer that followed the whole panel holds every
// acknowledged command once, at its acknowledged seq, with no gap, and
// the board a fresh client gets is the one the events built.
TEST(Durability, KilledAtRandomMomentsTheRelayLosesNothingAcknowledged) {
  const auto dir = temp_path("data");
  // A short history: snapshots and trimming happen on disk between kills.
  const std::vector<std::string> extra = {"--history-events", "60"};
  auto server = start(dir, 0, extra);
  const auto port = server->port();
  IoThread io;
  SdkClient bob(io, at(port, "Bob"));
  SdkClient ann(io, at(port, "Ann"));
  SdkClient cy(io, at(port, "Cy"));
  SdkClient mo(
      io, at(port, "Mo", mint_token(PANELWIRE_CLI_BIN, kSecret, "moderator", "Mo", "durable")));
  ASSERT_TRUE(bob.wait_welcomes(1) && ann.wait_welcomes(1) && cy.wait_welcomes(1) &&
              mo.wait_welcomes(1));

  struct Acked {
    std::uint64_t seq;
    std::string what;
  };
  std::mutex m;
  std::vector<Acked> acked;          // every applied command, by its ack
  std::vector<std::uint64_t> asked;  // question ids, in order
  std::atomic<int> in_flight{0};
  std::atomic<bool> stop{false};
  // Held around each kill until the observer is back: the history is short
  // (60 events), and writers back before it could push its resume point out
  // of the history, which no relay can answer without a snapshot.
  std::atomic<bool> held{false};
  auto wait_while_held = [&] {
    while (held && !stop) std::this_thread::sleep_for(1ms);
  };
  auto record = [&](const v1::Ack& ack, const std::string& what) {
    ASSERT_FALSE(ack.has_error() && ack.error().code() == v1::UNAVAILABLE)
        << what << ": " << ack.DebugString();
    if (ack.has_error() || ack.seq() == 0) return;
    std::lock_guard lock(m);
    acked.push_back({ack.seq(), what});
  };
  std::vector<std::jthread> workers;
  // However the test ends, the workers stop before they are joined.
  struct StopFirst {
    std::atomic<bool>& stop;
    ~StopFirst() { stop = true; }
  } stop_first{stop};
  workers.emplace_back([&] {
    for (int i = 0; !stop; ++i) {
      wait_while_held();
      ++in_flight;
      auto what = "chat " + std::to_string(i);
      auto ack = ann.chat(what);
      --in_flight;
      record(ack, what);
    }
  });
  workers.emplace_back([&] {
    for (int i = 0; !stop; ++i) {
      wait_while_held();
      ++in_flight;
      if (i % 3 == 0) {
        auto what = "question " + std::to_string(i);
        auto ack = cy.send(ask(what));
        --in_flight;
        record(ack, what);
        // Its event reached Cy before its ack did.
        for (const auto& e : cy.events())
          if (!ack.has_error() && e.seq() == ack.seq() && e.has_questions_changed()) {
            std::lock_guard lock(m);
            asked.push_back(e.questions_changed().questions(0).id());
          }
        continue;
      }
      std::uint64_t id = 0;
      {
        std::lock_guard lock(m);
        if (!asked.empty()) id = asked[i % asked.size()];
      }
      auto ack = cy.send(vote(id, i % 2 == 0));
      --in_flight;
      record(ack, "vote");
    }
  });
  workers.emplace_back([&] {
    for (int i = 0; !stop; ++i) {
      wait_while_held();
      std::uint64_t id = 0;
      {
        std::lock_guard lock(m);
        if (!asked.empty()) id = asked[(i / 2) % asked.size()];
      }
      if (id == 0) {
        std::this_thread::sleep_for(5ms);
        continue;
      }
      ++in_flight;
      auto ack = mo.send(moderate(id, i % 2 == 0 ? v1::HIGHLIGHT : v1::MARK_ANSWERED));
      --in_flight;
      record(ack, "moderation");
    }
  });

  std::mt19937 rng(std::random_device{}());
  int kills_mid_command = 0;
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 300));
    // Commands already sent stay in flight; no new one goes until the
    // observer has resumed.
    held = true;
    if (in_flight > 0) ++kills_mid_command;
    ASSERT_EQ(server->stop(SIGKILL), 128 + SIGKILL);
    server = start(dir, port, extra);
    ASSERT_TRUE(bob.wait_welcomes(static_cast<std::size_t>(round) + 2))
        << "the observer resumed after kill " << round + 1;
    held = false;
  }
  stop = true;
  workers.clear();
  // A command in flight at a kill, then sent again, is in the log once.
  EXPECT_GE(kills_mid_command, kRounds / 2) << "kills landed while commands were in flight";

  std::cout << acked.size() << " commands applied, " << kills_mid_command << " of " << kRounds
            << " kills with commands in flight\n";
  // The observer caught up, through every restart, by resuming.
  std::uint64_t top = 0;
  for (auto& a : acked) top = std::max(top, a.seq);
  ASSERT_GT(top, 0u);
  ASSERT_TRUE(bob.wait_seq(top));
  auto events = bob.events();
  for (std::size_t i = 0; i < events.size(); ++i)
    ASSERT_EQ(events[i].seq(), i + 1) << "no gap, no repeat, in order";
  const auto welcomes = bob.welcomes();
  EXPECT_GE(welcomes.size(), static_cast<std::size_t>(kRounds) + 1) << "resumed after each kill";
  for (std::size_t i = 1; i < welcomes.size(); ++i)
    EXPECT_EQ(welcomes[i].resume(), v1::RESUMED) << "welcome " << i;
  std::set<std::string> chats;
  for (const auto& e : events)
    if (e.has_chat_posted()) {
      EXPECT_TRUE(chats.insert(text_of(e)).second) << text_of(e) << " twice";
    }
  for (const auto& a : acked) {
    const auto& e = events[a.seq - 1];
    if (a.what.starts_with("chat")) {
      EXPECT_EQ(text_of(e), a.what) << "seq " << a.seq;
    }
    if (a.what == "vote" || a.what == "moderation") {
      EXPECT_TRUE(e.has_questions_changed()) << a.what << " at seq " << a.seq;
    }
    if (a.what.starts_with("question")) {
      ASSERT_TRUE(e.has_questions_changed()) << "seq " << a.seq;
      EXPECT_EQ(e.questions_changed().questions(0).text(), a.what);
    }
  }

  // The board as the events built it, question by question...
  std::map<std::uint64_t, v1::Question> built;
  for (const auto& e : events)
    for (const auto& q : e.questions_changed().questions()) built[q.id()] = q;
  // ...is the board a client joining now gets.
  SdkClient late(io, at(port, "Late"));
  ASSERT_TRUE(late.wait_welcomes(1));
  const auto welcome = late.welcomes().front();
  EXPECT_EQ(welcome.seq(), events.back().seq());
  std::map<std::uint64_t, v1::Question> shown;
  for (const auto& q : welcome.questions()) shown[q.id()] = q;
  ASSERT_EQ(shown.size(), built.size());
  for (const auto& [id, q] : built) {
    EXPECT_EQ(shown[id].state(), q.state()) << "question " << id;
    EXPECT_EQ(shown[id].votes(), q.votes()) << "question " << id;
    EXPECT_EQ(shown[id].text(), q.text()) << "question " << id;
  }
}

TEST(Durability, ADamagedDataFileStopsTheStartAndNamesIt) {
  const auto dir = temp_path("data");
  {
    auto server = start(dir, 0);
    IoThread io;
    SdkClient ann(io, at(server->port(), "Ann"));
    ASSERT_TRUE(ann.wait_welcomes(1));
    ASSERT_FALSE(ann.chat("first").has_error());
    ASSERT_FALSE(ann.chat("DAMAGE-THIS-MESSAGE").has_error());
    // A clean stop moves everything from the log into the database file.
    EXPECT_EQ(server->stop(SIGTERM), 0);
  }
  const auto file = dir + "/panels.db";
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto at_text = bytes.find("DAMAGE-THIS-MESSAGE");
  ASSERT_NE(at_text, std::string::npos) << "the message is in the database file";
  bytes[at_text] = 'd';
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;

  auto run = start_on(dir);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find(file), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("checksum"), std::string::npos) << run.err;
}

TEST(Durability, ATornLastWriteIsDroppedAndThePanelGoesOnFromTheOneBefore) {
  const auto dir = temp_path("data");
  auto server = start(dir, 0);
  const auto port = server->port();
  {
    IoThread io;
    SdkClient ann(io, at(port, "Ann"));
    ASSERT_TRUE(ann.wait_welcomes(1));
    for (int i = 1; i <= 10; ++i) ASSERT_FALSE(ann.chat("m" + std::to_string(i)).has_error());
  }
  ASSERT_EQ(server->stop(SIGKILL), 128 + SIGKILL);
  // The last commit, cut short: as if the machine lost power mid-write.
  const auto wal = dir + "/panels.db-wal";
  const auto size = std::filesystem::file_size(wal);
  ASSERT_GT(size, 1000u) << "the writes are in the log, not yet in the database";
  std::filesystem::resize_file(wal, size - 100);

  server = start(dir, port);
  IoThread io;
  auto opts = at(port, "Bob");
  opts.resume_after = 0;
  SdkClient bob(io, opts);
  ASSERT_TRUE(bob.wait_welcomes(1));
  EXPECT_EQ(bob.welcomes().front().seq(), 9u) << "the torn tenth message is gone, no more";
  ASSERT_TRUE(bob.wait_events(9));
  auto events = bob.events();
  for (int i = 0; i < 9; ++i) EXPECT_EQ(text_of(events[i]), "m" + std::to_string(i + 1));
  SdkClient ann(io, at(port, "Ann"));
  ASSERT_TRUE(ann.wait_welcomes(1));
  auto ack = ann.chat("after");
  ASSERT_FALSE(ack.has_error());
  EXPECT_EQ(ack.seq(), 10u);
}

TEST(Durability, ASecondRelayOnTheSameDirectoryDoesNotStart) {
  const auto dir = temp_path("data");
  auto first = start(dir, 0);
  auto run = start_on(dir);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("another panelwire-server"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace panelwire::test
