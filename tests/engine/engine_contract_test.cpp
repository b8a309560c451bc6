// The guarantees engine.h states, checked over every engine with real
// threads: each engine runs this one suite.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "../leftover_ids.h"
#include "engine_harness.h"

namespace panelwire::engine {
namespace {

using namespace std::chrono_literals;

// Records what a subscription delivered and on which thread.
class RecordingSink final : public EventSink {
 public:
  explicit RecordingSink(IoThread& on) : on_(on) {}

  void on_event(const core::EventPtr& ev) override {
    {
      std::lock_guard lock(m_);
      seqs_.push_back(ev->seq());
      if (!on_.running_here()) wrong_thread_ = true;
    }
    cv_.notify_all();
  }

  bool wait_for_count(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return seqs_.size() >= n; });
  }
  // Until the event `seq` (and so, in order, all before it) arrived.
  bool wait_for_seq(std::uint64_t seq, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return !seqs_.empty() && seqs_.back() >= seq; });
  }
  std::vector<std::uint64_t> seqs() {
    std::lock_guard lock(m_);
    return seqs_;
  }
  bool wrong_thread() {
    std::lock_guard lock(m_);
    return wrong_thread_;
  }
  Executor executor() { return on_.executor(); }

 private:
  IoThread& on_;
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::uint64_t> seqs_;
  bool wrong_thread_ = false;
};

std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> out;
  for (auto s = from; s <= to; ++s) out.push_back(s);
  return out;
}

core::Draft chat(const std::string& text, std::string dedup_key = {}) {
  core::Draft d;
  d.dedup_key = std::move(dedup_key);
  d.event.mutable_chat_posted()->set_text(text);
  d.event.mutable_chat_posted()->mutable_author()->set_display_name("Ann");
  return d;
}

core::Draft delete_of(std::uint64_t seq) {
  core::Draft d;
  d.event.mutable_chat_deleted()->set_chat_seq(seq);
  return d;
}

class EngineContract : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override { harness_ = make_harness(GetParam(), limits_, catalog_); }

  // Blocks until the engine answers.
  core::Result<core::Appended> append(const std::string& panel, core::Draft d, IoThread& on) {
    std::promise<core::Result<core::Appended>> p;
    engine().append(panel, std::move(d), on.executor(), [&](auto r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  core::Result<core::Backlog> backlog(const std::string& panel, std::optional<std::uint64_t> after,
                                      std::size_t chat_count = 10) {
    std::promise<core::Result<core::Backlog>> p;
    engine().backlog(panel, after, chat_count, "", callers_[0].executor(),
                     [&](auto r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  void subscribe(const std::string& panel, RecordingSink& sink) {
    std::promise<core::Result<void>> p;
    engine().subscribe(panel, &sink, sink.executor(), [&](auto r) { p.set_value(r); });
    ASSERT_TRUE(p.get_future().get().has_value());
  }

  // The engine's figures, answered on callers_[0]'s thread.
  EngineFigures figures() {
    std::promise<EngineFigures> p;
    engine().figures(callers_[0].executor(), [&](EngineFigures f) {
      EXPECT_TRUE(callers_[0].running_here()) << "answered on the executor asked for";
      p.set_value(std::move(f));
    });
    auto f = p.get_future();
    if (f.wait_for(10s) != std::future_status::ready) {
      ADD_FAILURE() << "no figures within 10 s";
      return {};
    }
    return f.get();
  }

  Engine& engine() { return harness_->engine(); }
  // Sinks outlive the threads that deliver to them.
  RecordingSink& sink_on(IoThread& t) {
    return *sinks_.emplace_back(std::make_unique<RecordingSink>(t));
  }

  core::PanelLimits limits_;
  core::PanelCatalog catalog_;
  // Destroyed in reverse: the engine stops first, then the callers' threads,
  // then the sinks they delivered to.
  std::vector<std::unique_ptr<RecordingSink>> sinks_;
  // Stand-ins for the shards that call the engine and host sinks.
  std::array<IoThread, 3> callers_;
  std::unique_ptr<EngineHarness> harness_;
};

TEST_P(EngineContract, ConcurrentAppendsShareNoSeqAndSkipNone) {
  constexpr int kThreads = 4, kEach = 250;
  std::mutex m;
  std::vector<std::uint64_t> seqs;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = append("p", chat("m"), callers_[t % callers_.size()]);
        ASSERT_TRUE(r.has_value());
        std::lock_guard lock(m);
        seqs.push_back(r->seq);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(seqs, range(1, kThreads * kEach));
}

TEST_P(EngineContract, EverySinkGetsEveryEventOnceInSeqOrder) {
  std::vector<RecordingSink*> sinks;
  for (auto& c : callers_) {
    sinks.push_back(&sink_on(c));
    subscribe("p", *sinks.back());
  }
  constexpr int kThreads = 3, kEach = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) ASSERT_TRUE(append("p", chat("m"), callers_[t]).has_value());
    });
  for (auto& t : threads) t.join();
  // One more: each sink has it last, so nothing extra came before it.
  constexpr std::uint64_t kLast = kThreads * kEach + 1;
  ASSERT_EQ(append("p", chat("marker"), callers_[0])->seq, kLast);
  for (auto& s : sinks) {
    ASSERT_TRUE(s->wait_for_seq(kLast));
    EXPECT_EQ(s->seqs(), range(1, kLast)) << "every event once, in order, nothing extra";
    EXPECT_FALSE(s->wrong_thread()) << "events arrive on the executor the sink subscribed with";
  }
}

TEST_P(EngineContract, SinkSeesTheEventBeforeTheAckOnItsExecutor) {
  auto& sink = sink_on(callers_[1]);
  subscribe("p", sink);
  for (int i = 1; i <= 50; ++i) {
    std::promise<bool> seen_first;
    engine().append("p", chat("m"), callers_[1].executor(), [&](core::Result<core::Appended> r) {
      auto seqs = sink.seqs();
      seen_first.set_value(r && !seqs.empty() && seqs.back() == r->seq);
    });
    ASSERT_TRUE(seen_first.get_future().get()) << "at append " << i;
  }
}

TEST_P(EngineContract, RetriedDraftIsAppliedOnce) {
  auto& sink = sink_on(callers_[0]);
  subscribe("p", sink);
  auto first = append("p", chat("hello", "client-1/c1"), callers_[0]);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->duplicate);
  ASSERT_TRUE(append("p", chat("other", "client-2/c1"), callers_[0]).has_value());

  auto retry = append("p", chat("hello", "client-1/c1"), callers_[1]);
  ASSERT_TRUE(retry.has_value());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->seq, first->seq) << "the retry learns the seq the first try got";
  EXPECT_EQ(retry->event, nullptr);

  EXPECT_EQ(backlog("p", std::nullopt)->head, 2u);
  // The retry published nothing: the next event is the sink's third.
  ASSERT_EQ(append("p", chat("marker"), callers_[0])->seq, 3u);
  ASSERT_TRUE(sink.wait_for_seq(3));
  EXPECT_EQ(sink.seqs(), range(1, 3));
}

TEST_P(EngineContract, BrokenRuleFailsWithItsCodeAndChangesNothing) {
  ASSERT_TRUE(append("p", chat("one"), callers_[0]).has_value());
  auto missing = append("p", delete_of(7), callers_[0]);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, v1::NOT_FOUND);

  ASSERT_TRUE(append("p", delete_of(1), callers_[0]).has_value());
  auto again = append("p", delete_of(1), callers_[0]);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, v1::NOT_FOUND) << "a message is deleted once";

  auto b = backlog("p", 0);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->head, 2u);
  ASSERT_EQ(b->missed.size(), 2u);
  EXPECT_TRUE(b->missed[1]->event().has_chat_deleted());
}

TEST_P(EngineContract, SubscribeThenBacklogLeavesNoGapUnderLoad) {
  // A jthread: an ASSERT below that returns early stops and joins it.
  std::atomic<bool> writer_failed = false;
  std::jthread writer([&](std::stop_token stop) {
    while (!stop.stop_requested())
      if (!append("p", chat("m"), callers_[2]).has_value()) {
        ADD_FAILURE() << "an append failed";
        writer_failed = true;
        return;
      }
  });
  // A joining client: subscribe first, then fetch the backlog; together
  // they cover every event, the overlap removed by seq.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    auto now = backlog("p", std::nullopt);
    ASSERT_TRUE(now.has_value());
    if (now->head >= 20) break;
    ASSERT_FALSE(writer_failed);
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "20 events not written in 10 s";
    std::this_thread::yield();
  }
  auto& sink = sink_on(callers_[1]);
  subscribe("p", sink);
  auto b = backlog("p", 0, 0);
  ASSERT_TRUE(b.has_value());
  ASSERT_EQ(b->resume, v1::RESUMED);
  ASSERT_TRUE(sink.wait_for_count(20));
  writer.request_stop();
  writer.join();
  ASSERT_FALSE(writer_failed);
  auto last = backlog("p", std::nullopt);
  ASSERT_TRUE(last.has_value());
  auto head = last->head;
  std::set<std::uint64_t> seen;
  for (const auto& e : b->missed) seen.insert(e->seq());
  // The sink may hold events from before the backlog's head too: wait for
  // the last one, not for a count.
  ASSERT_TRUE(sink.wait_for_seq(head));
  for (auto s : sink.seqs()) seen.insert(s);
  EXPECT_EQ(std::vector<std::uint64_t>(seen.begin(), seen.end()), range(1, head));
  EXPECT_LE(sink.seqs().front(), b->head + 1) << "live events start no later than the backlog ends";
}

TEST_P(EngineContract, ResumeBeyondHistorySaysSoAndGivesRecentChat) {
  harness_.reset();
  limits_.history_events = 10;
  harness_ = make_harness(GetParam(), limits_, catalog_);
  for (int i = 1; i <= 30; ++i)
    ASSERT_TRUE(append("p", chat("m" + std::to_string(i)), callers_[0]).has_value());
  ASSERT_TRUE(append("p", delete_of(30), callers_[0]).has_value());

  auto old = backlog("p", 5, 3);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->resume, v1::RESUME_TOO_OLD);
  EXPECT_TRUE(old->missed.empty());
  ASSERT_EQ(old->recent_chat.size(), 3u);
  EXPECT_EQ(old->recent_chat[0]->event().chat_posted().text(), "m27") << "oldest first";
  EXPECT_EQ(old->recent_chat[2]->event().chat_posted().text(), "m29") << "deleted chat left out";

  auto recent = backlog("p", 25);
  ASSERT_TRUE(recent.has_value());
  EXPECT_EQ(recent->resume, v1::RESUMED);
  ASSERT_EQ(recent->missed.size(), 6u);
  EXPECT_EQ(recent->missed.front()->seq(), 26u);

  auto future = backlog("p", 99);
  ASSERT_FALSE(future.has_value());
  EXPECT_EQ(future.error().code, v1::INVALID_ARGUMENT);
}

TEST_P(EngineContract, UnsubscribedSinkGetsNothingAppendedAfterwards) {
  auto& sink = sink_on(callers_[0]);
  subscribe("p", sink);
  ASSERT_TRUE(append("p", chat("a"), callers_[1]).has_value());
  ASSERT_TRUE(sink.wait_for_count(1));
  engine().unsubscribe("p", &sink);
  // A second sink's subscription completes after the unsubscribe took hold.
  auto& probe = sink_on(callers_[0]);
  subscribe("p", probe);
  ASSERT_TRUE(append("p", chat("b"), callers_[1]).has_value());
  ASSERT_TRUE(probe.wait_for_count(1));
  // A window is the only evidence here: nothing reaches an unsubscribed
  // sink to mark the end, and sinks on other executors are not ordered.
  EXPECT_FALSE(sink.wait_for_count(2, 100ms));
  engine().unsubscribe("p", &probe);
}

TEST_P(EngineContract, PanelsAreSequencedIndependently) {
  auto& a = sink_on(callers_[0]);
  auto& b = sink_on(callers_[1]);
  subscribe("alpha", a);
  subscribe("beta", b);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(append("alpha", chat("x"), callers_[2])->seq, static_cast<std::uint64_t>(i + 1));
    ASSERT_EQ(append("beta", chat("y"), callers_[2])->seq, static_cast<std::uint64_t>(i + 1));
  }
  ASSERT_TRUE(a.wait_for_count(5));
  ASSERT_TRUE(b.wait_for_count(5));
  // A window: the panels' deliveries are not ordered with each other, so
  // no later event of alpha proves beta's did not reach `a`.
  EXPECT_FALSE(a.wait_for_count(6, 100ms)) << "a sink hears only its own panel";
  EXPECT_EQ(a.seqs(), range(1, 5));
  EXPECT_EQ(b.seqs(), range(1, 5));
}

TEST_P(EngineContract, FiguresCountThePanelsInMemoryAndTheirHistory) {
  EXPECT_EQ(figures().panels, 0u);
  // Followed panels (a Redis node keeps only those: others it lets go once
  // they are idle).
  auto& a = sink_on(callers_[0]);
  auto& b = sink_on(callers_[1]);
  subscribe("alpha", a);
  subscribe("beta", b);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(append("alpha", chat("x"), callers_[0]).has_value());
  ASSERT_TRUE(append("beta", chat("y"), callers_[1]).has_value());
  auto f = figures();
  EXPECT_EQ(f.panels, 2u);
  EXPECT_EQ(f.history_events, 5u);
  const auto before = f.history_bytes;
  EXPECT_GT(before, 0u);
  ASSERT_TRUE(append("beta", chat(std::string(1000, 'y')), callers_[2]).has_value());
  f = figures();
  EXPECT_EQ(f.history_events, 6u);
  EXPECT_GE(f.history_bytes, before + 1000);
  EXPECT_EQ(f.redis, GetParam() == EngineKind::redis);
  if (f.redis) {
    EXPECT_GE(f.redis_round_trip.count(), 6u) << "each append's script at least";
  }
  engine().unsubscribe("alpha", &a);
  engine().unsubscribe("beta", &b);
}

core::Draft ask(const std::string& text, const std::string& who) {
  core::Draft d;
  d.event.mutable_actor()->set_id(who);
  d.event.mutable_actor()->set_display_name(who);
  d.event.mutable_questions_changed()->set_change(v1::CHANGE_ASKED);
  d.event.mutable_questions_changed()->add_questions()->set_text(text);
  return d;
}

core::Draft end_panel() {
  core::Draft d;
  d.event.mutable_actor()->set_role(v1::MODERATOR);
  d.event.mutable_panel_ended();
  return d;
}

TEST_P(EngineContract, LeftoversAreDurableBeforeTheAckAndPublishedOnce) {
  ASSERT_TRUE(append("p", ask("first?", "ann"), callers_[0]).has_value());
  ASSERT_TRUE(append("p", ask("second?", "bob"), callers_[0]).has_value());
  std::promise<std::vector<v1::Leftover>> stored_at_ack;
  engine().append("p", end_panel(), callers_[1].executor(), [&](core::Result<core::Appended> r) {
    EXPECT_TRUE(r.has_value());
    stored_at_ack.set_value(harness_->stored_leftovers());
  });
  auto stored = stored_at_ack.get_future().get();
  ASSERT_EQ(stored.size(), 2u) << "in the outbox's file or stream before the moderator's ack";
  using testing_support::without_start;
  EXPECT_EQ(without_start(stored[0].leftover_id()), "p/1");
  EXPECT_EQ(stored[0].text(), "first?");
  EXPECT_EQ(without_start(stored[1].leftover_id()), "p/2");
  const auto life = [](const std::string& id) { return id.substr(0, id.rfind('/')); };
  EXPECT_EQ(life(stored[0].leftover_id()), life(stored[1].leftover_id())) << "one panel, one start";
  EXPECT_EQ(stored[1].asker_name(), "bob");

  auto again = append("p", end_panel(), callers_[1]);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, v1::PANEL_ENDED);
  EXPECT_EQ(harness_->stored_leftovers().size(), 2u) << "ending twice publishes once";
  EXPECT_EQ(harness_->outbox().confirmed(), 1u);
  EXPECT_EQ(append("p", chat("late"), callers_[0]).error().code, v1::PANEL_ENDED);
}

TEST_P(EngineContract, TheEndsAckWaitsForASlowOutbox) {
  auto& sink = sink_on(callers_[0]);
  subscribe("p", sink);
  ASSERT_TRUE(append("p", ask("q?", "ann"), callers_[0]).has_value());
  harness_->outbox().hold();
  std::promise<core::Result<core::Appended>> acked;
  engine().append("p", end_panel(), callers_[1].executor(),
                  [&](core::Result<core::Appended> r) { acked.set_value(std::move(r)); });
  auto ack = acked.get_future();
  for (int i = 0; i < 1000 && harness_->outbox().confirmed() == 0; ++i)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(harness_->outbox().confirmed(), 1u) << "the real outbox wrote the batch";
  EXPECT_EQ(harness_->stored_leftovers().size(), 1u);
  // The outbox has written but not yet said so: an engine that acked on
  // the write's start, not its end, has acked by now (its ack is one post
  // away), so a short window shows it.
  EXPECT_EQ(ack.wait_for(200ms), std::future_status::timeout)
      << "acked before the outbox said durable";
  harness_->outbox().release();
  auto r = ack.get();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->seq, 2u);
  ASSERT_TRUE(sink.wait_for_seq(2));
  EXPECT_EQ(sink.seqs(), range(1, 2));
}

TEST_P(EngineContract, AFailedOutboxWriteFailsTheCommand) {
  ASSERT_TRUE(append("p", ask("q?", "ann"), callers_[0]).has_value());
  harness_->outbox().fail_writes(true);
  auto r = append("p", end_panel(), callers_[0]);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::UNAVAILABLE);
}

TEST_P(EngineContract, AClosedCatalogRefusesUnknownPanels) {
  harness_.reset();
  auto catalog = core::PanelCatalog::parse(
      R"({"panels":[{"id":"known","title":"Expert panel","forum_thread":"t-42","pre_moderation":true}]})");
  ASSERT_TRUE(catalog.has_value());
  catalog_ = std::move(*catalog);
  harness_ = make_harness(GetParam(), limits_, catalog_);

  auto r = append("other", chat("hi"), callers_[0]);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::UNKNOWN_PANEL);
  auto b = backlog("other", std::nullopt);
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().code, v1::UNKNOWN_PANEL);
  auto& sink = sink_on(callers_[0]);
  std::promise<core::Result<void>> p;
  engine().subscribe("other", &sink, sink.executor(), [&](auto r) { p.set_value(r); });
  auto sub = p.get_future().get();
  ASSERT_FALSE(sub.has_value());
  EXPECT_EQ(sub.error().code, v1::UNKNOWN_PANEL);

  auto known = backlog("known", std::nullopt);
  ASSERT_TRUE(known.has_value());
  EXPECT_EQ(known->info.title(), "Expert panel");
  EXPECT_TRUE(known->info.pre_moderation());
  EXPECT_TRUE(known->info.guests_allowed()) << "guests allowed unless said otherwise";
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineContract, ::testing::ValuesIn(engine_kinds()),
                         [](const auto& info) { return std::string(name_of(info.param)); });

}  // namespace
}  // namespace panelwire::engine
