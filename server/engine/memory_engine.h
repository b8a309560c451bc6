#pragma once
// The embedded engine: panels live in this process. Each panel belongs to
// one owner executor (a shard, chosen by hashing the panel id) and is only
// touched there, so appends to a panel are serialized without locks and
// different panels run in parallel on different shards.

#include <memory>
#include <unordered_map>
#include <vector>

#include "engine.h"
#include "leftover_outbox.h"
#include "panel_catalog.h"

namespace panelwire::engine {

class MemoryEngine final : public Engine {
 public:
  // `catalog` and `outbox` outlive the engine.
  MemoryEngine(std::vector<Executor> owners, core::PanelLimits limits, const core::Clock& clock,
               const core::PanelCatalog& catalog, LeftoverOutbox& outbox);

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

 private:
  struct Subscriber {
    EventSink* sink;
    Executor on;
  };
  struct Slot {
    core::Panel panel;
    std::vector<Subscriber> subscribers;
  };
  struct Owner {
    Executor ex;
    std::unordered_map<std::string, std::unique_ptr<Slot>> panels;
  };

  Owner& owner_of(const std::string& panel_id);
  core::Result<Slot*> slot(Owner& owner, const std::string& panel_id);

  core::PanelLimits limits_;
  const core::Clock& clock_;
  const core::PanelCatalog& catalog_;
  LeftoverOutbox& outbox_;
  std::vector<Owner> owners_;
};

}  // namespace panelwire::engine
