#include "memory_engine.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "gather.h"

namespace panelwire::engine {

namespace asio = boost::asio;

namespace {

// The leftovers of event `seq` are in the outbox: the store may forget
// them. Runs on the outbox's thread, so it holds nothing of the engine
// (the store outlives the outbox, the engine does not). Not marked (a full
// queue, a failed write): published again at the next start, which the
// outbox's readers take as the same batch.
void mark_published(PanelStore& store, const Executor& ex, const std::string& id, std::uint64_t seq,
                    std::string batch) {
  StoreWrite w;
  w.kind = StoreWrite::Kind::published;
  w.panel_id = id;
  w.seq = seq;
  // The batch itself names the row: a panel id used again after a drop
  // may have an older batch at the same seq.
  w.leftovers = std::move(batch);
  store.write(std::move(w), ex, [](core::Result<void>) {});
}

}  // namespace

MemoryEngine::MemoryEngine(std::vector<Executor> owners, core::PanelLimits limits,
                           const core::Clock& clock, const core::PanelCatalog& catalog,
                           LeftoverOutbox& outbox, Retention retention, PanelStore* store)
    : limits_(limits),
      clock_(clock),
      catalog_(catalog),
      outbox_(outbox),
      retention_(retention),
      store_(store),
      snapshot_every_(std::max<std::size_t>(1, limits.history_events / 2)) {
  owners_.reserve(owners.size());
  for (auto& ex : owners) {
    owners_.push_back(Owner{ex, {}, std::make_unique<boost::asio::steady_timer>(ex)});
    auto& owner = owners_.back();
    // Started on the owner's thread: the sweep touches its panels only there.
    // With a store, once restore() has put the stored panels in place.
    if (catalog_.open() && !store_) asio::post(owner.ex, [this, &owner] { sweep(owner); });
  }
}

MemoryEngine::~MemoryEngine() = default;

void MemoryEngine::sweep(Owner& owner) {
  const auto now = clock_.now_ms();
  for (auto it = owner.panels.begin(); it != owner.panels.end();) {
    const auto& slot = *it->second;
    const auto ttl = slot.panel->ended() ? retention_.ended_ttl : retention_.idle_ttl;
    // A panel with writes on their way stays until they are done.
    const bool settled = slot.waiting.empty() && !slot.reloading;
    if (slot.subscribers.empty() && settled && now - slot.active_ms >= ttl.count())
      erase(owner, it++);
    else
      ++it;
  }
  // A tenth of the shorter TTL: a panel outlives its TTL by 10% at most.
  auto every = std::clamp(std::min(retention_.idle_ttl, retention_.ended_ttl) / 10,
                          std::chrono::milliseconds(10), std::chrono::milliseconds(60'000));
  owner.sweeper->expires_after(every);
  owner.sweeper->async_wait([this, &owner](boost::system::error_code ec) {
    if (!ec) sweep(owner);
  });
}

void MemoryEngine::erase(Owner& owner,
                         std::unordered_map<std::string, std::unique_ptr<Slot>>::iterator it) {
  if (store_ && it->second->durable > 0) {
    StoreWrite w;
    w.kind = StoreWrite::Kind::drop;
    w.panel_id = it->first;
    // The disk is behind: the panel stays, the next sweep tries again.
    if (!store_->write(std::move(w), owner.ex, [id = it->first](core::Result<void> r) {
          if (!r)
            spdlog::error("event=store_drop_failed panel=\"{}\" error=\"{}\"", id,
                          r.error().message);
        }))
      return;
  }
  owner.panels.erase(it);
  --panel_count_;
}

MemoryEngine::Owner& MemoryEngine::owner_of(const std::string& panel_id) {
  return owners_[owner_index(panel_id, owners_.size())];
}

core::Result<MemoryEngine::Slot*> MemoryEngine::slot(Owner& owner, const std::string& panel_id) {
  if (auto it = owner.panels.find(panel_id); it != owner.panels.end()) return it->second.get();
  auto settings = catalog_.find(panel_id);
  if (!settings) return settings.error();
  // A listed panel always has its place; ids made up on the spot share a cap.
  if (catalog_.open() && panel_count_.load() >= retention_.max_panels)
    return core::fail(v1::RESOURCE_EXHAUSTED,
                      "this relay holds as many panels as it may; try again later");
  ++panel_count_;
  auto& s = owner.panels[panel_id];
  s = std::make_unique<Slot>();
  s->panel.emplace(panel_id, std::move(*settings), limits_, clock_);
  s->active_ms = clock_.now_ms();
  return s.get();
}

void MemoryEngine::append(const std::string& panel_id, core::Draft draft, Executor reply_on,
                          Reply<core::Appended> done) {
  auto& owner = owner_of(panel_id);
  asio::post(owner.ex, [this, &owner, panel_id, draft = std::move(draft),
                        reply_on = std::move(reply_on), done = std::move(done)]() mutable {
    Replier reply = [reply_on, done = std::move(done)](core::Result<core::Appended> r) mutable {
      asio::post(reply_on,
                 [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    };
    auto s = slot(owner, panel_id);
    if (!s) return reply(s.error());
    auto& slot = **s;
    if (slot.reloading || slot.waiting.size() >= kMaxWaiting)
      return reply(core::fail(v1::UNAVAILABLE, "this panel cannot store events now; try again"));
    auto dedup_key = store_ ? draft.dedup_key : std::string();
    auto result = slot.panel->append(std::move(draft));
    if (!result || !result->event) {
      // A refusal or a retry's ack was decided against the events before
      // it: it goes out only once they are stored (an end that was never
      // stored must not have refused anything).
      if (!store_ || slot.durable >= slot.panel->head()) return reply(std::move(result));
      return wait(slot, [reply, r = std::move(result)](Slot&, Outcome o) mutable {
        if (o == Outcome::stored) return reply(std::move(r));
        reply(core::fail(v1::UNAVAILABLE, "the command was not stored; try again"));
      });
    }
    slot.active_ms = clock_.now_ms();
    if (!store_) return deliver(slot, std::move(*result), std::move(reply));
    persist(owner, panel_id, slot, std::move(*result), std::move(dedup_key), std::move(reply));
  });
}

void MemoryEngine::deliver(Slot& slot, core::Appended result, Replier reply) {
  slot.subscribers.deliver(result.event);
  publish_then_reply(outbox_, std::move(result), std::move(reply));
}

void MemoryEngine::backlog(const std::string& panel_id, std::optional<std::uint64_t> resume_after,
                           std::size_t chat_count, const std::string& viewer_id, Executor reply_on,
                           Reply<core::Backlog> done) {
  auto& owner = owner_of(panel_id);
  asio::post(owner.ex, [this, &owner, panel_id, resume_after, chat_count, viewer_id,
                        reply_on = std::move(reply_on), done = std::move(done)]() mutable {
    auto reply = [reply_on, done = std::move(done)](core::Result<core::Backlog> r) mutable {
      asio::post(reply_on,
                 [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    };
    auto s = slot(owner, panel_id);
    if (!s) return reply(s.error());
    auto& slot = **s;
    auto compute = [resume_after, chat_count, viewer_id](Slot& sl) {
      return sl.panel->backlog(resume_after, chat_count, viewer_id);
    };
    if (!store_ || (!slot.reloading && slot.durable >= slot.panel->head()))
      return reply(compute(slot));
    if (slot.waiting.size() >= kMaxWaiting || slot.held_backlogs >= kMaxHeldBacklogs)
      return reply(core::fail(v1::UNAVAILABLE, "this panel is busy storing events; try again"));
    // Computed now, sent once the store holds all it shows; a reload in
    // between (events lost) makes it computed again from the reloaded panel.
    std::optional<core::Result<core::Backlog>> held;
    if (!slot.reloading) held = compute(slot);
    ++slot.held_backlogs;
    wait(slot, [reply, compute, held = std::move(held)](Slot& sl, Outcome o) mutable {
      --sl.held_backlogs;
      if (o == Outcome::stored && held) return reply(std::move(*held));
      if (o == Outcome::lost) return reply(compute(sl));
      reply(core::fail(v1::UNAVAILABLE, "this panel cannot be read now; try again"));
    });
  });
}

// --- With a store ---

void MemoryEngine::wait(Slot& slot, std::function<void(Slot&, Outcome)> fn) {
  // While reloading, nothing is released until the reload is done.
  const auto seq = slot.reloading ? UINT64_MAX : slot.panel->head();
  slot.waiting.push_back(Waiter{seq, std::move(fn)});
}

void MemoryEngine::persist(Owner& owner, const std::string& id, Slot& slot, core::Appended result,
                           std::string dedup_key, Replier reply) {
  const auto seq = result.seq;
  v1::LogEntry entry;
  *entry.mutable_event() = result.event->event();
  entry.set_dedup_key(std::move(dedup_key));
  StoreWrite w;
  w.panel_id = id;
  w.seq = seq;
  w.bytes = entry.SerializeAsString();
  if (result.leftovers) {
    // Stored with the event, so a crash before the outbox has them cannot
    // lose them: restore() publishes what was never marked published.
    w.leftovers = result.leftovers->SerializeAsString();
    reply = [store = store_, ex = owner.ex, id, seq, batch = w.leftovers,
             reply = std::move(reply)](core::Result<core::Appended> r) {
      if (r) mark_published(*store, ex, id, seq, batch);
      reply(std::move(r));
    };
  }
  wait(slot, [this, reply, result = std::move(result)](Slot& sl, Outcome o) mutable {
    if (o == Outcome::stored) return deliver(sl, std::move(result), std::move(reply));
    reply(core::fail(v1::UNAVAILABLE, "the event could not be stored; try again"));
  });
  auto on_written = [this, &owner, id, seq](core::Result<void> r) {
    written(owner, id, seq, std::move(r));
  };
  // A full queue is a failed write: the panel goes back to what is stored.
  if (!store_->write(std::move(w), owner.ex, std::move(on_written)))
    return start_reload(owner, id, slot);
  if (seq - slot.snapshot_seq < snapshot_every_) return;
  StoreWrite snap;
  snap.kind = StoreWrite::Kind::snapshot;
  snap.panel_id = id;
  snap.seq = seq;
  snap.bytes = slot.panel->snapshot().SerializeAsString();
  snap.keep_from = slot.panel->history_start();
  // Not taken (a full queue) or failed: tried again after as many events
  // again, not at each (a snapshot is the costly write); the events on disk
  // hold the whole state meanwhile.
  slot.snapshot_seq = seq;
  if (!store_->write(std::move(snap), owner.ex, [id](core::Result<void> r) {
        if (!r)
          spdlog::warn("event=store_snapshot_failed panel=\"{}\" error=\"{}\"", id,
                       r.error().message);
      }))
    spdlog::warn("event=store_snapshot_refused panel=\"{}\" detail=\"write queue full\"", id);
}

void MemoryEngine::written(Owner& owner, const std::string& id, std::uint64_t seq,
                           core::Result<void> r) {
  auto it = owner.panels.find(id);
  if (it == owner.panels.end()) return;
  auto& slot = *it->second;
  if (!r) {
    if (!slot.reloading)
      spdlog::error("event=store_write_failed panel=\"{}\" seq={} error=\"{}\"", id, seq,
                    r.error().message);
    return start_reload(owner, id, slot);
  }
  slot.durable = std::max(slot.durable, seq);
  while (!slot.waiting.empty() && slot.waiting.front().seq <= slot.durable) {
    auto w = std::move(slot.waiting.front());
    slot.waiting.pop_front();
    w.fn(slot, Outcome::stored);
  }
}

void MemoryEngine::abandon() {
  for (auto& owner : owners_) {
    asio::post(owner.ex, [&owner] {
      for (auto& [id, slot] : owner.panels)
        for (auto& w : std::exchange(slot->waiting, {})) w.fn(*slot, Outcome::abandoned);
    });
  }
}

void MemoryEngine::start_reload(Owner& owner, const std::string& id, Slot& slot) {
  if (slot.reloading) return;
  slot.reloading = true;
  // Queued behind every write of the panel already queued, so it reads
  // the panel as the store ends up holding it.
  store_->reload(id, owner.ex, [this, &owner, id](core::Result<StoredPanel> stored) {
    reloaded(owner, id, std::move(stored));
  });
}

void MemoryEngine::reloaded(Owner& owner, const std::string& id, core::Result<StoredPanel> stored) {
  auto it = owner.panels.find(id);
  if (it == owner.panels.end()) return;
  auto& slot = *it->second;
  if (!slot.reloading) return;
  auto rebuilt =
      stored ? rebuild(slot, id, std::move(*stored)) : core::Result<void>(stored.error());
  if (!rebuilt) {
    spdlog::error("event=store_reload_failed panel=\"{}\" error=\"{}\"", id,
                  rebuilt.error().message);
    // What waited gets UNAVAILABLE now rather than wait for a disk that
    // may not come back; commands stay refused; try again in a second.
    for (auto& w : std::exchange(slot.waiting, {})) w.fn(slot, Outcome::abandoned);
    auto timer = std::make_shared<asio::steady_timer>(owner.ex, std::chrono::seconds(1));
    timer->async_wait([this, &owner, id, timer](boost::system::error_code ec) {
      if (ec) return;
      store_->reload(id, owner.ex, [this, &owner, id](core::Result<StoredPanel> s) {
        reloaded(owner, id, std::move(s));
      });
    });
    return;
  }
  spdlog::warn("event=store_panel_reloaded panel=\"{}\" seq={}", id, slot.durable);
  slot.reloading = false;
  auto waiting = std::exchange(slot.waiting, {});
  for (auto& w : waiting) w.fn(slot, w.seq <= slot.durable ? Outcome::stored : Outcome::lost);
}

core::Result<void> MemoryEngine::rebuild(Slot& slot, const std::string& id, StoredPanel stored) {
  auto settings = catalog_.find(id);
  if (!settings) return settings.error();
  // Built apart and put in place only whole: a replay that fails leaves
  // the slot's panel as it was.
  std::optional<core::Panel> fresh;
  fresh.emplace(id, std::move(*settings), limits_, clock_);
  auto& panel = *fresh;
  std::size_t i = 0;
  if (stored.snapshot) {
    std::vector<v1::Event> earlier;
    for (; i < stored.entries.size() && stored.entries[i].event().seq() <= stored.snapshot->seq();
         ++i)
      earlier.push_back(std::move(*stored.entries[i].mutable_event()));
    if (auto r = panel.restore(*stored.snapshot, std::move(earlier)); !r) return r;
  }
  for (; i < stored.entries.size(); ++i) {
    auto& e = stored.entries[i];
    auto r = panel.commit(std::move(*e.mutable_event()), std::move(*e.mutable_dedup_key()));
    if (!r) return r.error();
  }
  slot.durable = panel.head();
  slot.snapshot_seq = stored.snapshot ? stored.snapshot->seq() : 0;
  slot.panel.reset();
  slot.panel.emplace(std::move(panel));
  return {};
}

core::Result<void> MemoryEngine::restore() {
  if (!store_) return {};
  auto stored = store_->load();
  if (!stored) return stored.error();
  for (auto& p : *stored) {
    auto id = p.id;
    auto& owner = owner_of(id);
    for (auto& batch : p.unpublished) {
      const auto seq = batch.seq();
      spdlog::info("event=leftovers_republished panel=\"{}\" seq={} items={}", id, seq,
                   batch.items_size());
      auto bytes = batch.SerializeAsString();
      outbox_.publish(
          std::move(batch), [store = store_, ex = owner.ex, id, seq, bytes](core::Result<void> r) {
            if (r) return mark_published(*store, ex, id, seq, bytes);
            spdlog::error("event=leftovers_republish_failed panel=\"{}\" seq={} error=\"{}\"", id,
                          seq, r.error().message);
          });
    }
    if (!catalog_.find(id)) {
      spdlog::warn("event=stored_panel_not_listed panel=\"{}\" detail=\"kept on disk, not loaded\"",
                   id);
      continue;
    }
    auto s = std::make_unique<Slot>();
    if (auto r = rebuild(*s, id, std::move(p)); !r)
      return core::fail(r.error().code,
                        "stored panel \"" + id + "\" does not replay: " + r.error().message);
    s->active_ms = clock_.now_ms();
    owner.panels[id] = std::move(s);
    ++panel_count_;
  }
  // Posted after the panels are in place, so the owners see them.
  if (catalog_.open())
    for (auto& owner : owners_) asio::post(owner.ex, [this, &owner] { sweep(owner); });
  return {};
}

void MemoryEngine::subscribe(const std::string& panel_id, EventSink* sink, Executor sink_on,
                             Reply<void> done) {
  auto& owner = owner_of(panel_id);
  asio::post(owner.ex, [this, &owner, panel_id, sink, sink_on = std::move(sink_on),
                        done = std::move(done)]() mutable {
    auto s = slot(owner, panel_id);
    if (!s) {
      return asio::post(sink_on,
                        [done = std::move(done), e = s.error()] { done(core::Result<void>(e)); });
    }
    (*s)->subscribers.add(sink, sink_on);
    // Posted after the subscription is in place: any event appended from here
    // on is posted to `sink_on` behind this reply.
    asio::post(sink_on, [done = std::move(done)] { done(core::Result<void>{}); });
  });
}

void MemoryEngine::figures(Executor reply_on, std::function<void(EngineFigures)> done) const {
  std::vector<Executor> on;
  for (const auto& o : owners_) on.push_back(o.ex);
  gather<EngineFigures>(on, std::function<EngineFigures(std::size_t)>([this](std::size_t i) {
                          EngineFigures f;
                          for (const auto& [id, slot] : owners_[i].panels)
                            if (slot->panel) f.count(*slot->panel);
                          return f;
                        }),
                        std::move(reply_on), std::move(done));
}

void MemoryEngine::unsubscribe(const std::string& panel_id, EventSink* sink) {
  auto& owner = owner_of(panel_id);
  asio::post(owner.ex, [this, &owner, panel_id, sink] {
    auto it = owner.panels.find(panel_id);
    if (it == owner.panels.end()) return;
    auto& subs = it->second->subscribers;
    subs.remove(sink);
    if (!subs.empty()) return;
    it->second->active_ms = clock_.now_ms();
    // A panel nobody is in and nothing was said in costs memory for nothing.
    if (it->second->panel->head() == 0 && it->second->waiting.empty() && !it->second->reloading)
      erase(owner, it);
  });
}

}  // namespace panelwire::engine
