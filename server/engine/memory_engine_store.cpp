// The embedded engine with a store (--data-dir): each event is written
// before what depends on it leaves, a panel whose writes failed is reloaded
// from the store, and the stored panels are restored at start.

#include <chrono>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "memory_engine.h"

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

}  // namespace panelwire::engine
