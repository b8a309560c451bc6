#include "memory_engine.h"

#include <algorithm>
#include <chrono>

#include <boost/asio/post.hpp>

namespace panelwire::engine {

namespace asio = boost::asio;

MemoryEngine::MemoryEngine(std::vector<Executor> owners, core::PanelLimits limits,
                           const core::Clock& clock, const core::PanelCatalog& catalog,
                           LeftoverOutbox& outbox, Retention retention)
    : limits_(limits), clock_(clock), catalog_(catalog), outbox_(outbox), retention_(retention) {
  owners_.reserve(owners.size());
  for (auto& ex : owners) {
    owners_.push_back(Owner{ex, {}, std::make_unique<boost::asio::steady_timer>(ex)});
    auto& owner = owners_.back();
    // Started on the owner's thread: the sweep touches its panels only there.
    if (catalog_.open()) asio::post(owner.ex, [this, &owner] { sweep(owner); });
  }
}

MemoryEngine::~MemoryEngine() = default;

void MemoryEngine::sweep(Owner& owner) {
  const auto now = clock_.now_ms();
  for (auto it = owner.panels.begin(); it != owner.panels.end();) {
    const auto& slot = *it->second;
    const auto ttl = slot.panel.ended() ? retention_.ended_ttl : retention_.idle_ttl;
    if (slot.subscribers.empty() && now - slot.active_ms >= ttl.count())
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
  owner.panels.erase(it);
  --panel_count_;
}

MemoryEngine::Owner& MemoryEngine::owner_of(const std::string& panel_id) {
  return owners_[std::hash<std::string>{}(panel_id) % owners_.size()];
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
  s = std::make_unique<Slot>(
      Slot{core::Panel(panel_id, std::move(*settings), limits_, clock_), {}, clock_.now_ms()});
  return s.get();
}

void MemoryEngine::append(const std::string& panel_id, core::Draft draft, Executor reply_on,
                          Reply<core::Appended> done) {
  auto& owner = owner_of(panel_id);
  asio::post(owner.ex, [this, &owner, panel_id, draft = std::move(draft),
                        reply_on = std::move(reply_on), done = std::move(done)]() mutable {
    auto reply = [reply_on, done = std::move(done)](core::Result<core::Appended> r) mutable {
      asio::post(reply_on,
                 [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    };
    auto s = slot(owner, panel_id);
    if (!s) return reply(s.error());
    auto result = (*s)->panel.append(std::move(draft));
    if (result && result->event) {
      (*s)->active_ms = clock_.now_ms();
      for (auto& sub : (*s)->subscribers)
        asio::post(sub.on, [sink = sub.sink, ev = result->event] { sink->on_event(ev); });
    }
    if (!result || !result->leftovers) return reply(std::move(result));
    auto batch = std::move(*result->leftovers);
    result->leftovers.reset();
    // The ack waits for the disk; the panel's owner does not.
    outbox_.publish(std::move(batch), [reply = std::move(reply), result = std::move(result)](
                                          core::Result<void> written) mutable {
      if (!written) return reply(written.error());
      reply(std::move(result));
    });
  });
}

void MemoryEngine::backlog(const std::string& panel_id, std::optional<std::uint64_t> resume_after,
                           std::size_t chat_count, const std::string& viewer_id, Executor reply_on,
                           Reply<core::Backlog> done) {
  auto& owner = owner_of(panel_id);
  asio::post(owner.ex, [this, &owner, panel_id, resume_after, chat_count, viewer_id,
                        reply_on = std::move(reply_on), done = std::move(done)]() mutable {
    auto s = slot(owner, panel_id);
    auto result = s ? (*s)->panel.backlog(resume_after, chat_count, viewer_id)
                    : core::Result<core::Backlog>(s.error());
    asio::post(reply_on, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
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
    (*s)->subscribers.push_back(Subscriber{sink, sink_on});
    // Posted after the subscription is in place: any event appended from here
    // on is posted to `sink_on` behind this reply.
    asio::post(sink_on, [done = std::move(done)] { done(core::Result<void>{}); });
  });
}

void MemoryEngine::unsubscribe(const std::string& panel_id, EventSink* sink) {
  auto& owner = owner_of(panel_id);
  asio::post(owner.ex, [this, &owner, panel_id, sink] {
    auto it = owner.panels.find(panel_id);
    if (it == owner.panels.end()) return;
    auto& subs = it->second->subscribers;
    std::erase_if(subs, [sink](const Subscriber& s) { return s.sink == sink; });
    if (!subs.empty()) return;
    it->second->active_ms = clock_.now_ms();
    // A panel nobody is in and nothing was said in costs memory for nothing.
    if (it->second->panel.head() == 0) erase(owner, it);
  });
}

}  // namespace panelwire::engine
