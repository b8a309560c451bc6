#include "memory_engine.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "gather.h"

namespace panelwire::engine {

namespace asio = boost::asio;

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

bool MemoryEngine::make_room(Owner& owner) {
  auto oldest = owner.panels.end();
  for (auto it = owner.panels.begin(); it != owner.panels.end(); ++it) {
    const auto& slot = *it->second;
    if (!slot.panel->ended() || !slot.subscribers.empty() || !slot.waiting.empty() ||
        slot.reloading)
      continue;
    if (oldest == owner.panels.end() || slot.active_ms < oldest->second->active_ms) oldest = it;
  }
  if (oldest == owner.panels.end()) return false;
  const auto before = owner.panels.size();
  const auto id = oldest->first;
  erase(owner, oldest);
  if (owner.panels.size() == before) return false;  // a store that is behind keeps it
  spdlog::info("event=ended_panel_gave_way panel=\"{}\"", id);
  return true;
}

MemoryEngine::Owner& MemoryEngine::owner_of(const std::string& panel_id) {
  return owners_[owner_index(panel_id, owners_.size())];
}

core::Result<MemoryEngine::Slot*> MemoryEngine::slot(Owner& owner, const std::string& panel_id) {
  if (auto it = owner.panels.find(panel_id); it != owner.panels.end()) return it->second.get();
  auto settings = catalog_.find(panel_id);
  if (!settings) return settings.error();
  // A listed panel always has its place; ids made up on the spot share a cap.
  if (catalog_.open() && panel_count_.load() >= retention_.max_panels && !make_room(owner))
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
