#include "redis_engine.h"

#include "gather.h"
#include "panel_followers.h"

#include <boost/asio/post.hpp>

namespace panelwire::engine {

namespace asio = boost::asio;

namespace {

// The failure half of with_replica(): `done` gets it on `on`.
template <class T>
auto fail_on(Executor on, std::shared_ptr<Reply<T>> done) {
  return [on = std::move(on), done = std::move(done)](core::Failure f) {
    asio::post(on, [done, f = std::move(f)] { (*done)(core::Result<T>(f)); });
  };
}

}  // namespace

RedisEngine::RedisEngine(std::vector<Executor> owners, RedisEngineOptions options,
                         core::PanelLimits limits, const core::Clock& clock,
                         const core::PanelCatalog& catalog, LeftoverOutbox& outbox)
    : options_(std::move(options)),
      limits_(limits),
      clock_(clock),
      catalog_(catalog),
      outbox_(outbox) {
  // Replicas keep a reference to their owner: no reallocation after this.
  owners_.reserve(owners.size());
  for (std::size_t i = 0; i < owners.size(); ++i) {
    auto opts = options_.connection;
    // Runs on the owner's executor, like everything of the connection.
    opts.on_state = [this, i, told = options_.connection.on_state](bool up) {
      connected_ += up ? 1 : -1;
      if (!up) {
        for (auto& [id, replica] : owners_[i].panels) replica->on_redis_lost();
      }
      if (told) told(up);
    };
    auto& ex = owners[i];
    Owner o{ex,
            RedisConnection::create(ex, options_.endpoint, opts),
            RedisConnection::create(ex, options_.endpoint, opts),
            nullptr,
            {}};
    o.log = std::make_unique<RedisPanelLog>(o.commands, limits_.history_events,
                                            limits_.history_bytes, options_.retention);
    owners_.push_back(std::move(o));
  }
}

RedisEngine::~RedisEngine() {
  for (auto& o : owners_) o.panels.clear();
}

void RedisEngine::start() {
  for (auto& o : owners_) {
    asio::post(o.ex, [c = o.commands, l = o.live] {
      c->start();
      l->start();
    });
  }
}

bool RedisEngine::ready() const {
  return connected_.load() == static_cast<int>(2 * owners_.size());
}

void RedisEngine::abandon() {
  for (auto& owner : owners_) {
    asio::post(owner.ex, [c = owner.commands, l = owner.live] {
      c->stop();
      l->stop();
    });
  }
}

RedisEngine::Owner& RedisEngine::owner_of(const std::string& panel_id) {
  return owners_[owner_index(panel_id, owners_.size())];
}

template <class F, class Fail>
void RedisEngine::with_replica(const std::string& panel_id, F f, Fail fail) {
  auto& owner = owner_of(panel_id);
  asio::post(owner.ex,
             [this, &owner, panel_id, f = std::move(f), fail = std::move(fail)]() mutable {
               auto it = owner.panels.find(panel_id);
               if (it == owner.panels.end()) {
                 if (!owner.commands->ready() || !owner.live->ready())
                   return fail(core::fail(v1::UNAVAILABLE, "Redis is out of reach"));
                 auto settings = catalog_.find(panel_id);
                 if (!settings) return fail(settings.error());
                 auto replica = std::make_shared<PanelReplica>(
                     panel_id, std::move(*settings), limits_, clock_, *owner.log, outbox_, owner.ex,
                     options_.replica, [this, &owner, panel_id] { retire(owner, panel_id); });
                 std::weak_ptr<PanelReplica> weak = replica;
                 owner.live->subscribe(
                     keys_for(panel_id).live,
                     [weak](const std::string&, const std::string& payload) {
                       if (auto r = weak.lock()) r->on_live(payload);
                     },
                     [weak](core::Result<RedisValue> subscribed) {
                       if (auto r = weak.lock(); r && subscribed) r->on_subscribed();
                     });
                 it = owner.panels.emplace(panel_id, std::move(replica)).first;
               }
               f(*it->second);
             });
}

void RedisEngine::retire(Owner& owner, const std::string& panel_id) {
  auto it = owner.panels.find(panel_id);
  if (it == owner.panels.end() || !it->second->idle()) return;
  // Nobody here is in the panel: its events need not come to this node.
  owner.live->unsubscribe(keys_for(panel_id).live);
  owner.panels.erase(it);
}

void RedisEngine::append(const std::string& panel_id, core::Draft draft, Executor reply_on,
                         Reply<core::Appended> done) {
  auto shared = std::make_shared<Reply<core::Appended>>(std::move(done));
  with_replica(
      panel_id,
      [draft = std::move(draft), reply_on, shared](PanelReplica& r) mutable {
        r.append(std::move(draft), reply_on, std::move(*shared));
      },
      fail_on(reply_on, shared));
}

void RedisEngine::backlog(const std::string& panel_id, std::optional<std::uint64_t> resume_after,
                          std::size_t chat_count, const std::string& viewer_id, Executor reply_on,
                          Reply<core::Backlog> done) {
  auto shared = std::make_shared<Reply<core::Backlog>>(std::move(done));
  with_replica(
      panel_id,
      [resume_after, chat_count, viewer_id, reply_on, shared](PanelReplica& r) mutable {
        r.backlog(resume_after, chat_count, std::move(viewer_id), reply_on, std::move(*shared));
      },
      fail_on(reply_on, shared));
}

void RedisEngine::subscribe(const std::string& panel_id, EventSink* sink, Executor sink_on,
                            Reply<void> done) {
  auto shared = std::make_shared<Reply<void>>(std::move(done));
  with_replica(
      panel_id,
      [sink, sink_on, shared](PanelReplica& r) mutable {
        r.subscribe(sink, sink_on, std::move(*shared));
      },
      fail_on(sink_on, shared));
}

void RedisEngine::figures(Executor reply_on, std::function<void(EngineFigures)> done) const {
  std::vector<Executor> on;
  for (const auto& o : owners_) on.push_back(o.ex);
  gather<EngineFigures>(on, std::function<EngineFigures(std::size_t)>([this](std::size_t i) {
                          const auto& owner = owners_[i];
                          EngineFigures f;
                          f.redis = true;
                          for (const auto& [id, replica] : owner.panels)
                            if (const auto* panel = replica->panel()) f.count(*panel);
                          for (const auto* c : {owner.commands.get(), owner.live.get()}) {
                            f.redis_round_trip.merge(c->round_trip());
                            f.redis_reconnects += c->reconnects();
                          }
                          return f;
                        }),
                        std::move(reply_on), std::move(done));
}

void RedisEngine::unsubscribe(const std::string& panel_id, EventSink* sink) {
  auto& owner = owner_of(panel_id);
  asio::post(owner.ex, [&owner, panel_id, sink] {
    if (auto it = owner.panels.find(panel_id); it != owner.panels.end())
      it->second->unsubscribe(sink);
  });
}

}  // namespace panelwire::engine
