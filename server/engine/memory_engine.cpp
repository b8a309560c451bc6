#include "memory_engine.h"

#include <algorithm>

#include <boost/asio/post.hpp>

namespace panelwire::engine {

namespace asio = boost::asio;

MemoryEngine::MemoryEngine(std::vector<Executor> owners, core::PanelLimits limits,
                           const core::Clock& clock, const core::PanelCatalog& catalog,
                           LeftoverOutbox& outbox)
    : limits_(limits), clock_(clock), catalog_(catalog), outbox_(outbox) {
  owners_.reserve(owners.size());
  for (auto& ex : owners) owners_.push_back(Owner{std::move(ex), {}});
}

MemoryEngine::Owner& MemoryEngine::owner_of(const std::string& panel_id) {
  return owners_[std::hash<std::string>{}(panel_id) % owners_.size()];
}

core::Result<MemoryEngine::Slot*> MemoryEngine::slot(Owner& owner, const std::string& panel_id) {
  auto& s = owner.panels[panel_id];
  if (!s) {
    auto settings = catalog_.find(panel_id);
    if (!settings) {
      owner.panels.erase(panel_id);
      return settings.error();
    }
    s = std::make_unique<Slot>(
        Slot{core::Panel(panel_id, std::move(*settings), limits_, clock_), {}});
  }
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
  asio::post(owner.ex, [&owner, panel_id, sink] {
    auto it = owner.panels.find(panel_id);
    if (it == owner.panels.end()) return;
    auto& subs = it->second->subscribers;
    std::erase_if(subs, [sink](const Subscriber& s) { return s.sink == sink; });
    // A panel nobody is in and nothing was said in costs memory for nothing.
    if (subs.empty() && it->second->panel.head() == 0) owner.panels.erase(it);
  });
}

}  // namespace panelwire::engine
