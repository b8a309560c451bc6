#include "redis_panel_replica.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace panelwire::engine {

namespace asio = boost::asio;

namespace {

template <class T>
void reply(const Executor& on, Reply<T> done, core::Result<T> result) {
  asio::post(on, [done = std::move(done), result = std::move(result)]() mutable {
    done(std::move(result));
  });
}

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
// Spelled out for clang before 17, which does not deduce aggregates' arguments.
template <class... F>
overloaded(F...) -> overloaded<F...>;

}  // namespace

PanelReplica::PanelReplica(std::string id, core::PanelSettings settings,
                           const core::PanelLimits& limits, const core::Clock& clock,
                           RedisPanelLog& log, LeftoverOutbox& outbox, Executor owner,
                           ReplicaOptions options, std::function<void()> on_idle)
    : id_(std::move(id)),
      settings_(std::move(settings)),
      limits_(limits),
      clock_(clock),
      log_(log),
      outbox_(outbox),
      owner_(std::move(owner)),
      options_(options),
      on_idle_(std::move(on_idle)),
      turn_timer_(owner_) {}

void PanelReplica::append(core::Draft draft, Executor reply_on, Reply<core::Appended> done) {
  enqueue(AppendOp{std::move(draft), std::move(reply_on), std::move(done)});
}

void PanelReplica::backlog(std::optional<std::uint64_t> resume_after, std::size_t chat_count,
                           std::string viewer_id, Executor reply_on, Reply<core::Backlog> done) {
  enqueue(BacklogOp{resume_after, chat_count, std::move(viewer_id), std::move(reply_on),
                    std::move(done)});
}

void PanelReplica::subscribe(EventSink* sink, Executor sink_on, Reply<void> done) {
  enqueue(SubscribeOp{sink, std::move(sink_on), std::move(done)});
}

void PanelReplica::unsubscribe(EventSink* sink) {
  subscribers_.remove(sink);
  check_idle();
}

bool PanelReplica::idle() const {
  return subscribers_.empty() && ops_.empty() && !in_flight_ && !catching_up_ && !waiting_turn_ &&
         state_ != State::loading;
}

void PanelReplica::enqueue(Op op) {
  if (ops_.size() >= options_.max_queued) {
    return fail_op(op,
                   core::fail(v1::UNAVAILABLE, "panel " + id_ + " has too many commands waiting"));
  }
  ops_.push_back(std::move(op));
  if (state_ == State::failed) return load();
  pump();
}

void PanelReplica::on_subscribed() {
  switch (state_) {
    case State::subscribing:
    case State::failed:
      return load();
    case State::loading:
      // The load may have read before what the outage hid: read again.
      heard_ = std::numeric_limits<std::uint64_t>::max();
      return;
    case State::ready:
      return catch_up();
  }
}

void PanelReplica::on_redis_lost() {
  if (state_ == State::ready || state_ == State::failed) return;
  // The resubscription after the reconnect loads the panel again.
  state_ = State::failed;
  fail_queued(core::fail(v1::UNAVAILABLE, "Redis is out of reach"));
  check_idle();
}

void PanelReplica::load() {
  state_ = State::loading;
  heard_ = 0;
  log_.load(id_, [weak = weak_from_this()](core::Result<RedisPanelLog::Loaded> r) {
    if (auto self = weak.lock()) self->on_loaded(std::move(r));
  });
}

void PanelReplica::on_loaded(core::Result<RedisPanelLog::Loaded> loaded) {
  auto broken = [this](const core::Failure& f) {
    spdlog::error("event=panel_load_failed panel={} error=\"{}\"", id_, f.message);
    state_ = State::failed;
    panel_.reset();
    fail_queued(f);
    check_idle();
  };
  if (!loaded) return broken(loaded.error());
  panel_.emplace(id_, settings_, limits_, clock_);
  auto& entries = loaded->entries;
  const auto covered = loaded->snapshot.seq();
  std::size_t next = 0;
  if (covered > 0) {
    std::vector<v1::Event> earlier;
    for (; next < entries.size() && entries[next].event().seq() <= covered; ++next)
      earlier.push_back(std::move(*entries[next].mutable_event()));
    if (auto ok = panel_->restore(loaded->snapshot, std::move(earlier)); !ok)
      return broken(ok.error());
  }
  // Loading replays history: its leftovers were published when it happened.
  state_ = State::ready;
  if (reloaded_from_ > 0) {
    // What the subscribers missed is gone from the log. The newest event
    // the snapshot brought shows them the gap, which their backlog cannot
    // fill (docs/protocol.md: close 1013), even when nothing follows it.
    if (auto latest = panel_->latest(); latest && latest->seq() > reloaded_from_)
      subscribers_.deliver(latest);
    reloaded_from_ = 0;
  }
  for (; next < entries.size(); ++next) {
    if (!commit(std::move(entries[next]), false))
      return broken(core::fail(v1::INTERNAL, "the log of panel " + id_ + " has a gap"));
  }
  if (std::max(heard_, loaded->head) > panel_->head()) return catch_up();
  pump();
}

void PanelReplica::on_live(const std::string& payload) {
  v1::LogEntry entry;
  if (!entry.ParseFromString(payload)) {
    spdlog::warn("event=bad_log_entry panel={} bytes={}", id_, payload.size());
    return;
  }
  const auto seq = entry.event().seq();
  if (state_ != State::ready || catching_up_) {
    heard_ = std::max(heard_, seq);
    return;
  }
  if (seq <= panel_->head()) return;  // our own append, committed on its reply
  if (!commit(std::move(entry), true)) {
    heard_ = seq;
    catch_up();
  }
}

void PanelReplica::catch_up() {
  if (catching_up_ || state_ != State::ready) return;
  catching_up_ = true;
  heard_ = 0;
  log_.read_after(id_, panel_->head(), options_.catch_up_batch,
                  [weak = weak_from_this()](core::Result<std::vector<v1::LogEntry>> r) {
                    auto self = weak.lock();
                    if (!self) return;
                    self->catching_up_ = false;
                    if (!r) {
                      // Redis is out of reach: the resubscription catches up.
                      self->fail_queued(r.error());
                      return self->check_idle();
                    }
                    const bool more = r->size() == self->options_.catch_up_batch;
                    for (auto& e : *r) {
                      if (e.event().seq() <= self->panel_->head()) continue;
                      if (!self->commit(std::move(e), true)) {
                        // Trimmed past our head (a long outage): start over.
                        spdlog::warn("event=panel_reload panel={} head={}", self->id_,
                                     self->panel_->head());
                        self->reloaded_from_ = self->panel_->head();
                        self->panel_.reset();
                        return self->load();
                      }
                    }
                    if (more || self->heard_ > self->panel_->head()) return self->catch_up();
                    self->pump();
                  });
}

bool PanelReplica::commit(v1::LogEntry entry, bool observed) {
  const auto seq = entry.event().seq();
  if (seq != panel_->head() + 1) return false;
  auto r = panel_->commit(std::move(*entry.mutable_event()), std::move(*entry.mutable_dedup_key()));
  if (!r) return false;
  subscribers_.deliver(r->event);
  if (in_flight_ && in_flight_->seq == seq) {
    in_flight_->committed = std::move(*r);
  } else if (observed && r->leftovers) {
    // Another node appended this; publishing again is a no-op in the
    // outbox, and covers that node dying before it published.
    outbox_.publish(std::move(*r->leftovers), [id = id_](core::Result<void> w) {
      if (!w)
        spdlog::warn("event=leftovers_republish_failed panel={} error=\"{}\"", id,
                     w.error().message);
    });
  }
  return true;
}

void PanelReplica::pump() {
  while (state_ == State::ready && !catching_up_ && !in_flight_ && !waiting_turn_ &&
         !ops_.empty()) {
    auto op = std::move(ops_.front());
    ops_.pop_front();
    bool stop = false;
    std::visit(overloaded{
                   [&](SubscribeOp& s) {
                     subscribers_.add(s.sink, s.on);
                     // Posted after the sink joined: later events queue
                     // behind this reply on the sink's executor.
                     reply(s.on, std::move(s.done), core::Result<void>{});
                   },
                   [&](BacklogOp& b) {
                     if (b.resume_after && *b.resume_after > panel_->head() && !b.caught_up) {
                       // Resuming from another node that is ahead of us.
                       b.caught_up = true;
                       ops_.push_front(std::move(b));
                       stop = true;
                       return catch_up();
                     }
                     reply(b.reply_on, std::move(b.done),
                           panel_->backlog(b.resume_after, b.chat_count, b.viewer_id));
                   },
                   [&](AppendOp& a) { run(std::move(a)); },
               },
               op);
    if (stop) return;
  }
  check_idle();
}

void PanelReplica::run(AppendOp op) {
  auto prepared = panel_->prepare(op.draft);
  if (!prepared) return finish(op, prepared.error());
  if (!prepared->event)
    return finish(op, core::Appended{prepared->seq, prepared->duplicate, nullptr, {}});
  v1::LogEntry entry;
  *entry.mutable_event() = std::move(*prepared->event);
  entry.set_dedup_key(std::move(prepared->dedup_key));
  in_flight_.emplace(InFlight{prepared->seq});
  if (op.attempts == 0) op.first_try_ms = clock_.now_ms();
  const bool lost_before = op.attempts > 0;
  log_.append(id_, panel_->head(), entry, lost_before,
              [weak = weak_from_this(), op = std::move(op),
               entry](core::Result<RedisPanelLog::AppendResult> r) mutable {
                if (auto self = weak.lock())
                  self->on_appended(std::move(op), std::move(entry), std::move(r));
              });
}

void PanelReplica::on_appended(AppendOp op, v1::LogEntry entry,
                               core::Result<RedisPanelLog::AppendResult> r) {
  auto flight = std::move(*in_flight_);
  in_flight_.reset();
  if (!r) {
    // The outcome is unknown: a retry with the same command id is
    // recognised once the entry, if it landed, reaches this replica.
    finish(op, r.error());
  } else if (r->appended) {
    if (panel_->head() + 1 == r->head) {
      in_flight_.emplace(InFlight{r->head});
      commit(std::move(entry), false);
      flight = std::move(*in_flight_);
      in_flight_.reset();
    }
    if (!flight.committed) {
      finish(op, flight.committed.error());
    } else {
      if (r->head % options_.snapshot_every == 0) {
        log_.save_snapshot(id_, panel_->snapshot(), [id = id_](core::Result<void> w) {
          if (!w)
            spdlog::warn("event=snapshot_failed panel={} error=\"{}\"", id, w.error().message);
        });
      }
      finish(op, std::move(flight.committed));
    }
  } else if (r->head + 1 < flight.seq) {
    finish(op, core::fail(v1::INTERNAL, "Redis holds fewer events of panel " + id_ +
                                            " than this node saw: Redis lost data"));
  } else if (++op.attempts > 1 && clock_.now_ms() - op.first_try_ms > options_.append_deadline_ms) {
    finish(op, core::fail(v1::UNAVAILABLE, "panel " + id_ + " is too busy; retry"));
  } else {
    // Lost the race for the head: catch up and decide again.
    ops_.push_front(std::move(op));
    for (auto& e : r->missed) {
      if (e.event().seq() > panel_->head() && !commit(std::move(e), true)) break;
    }
    if (panel_->head() < r->head) return catch_up();
    if (r->head + 1 == flight.seq) {
      // Current, yet refused: another node holds the turn for its append.
      waiting_turn_ = true;
      turn_timer_.expires_after(options_.turn_wait);
      return turn_timer_.async_wait([weak = weak_from_this()](boost::system::error_code) {
        if (auto self = weak.lock()) {
          self->waiting_turn_ = false;
          self->pump();
        }
      });
    }
  }
  pump();
}

void PanelReplica::finish(AppendOp& op, core::Result<core::Appended> result) {
  // Acked once the leftovers are durable; the panel goes on meanwhile.
  publish_then_reply(
      outbox_, std::move(result),
      [reply_on = op.reply_on, done = std::move(op.done)](core::Result<core::Appended> r) mutable {
        reply(reply_on, std::move(done), std::move(r));
      });
}

void PanelReplica::fail_op(Op& op, const core::Failure& f) {
  std::visit(overloaded{
                 [&](SubscribeOp& s) { reply(s.on, std::move(s.done), core::Result<void>(f)); },
                 [&](BacklogOp& b) {
                   reply(b.reply_on, std::move(b.done), core::Result<core::Backlog>(f));
                 },
                 [&](AppendOp& a) {
                   reply(a.reply_on, std::move(a.done), core::Result<core::Appended>(f));
                 },
             },
             op);
}

void PanelReplica::fail_queued(const core::Failure& f) {
  auto ops = std::move(ops_);
  ops_.clear();
  for (auto& op : ops) fail_op(op, f);
}

void PanelReplica::check_idle() {
  if (idle()) asio::post(owner_, on_idle_);
}

}  // namespace panelwire::engine
