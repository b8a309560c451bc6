#pragma once
// The embedded engine: panels live in this process. Each panel belongs to
// one owner executor (a shard, chosen by hashing the panel id) and is only
// touched there, so appends to a panel are serialized without locks and
// different panels run in parallel on different shards.

#include <atomic>
#include <memory>
#include <unordered_map>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "engine.h"
#include "leftover_outbox.h"
#include "panel_catalog.h"

namespace panelwire::engine {

class MemoryEngine final : public Engine {
 public:
  // `catalog` and `outbox` outlive the engine.
  MemoryEngine(std::vector<Executor> owners, core::PanelLimits limits, const core::Clock& clock,
               const core::PanelCatalog& catalog, LeftoverOutbox& outbox, Retention retention = {});
  ~MemoryEngine() override;

  void append(const std::string& panel_id, core::Draft draft, Executor reply_on,
              Reply<core::Appended> done) override;
  void backlog(const std::string& panel_id, std::optional<std::uint64_t> resume_after,
               std::size_t chat_count, const std::string& viewer_id, Executor reply_on,
               Reply<core::Backlog> done) override;
  void subscribe(const std::string& panel_id, EventSink* sink, Executor sink_on,
                 Reply<void> done) override;
  void unsubscribe(const std::string& panel_id, EventSink* sink) override;
  // The embedded engine depends on nothing else.
  bool ready() const override { return true; }

  // Panels held now (any thread; a figure for tests and operators).
  std::size_t panels() const { return panel_count_.load(); }

 private:
  struct Subscriber {
    EventSink* sink;
    Executor on;
  };
  struct Slot {
    core::Panel panel;
    std::vector<Subscriber> subscribers;
    // The last event or the last member leaving: idle time counts from it.
    std::int64_t active_ms = 0;
  };
  struct Owner {
    Executor ex;
    // Bounded by Retention::max_panels (with an open catalog) or by the
    // catalog; idle panels are swept (sweep()).
    std::unordered_map<std::string, std::unique_ptr<Slot>> panels;
    std::unique_ptr<boost::asio::steady_timer> sweeper;
  };

  Owner& owner_of(const std::string& panel_id);
  core::Result<Slot*> slot(Owner& owner, const std::string& panel_id);
  void erase(Owner& owner, std::unordered_map<std::string, std::unique_ptr<Slot>>::iterator it);
  // Drops the owner's panels that nobody is in and that stayed idle past
  // their TTL, then runs again after a while.
  void sweep(Owner& owner);

  core::PanelLimits limits_;
  const core::Clock& clock_;
  const core::PanelCatalog& catalog_;
  LeftoverOutbox& outbox_;
  Retention retention_;
  std::atomic<std::size_t> panel_count_{0};
  std::vector<Owner> owners_;
};

}  // namespace panelwire::engine
