// The embedded engine with its SQLite store: what a restart keeps, what a
// damaged or full store does, and that nothing leaves the engine before
// the store has it.

#include <sqlite3.h>

#include <array>
#include <future>

#include <gtest/gtest.h>
#include <boost/asio/post.hpp>

#include "engine_harness.h"
#include "engine_test_kit.h"
#include "memory_engine.h"
#include "sqlite_panel_store.h"

namespace panelwire::engine {
namespace {

const v1::Participant kGuest = person("g:0123456789abcdef0123456789abcdef");
const v1::Participant kBea = person("u:0123456789abcdef0123456789abcdef");
const v1::Participant kModerator = person("u:fedcba9876543210fedcba9876543210", v1::MODERATOR);

core::Draft chat(const std::string& text, std::string key = {}) {
  v1::ClientMessage m;
  m.mutable_send_chat()->set_text(text);
  return command(m, kGuest, std::move(key));
}
core::Draft ask(const std::string& text, const v1::Participant& who) {
  v1::ClientMessage m;
  m.mutable_ask_question()->set_text(text);
  return command(m, who);
}
core::Draft vote(std::uint64_t id, const v1::Participant& who) {
  v1::ClientMessage m;
  m.mutable_vote()->set_question_id(id);
  return command(m, who);
}
core::Draft moderate(std::uint64_t id, v1::ModerationAction action) {
  v1::ClientMessage m;
  m.mutable_moderate_question()->set_question_id(id);
  m.mutable_moderate_question()->set_action(action);
  return command(m, kModerator);
}

// Commands as fast as a test sends them (0 per second: no limit).
core::PanelLimits unlimited() {
  core::PanelLimits l;
  l.rates.chat = l.rates.question = l.rates.vote = {0, 1};
  return l;
}

template <class T, class Call>
core::Result<T> blocking(Call call) {
  auto p = std::make_shared<std::promise<core::Result<T>>>();
  auto f = p->get_future();
  call([p](core::Result<T> r) { p->set_value(std::move(r)); });
  if (f.wait_for(10s) != std::future_status::ready) {
    ADD_FAILURE() << "the engine did not answer within 10 s";
    return core::fail(v1::INTERNAL, "no answer (test)");
  }
  return f.get();
}

// One relay's engine on a data directory, as the server builds it.
class DurableNode {
 public:
  DurableNode(const std::string& dir, const core::PanelLimits& limits,
              SqliteStoreOptions options = {})
      : store_(open(dir, options)),
        engine_({owner_.executor()}, limits, clock_, catalog_, outbox_, {}, store_.get()) {
    if (auto r = engine_.restore(); !r) throw std::runtime_error(r.error().message);
  }
  ~DurableNode() {
    owner_.stop();
    caller_.stop();
  }
  core::Result<core::Appended> append(const std::string& panel, core::Draft d) {
    return blocking<core::Appended>(
        [&](auto done) { engine_.append(panel, std::move(d), caller_.executor(), done); });
  }
  core::Result<core::Backlog> backlog(const std::string& panel,
                                      std::optional<std::uint64_t> after) {
    return blocking<core::Backlog>(
        [&](auto done) { engine_.backlog(panel, after, 10, "", caller_.executor(), done); });
  }
  RecordingOutbox& outbox() { return outbox_; }
  void subscribe(const std::string& panel, Sink& sink) {
    auto r = blocking<void>(
        [&](auto done) { engine_.subscribe(panel, &sink, caller_.executor(), done); });
    ASSERT_TRUE(r.has_value());
  }

 private:
  static std::unique_ptr<SqlitePanelStore> open(const std::string& dir, SqliteStoreOptions o) {
    auto store = SqlitePanelStore::open(dir, o);
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(*store);
  }

  core::SystemClock clock_;
  core::PanelCatalog catalog_;
  IoThread owner_, caller_;
  RecordingOutbox outbox_;
  std::unique_ptr<SqlitePanelStore> store_;
  MemoryEngine engine_;
};

std::vector<std::string> bytes_of(const std::vector<core::EventPtr>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e->event().SerializeAsString());
  return out;
}

std::string board_of(const core::Backlog& b) {
  std::string out;
  for (const auto& q : b.questions) out += q.SerializeAsString();
  return out;
}

// Runs one statement on a store's database while no relay has it open.
void sql(const std::string& dir, const std::string& statement) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/panels.db").c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

std::int64_t count(const std::string& dir, const std::string& table) {
  sqlite3* db = nullptr;
  sqlite3_open((dir + "/panels.db").c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, ("SELECT COUNT(*) FROM " + table).c_str(), -1, &st, nullptr);
  std::int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

TEST(DurableEngine, ARestartKeepsEveryEventItsSeqAndTheCommandsAlreadyApplied) {
  auto dir = TempDir::make();
  auto limits = unlimited();
  std::vector<std::string> before;
  {
    DurableNode node(dir.path, limits);
    for (int i = 1; i <= 40; ++i) {
      auto r = node.append("p", chat("m" + std::to_string(i), "client-a/" + std::to_string(i)));
      ASSERT_TRUE(r.has_value());
      ASSERT_EQ(r->seq, static_cast<std::uint64_t>(i));
    }
    before = bytes_of(node.backlog("p", 0)->missed);
    ASSERT_EQ(before.size(), 40u);
  }
  DurableNode node(dir.path, limits);
  auto resumed = node.backlog("p", 10);
  ASSERT_TRUE(resumed.has_value());
  EXPECT_EQ(resumed->resume, v1::RESUMED);
  EXPECT_EQ(resumed->head, 40u);
  EXPECT_EQ(bytes_of(resumed->missed), std::vector<std::string>(before.begin() + 10, before.end()))
      << "the same events, byte for byte";
  // A client that did not see the ack of its 40th command sends it again
  // (within its command window: the last 32 of its commands).
  auto retry = node.append("p", chat("m40", "client-a/40"));
  ASSERT_TRUE(retry.has_value());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->seq, 40u);
  auto next = node.append("p", chat("after the restart"));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->seq, 41u) << "seqs never go back";
}

TEST(DurableEngine, SnapshotsBoundTheDiskAndTheBoardSurvivesTheRestart) {
  auto dir = TempDir::make();
  auto limits = unlimited();
  limits.history_events = 20;
  std::string board;
  std::uint64_t head = 0;
  std::vector<std::string> last_five;
  {
    DurableNode node(dir.path, limits);
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE(node.append("p", ask("question " + std::to_string(i), kGuest)).has_value());
    ASSERT_TRUE(node.append("p", vote(2, kBea)).has_value());
    ASSERT_TRUE(node.append("p", vote(3, kBea)).has_value());
    ASSERT_TRUE(node.append("p", moderate(1, v1::DISMISS)).has_value());
    ASSERT_TRUE(node.append("p", moderate(3, v1::HIGHLIGHT)).has_value());
    for (int i = 0; i < 100; ++i)
      ASSERT_TRUE(node.append("p", chat("chat " + std::to_string(i))).has_value());
    ASSERT_TRUE(node.append("p", vote(4, kBea)).has_value());
    auto fresh = node.backlog("p", std::nullopt);
    ASSERT_TRUE(fresh.has_value());
    board = board_of(*fresh);
    head = fresh->head;
    last_five = bytes_of(node.backlog("p", head - 5)->missed);
  }
  EXPECT_EQ(head, 110u);
  // A snapshot every 10 events; the events before the history go with it.
  EXPECT_EQ(count(dir.path, "snapshots"), 1);
  EXPECT_LE(count(dir.path, "events"), 30) << "at most 1.5 times the history";

  DurableNode node(dir.path, limits);
  auto fresh = node.backlog("p", std::nullopt);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->head, head);
  EXPECT_EQ(board_of(*fresh), board) << "every question, state and vote, as before";
  auto resumed = node.backlog("p", head - 5);
  ASSERT_TRUE(resumed.has_value());
  EXPECT_EQ(resumed->resume, v1::RESUMED);
  EXPECT_EQ(bytes_of(resumed->missed), last_five);
  EXPECT_EQ(node.backlog("p", 10)->resume, v1::RESUME_TOO_OLD);
}

TEST(DurableEngine, ADamagedOrIncompleteStoreStopsTheStartAndSaysWhere) {
  auto dir = TempDir::make();
  auto limits = unlimited();
  {
    DurableNode node(dir.path, limits);
    for (int i = 1; i <= 10; ++i) ASSERT_TRUE(node.append("p", chat("m")).has_value());
  }
  const auto file = dir.path + "/panels.db";
  // A changed byte that SQLite itself cannot see: the record's checksum can.
  sql(dir.path, "UPDATE events SET entry = entry || x'00' WHERE seq = 5");
  auto damaged = SqlitePanelStore::open(dir.path);
  ASSERT_FALSE(damaged.has_value());
  EXPECT_EQ(damaged.error().code, v1::UNAVAILABLE);
  EXPECT_NE(damaged.error().message.find(file), std::string::npos) << damaged.error().message;
  EXPECT_NE(damaged.error().message.find("\"p\" seq 5: event checksum"), std::string::npos)
      << damaged.error().message;

  sql(dir.path, "DELETE FROM events WHERE seq = 5");
  auto gap = SqlitePanelStore::open(dir.path);
  ASSERT_FALSE(gap.has_value());
  EXPECT_NE(gap.error().message.find("seq 6: an event is missing before it"), std::string::npos)
      << gap.error().message;

  std::FILE* f = std::fopen(file.c_str(), "r+b");
  ASSERT_NE(f, nullptr);
  std::fputs("not a database at all", f);
  std::fclose(f);
  auto garbage = SqlitePanelStore::open(dir.path);
  ASSERT_FALSE(garbage.has_value());
  EXPECT_NE(garbage.error().message.find(file), std::string::npos) << garbage.error().message;
}

TEST(DurableEngine, ASecondRelayOnTheSameDirectoryIsRefused) {
  auto dir = TempDir::make();
  auto first = SqlitePanelStore::open(dir.path);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  auto second = SqlitePanelStore::open(dir.path);
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().message.find("another panelwire-server"), std::string::npos)
      << second.error().message;
}

TEST(DurableEngine, AFullStoreRefusesCommandsServesReadsAndLosesNothingAcknowledged) {
  auto dir = TempDir::make();
  auto limits = unlimited();
  SqliteStoreOptions small;
  small.max_bytes = 64 * 1024;
  std::vector<std::uint64_t> acked;
  std::vector<std::string> seen;
  {
    DurableNode node(dir.path, limits, small);
    Sink sink;
    node.subscribe("p", sink);
    std::optional<core::Failure> refused;
    for (int i = 0; i < 200 && !refused; ++i) {
      auto r = node.append("p", chat(std::string(1500, 'a' + i % 26)));
      if (r)
        acked.push_back(r->seq);
      else
        refused = r.error();
    }
    ASSERT_TRUE(refused.has_value()) << "64 KiB holds fewer than 200 messages of 1.5 KB";
    EXPECT_EQ(refused->code, v1::UNAVAILABLE);
    ASSERT_FALSE(acked.empty());
    EXPECT_EQ(acked.back(), acked.size()) << "acked seqs are 1..n";
    // Still full: refused again, after the reload too.
    auto again = node.append("p", chat(std::string(1500, 'z')));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, v1::UNAVAILABLE);
    // Reads go on, and show only what was stored.
    auto read = node.backlog("p", 0);
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->head, acked.size());
    seen = bytes_of(read->missed);
    EXPECT_EQ(seen.size(), acked.size());
    EXPECT_EQ(sink.seqs(), acked) << "the sink got exactly the acknowledged events";
  }
  DurableNode roomy(dir.path, limits);
  auto read = roomy.backlog("p", 0);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(bytes_of(read->missed), seen);
  // The refused events were never shown to anyone, so their seqs are free.
  auto next = roomy.append("p", chat("room again"));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->seq, acked.size() + 1);
}

TEST(DurableEngine, LeftoversTheOutboxDidNotTakeArePublishedAtTheNextStartOnce) {
  auto dir = TempDir::make();
  auto limits = unlimited();
  v1::ClientMessage end;
  end.mutable_end_panel();
  std::uint64_t end_seq = 0;
  {
    DurableNode node(dir.path, limits);
    ASSERT_TRUE(node.append("p", ask("left over", kGuest)).has_value());
    node.outbox().fail_writes(true);
    auto ended = node.append("p", command(end, kModerator));
    ASSERT_FALSE(ended.has_value()) << "the outbox failed: the moderator is told";
    EXPECT_EQ(ended.error().code, v1::UNAVAILABLE);
    // The end itself is stored (its fan-out went out); only the outbox lacks it.
    auto read = node.backlog("p", 0);
    ASSERT_TRUE(read.has_value());
    end_seq = read->head;
    EXPECT_EQ(end_seq, 2u);
  }
  {
    DurableNode node(dir.path, limits);
    auto batches = node.outbox().batches();
    ASSERT_EQ(batches.size(), 1u) << "published at start";
    EXPECT_EQ(batches[0].panel_id(), "p");
    EXPECT_EQ(batches[0].seq(), end_seq);
    ASSERT_EQ(batches[0].items_size(), 1);
    EXPECT_EQ(batches[0].items(0).text(), "left over");
  }
  {
    DurableNode node(dir.path, limits);
    EXPECT_TRUE(node.outbox().batches().empty()) << "marked published: not again";
  }
  EXPECT_EQ(count(dir.path, "leftovers"), 0) << "nothing left waiting";
}

TEST(DurableEngine, LeftoversTheOutboxTookAreNotPublishedAgain) {
  auto dir = TempDir::make();
  auto limits = unlimited();
  v1::ClientMessage end;
  end.mutable_end_panel();
  {
    DurableNode node(dir.path, limits);
    ASSERT_TRUE(node.append("p", ask("left over", kGuest)).has_value());
    ASSERT_TRUE(node.append("p", command(end, kModerator)).has_value());
    EXPECT_EQ(node.outbox().batches().size(), 1u);
  }
  DurableNode node(dir.path, limits);
  EXPECT_TRUE(node.outbox().batches().empty());
}

// A store that holds each write until the test lets it go, and answers
// a reload, as the real one does, only after the writes queued before it.
class GatedStore final : public PanelStore {
 public:
  core::Result<std::vector<StoredPanel>> load() override { return std::vector<StoredPanel>{}; }
  bool write(StoreWrite w, Executor on, std::function<void(core::Result<void>)> done) override {
    std::lock_guard lock(m_);
    pending_.push_back({std::move(w), std::move(on), std::move(done), {}});
    return true;
  }
  void reload(std::string panel_id, Executor on,
              std::function<void(core::Result<StoredPanel>)> done) override {
    std::lock_guard lock(m_);
    StoreWrite w;
    w.panel_id = std::move(panel_id);
    pending_.push_back({std::move(w), std::move(on), {}, std::move(done)});
  }
  std::size_t pending() {
    std::lock_guard lock(m_);
    return pending_.size();
  }
  int reloads() {
    std::lock_guard lock(m_);
    return reloads_;
  }
  // Completes the oldest write (stored or failed) or answers the reload
  // queued behind the writes already completed.
  void finish_next(bool ok) {
    std::lock_guard lock(m_);
    ASSERT_FALSE(pending_.empty());
    auto p = std::move(pending_.front());
    pending_.pop_front();
    if (p.loaded) {
      ++reloads_;
      StoredPanel stored{p.w.panel_id, {}, stored_, {}};
      boost::asio::post(p.on, [done = std::move(p.loaded), stored]() mutable { done(stored); });
      return;
    }
    if (ok && p.w.kind == StoreWrite::Kind::append) {
      v1::LogEntry e;
      e.ParseFromString(p.w.bytes);
      stored_.push_back(e);
    }
    auto r = ok ? core::Result<void>{} : core::Result<void>(core::fail(v1::UNAVAILABLE, "full"));
    boost::asio::post(p.on, [done = std::move(p.done), r] { done(r); });
  }

 private:
  struct Pending {
    StoreWrite w;
    Executor on;
    std::function<void(core::Result<void>)> done;
    std::function<void(core::Result<StoredPanel>)> loaded;
  };
  std::mutex m_;
  std::deque<Pending> pending_;
  std::vector<v1::LogEntry> stored_;
  int reloads_ = 0;
};

class HeldUntilStored : public ::testing::Test {
 protected:
  HeldUntilStored()
      : engine_({owner_.executor()}, limits_, clock_, catalog_, outbox_, {}, &store_) {}
  ~HeldUntilStored() override {
    owner_.stop();
    caller_.stop();
  }
  // Everything the owner had to do is done, and so is everything it sent
  // the caller's thread: what has not arrived by now waits for the store.
  void settle() {
    std::promise<void> p;
    boost::asio::post(owner_.executor(),
                      [&] { boost::asio::post(caller_.executor(), [&] { p.set_value(); }); });
    p.get_future().wait();
  }
  std::future<core::Result<core::Appended>> append(core::Draft d) {
    auto p = std::make_shared<std::promise<core::Result<core::Appended>>>();
    engine_.append("p", std::move(d), caller_.executor(),
                   [p](auto r) { p->set_value(std::move(r)); });
    return p->get_future();
  }
  void subscribe(Sink& sink) {
    auto r =
        blocking<void>([&](auto done) { engine_.subscribe("p", &sink, caller_.executor(), done); });
    ASSERT_TRUE(r.has_value());
  }
  std::future<core::Result<core::Backlog>> backlog() {
    auto p = std::make_shared<std::promise<core::Result<core::Backlog>>>();
    engine_.backlog("p", 0, 10, "", caller_.executor(),
                    [p](auto r) { p->set_value(std::move(r)); });
    return p->get_future();
  }
  template <class F>
  static bool ready(const F& f) {
    return f.wait_for(0s) == std::future_status::ready;
  }

  core::PanelLimits limits_;
  core::PanelCatalog catalog_;
  core::SystemClock clock_;
  IoThread owner_, caller_;
  RecordingOutbox outbox_;
  GatedStore store_;
  MemoryEngine engine_;
};

TEST_F(HeldUntilStored, TheFanOutTheAckARetrysAckAndABacklogWaitForTheStore) {
  Sink sink;
  subscribe(sink);

  auto first = append(chat("first", "c/1"));
  auto retry = append(chat("first", "c/1"));
  auto read = backlog();
  settle();
  EXPECT_EQ(store_.pending(), 1u);
  EXPECT_FALSE(ready(first)) << "acked before it was stored";
  EXPECT_FALSE(ready(retry)) << "a retry acked before its command was stored";
  EXPECT_FALSE(ready(read)) << "a backlog showed an event not yet stored";
  EXPECT_TRUE(sink.seqs().empty()) << "fanned out before it was stored";

  store_.finish_next(true);
  ASSERT_EQ(first.wait_for(10s), std::future_status::ready);
  auto ack = first.get();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->seq, 1u);
  auto dup = retry.get();
  ASSERT_TRUE(dup.has_value());
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->seq, 1u);
  auto shown = read.get();
  ASSERT_TRUE(shown.has_value());
  EXPECT_EQ(shown->head, 1u);
  ASSERT_TRUE(sink.wait_for_count(1));
}

TEST_F(HeldUntilStored, AFailureWithMoreWritesQueuedReloadsBehindThemAndLosesOnlyTheFailed) {
  Sink sink;
  subscribe(sink);
  auto first = append(chat("first"));
  auto second = append(chat("second"));
  auto third = append(chat("third"));
  auto read = backlog();
  settle();
  ASSERT_EQ(store_.pending(), 3u);
  store_.finish_next(true);   // first: stored
  store_.finish_next(false);  // second: the disk is full
  store_.finish_next(false);  // third: refused behind it (no gaps)
  settle();
  EXPECT_FALSE(ready(read)) << "a backlog showing the third event, which is lost";
  store_.finish_next(true);  // the reload, behind them
  ASSERT_TRUE(first.get().has_value());
  auto b = second.get();
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().code, v1::UNAVAILABLE);
  auto c = third.get();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, v1::UNAVAILABLE);
  auto shown = read.get();
  ASSERT_TRUE(shown.has_value());
  EXPECT_EQ(shown->head, 1u) << "served again from the panel as stored";
  ASSERT_EQ(shown->missed.size(), 1u);
  EXPECT_EQ(sink.seqs(), std::vector<std::uint64_t>{1});
  EXPECT_EQ(store_.reloads(), 1) << "one reload for the panel, however many writes failed";
}

TEST_F(HeldUntilStored, ARefusalDecidedOnAnUnstoredEventWaitsForIt) {
  v1::ClientMessage end;
  end.mutable_end_panel();
  auto ended = append(command(end, kModerator));
  auto refused = append(chat("after the end"));
  settle();
  EXPECT_FALSE(ready(refused)) << "told the panel ended before the end was stored";
  store_.finish_next(false);  // the end is lost
  settle();
  store_.finish_next(true);  // the reload
  auto r = refused.get();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::UNAVAILABLE) << "not PANEL_ENDED: the end never happened";
  EXPECT_FALSE(ended.get().has_value());
  auto again = append(chat("after the end"));
  settle();
  store_.finish_next(true);
  ASSERT_TRUE(again.get().has_value()) << "the panel is open";
}

TEST_F(HeldUntilStored, AFailedWriteLosesOnlyWhatNobodySawAndThePanelGoesOn) {
  Sink sink;
  subscribe(sink);
  auto kept = append(chat("kept"));
  settle();
  store_.finish_next(true);
  ASSERT_TRUE(kept.get().has_value());

  auto lost = append(chat("lost", "c/2"));
  auto lost_retry = append(chat("lost", "c/2"));
  auto read = backlog();
  settle();
  store_.finish_next(false);
  settle();
  EXPECT_FALSE(ready(lost)) << "answered before the panel was back to what is stored";
  store_.finish_next(true);  // the reload
  auto a = lost.get();
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code, v1::UNAVAILABLE);
  auto b = lost_retry.get();
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().code, v1::UNAVAILABLE);
  auto shown = read.get();
  ASSERT_TRUE(shown.has_value()) << "reads go on, from the panel as stored";
  EXPECT_EQ(shown->head, 1u);
  EXPECT_EQ(store_.reloads(), 1);

  // The retry of the lost command is applied now, at the seq nobody saw.
  auto again = append(chat("lost", "c/2"));
  settle();
  store_.finish_next(true);
  auto c = again.get();
  ASSERT_TRUE(c.has_value());
  EXPECT_FALSE(c->duplicate);
  EXPECT_EQ(c->seq, 2u);
  ASSERT_TRUE(sink.wait_for_count(2));
  auto events = sink.events();
  EXPECT_EQ(events[0]->event().chat_posted().text(), "kept");
  EXPECT_EQ(events[1]->event().chat_posted().text(), "lost");
}

}  // namespace
}  // namespace panelwire::engine
