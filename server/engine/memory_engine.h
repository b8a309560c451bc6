#pragma once
// The embedded engine: panels live in this process. Each panel belongs to
// one owner executor (a shard, chosen by hashing the panel id) and is only
// touched there, so appends to a panel are serialized without locks and
// different panels run in parallel on different shards.
//
// With a PanelStore the panels also outlive the process. A command is
// decided and applied in memory at once, so the next command is decided
// against it, but nothing of it leaves the engine before the store has
// it: its fan-out, its ack (a retry's too) and every backlog that covers
// it wait for its group commit. A crash therefore never leaves a client
// holding an event the restarted node lacks. When a write fails (a full
// disk), the panel is reloaded from the store; what waited on the lost
// events fails with UNAVAILABLE (commands) or is served again from the
// reloaded panel (backlogs), and no seq that a client saw is ever reused.

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "engine.h"
#include "leftover_outbox.h"
#include "panel_catalog.h"
#include "panel_followers.h"
#include "panel_store.h"

namespace panelwire::engine {

class MemoryEngine final : public Engine {
 public:
  // `catalog`, `outbox` and `store` (when given) outlive the engine.
  MemoryEngine(std::vector<Executor> owners, core::PanelLimits limits, const core::Clock& clock,
               const core::PanelCatalog& catalog, LeftoverOutbox& outbox, Retention retention = {},
               PanelStore* store = nullptr);
  ~MemoryEngine() override;

  // Rebuilds the store's panels and publishes again the leftovers the
  // outbox may not have (stored with their event, never marked published);
  // with a store, call it once, before any other call (the owners' threads
  // may run). Idle panels are swept only from then on. A stored panel that does not replay stops
  // the start (the failure says which); one the panel list no longer has is left on disk.
  core::Result<void> restore();

  // Answers UNAVAILABLE to everything waiting for the disk, on the owners'
  // threads.
  void abandon() override;

  void append(const std::string& panel_id, core::Draft draft, Executor reply_on,
              Reply<core::Appended> done) override;
  void backlog(const std::string& panel_id, std::optional<std::uint64_t> resume_after,
               std::size_t chat_count, const std::string& viewer_id, Executor reply_on,
               Reply<core::Backlog> done) override;
  void subscribe(const std::string& panel_id, EventSink* sink, Executor sink_on,
                 Reply<void> done) override;
  void unsubscribe(const std::string& panel_id, EventSink* sink) override;
  void figures(Executor reply_on, std::function<void(EngineFigures)> done) const override;
  // The embedded engine depends on nothing else.
  bool ready() const override { return true; }

  // Panels held now (any thread; a figure for tests and operators).
  std::size_t panels() const { return panel_count_.load(); }

 private:
  struct Slot;
  enum class Outcome {
    // The store holds the waiter's seq.
    stored,
    // The panel was reloaded without it: a command fails, a backlog is
    // served from the reloaded panel.
    lost,
    // The engine stops waiting (a reload that fails, the process ending):
    // UNAVAILABLE.
    abandoned,
  };
  // Something that may leave the engine only once the store holds `seq`.
  struct Waiter {
    std::uint64_t seq;
    std::function<void(Slot&, Outcome)> fn;
  };
  struct Slot {
    // Replaced when the panel is reloaded from the store.
    std::optional<core::Panel> panel;
    PanelFollowers subscribers;
    // The last event or the last member leaving: idle time counts from it.
    std::int64_t active_ms = 0;
    // With a store: the newest seq it holds, the seq of its newest
    // snapshot, and whether a reload is under way (commands refused).
    std::uint64_t durable = 0;
    std::uint64_t snapshot_seq = 0;
    bool reloading = false;
    // Overflow rule: past kMaxWaiting, a command or join fails with
    // UNAVAILABLE (the disk is that far behind). In seq order.
    std::deque<Waiter> waiting;
    // Of those, joins holding a computed backlog (kMaxHeldBacklogs).
    std::size_t held_backlogs = 0;
  };
  struct Owner {
    Executor ex;
    // Bounded by Retention::max_panels (with an open catalog) or by the
    // catalog; idle panels are swept (sweep()).
    std::unordered_map<std::string, std::unique_ptr<Slot>> panels;
    std::unique_ptr<boost::asio::steady_timer> sweeper;
  };
  using Replier = std::function<void(core::Result<core::Appended>)>;

  // Commands and joins of one panel waiting for one group commit. A busy
  // panel has a few dozen; a join's backlog can weigh a few hundred KiB.
  static constexpr std::size_t kMaxWaiting = 4'096;
  // A held backlog copies the board (up to ~2 MiB for 1,000 questions):
  // 256 bound one panel's held joins to ~512 MiB at the very worst, and a
  // join refused with UNAVAILABLE is retried by the client.
  static constexpr std::size_t kMaxHeldBacklogs = 256;

  Owner& owner_of(const std::string& panel_id);
  core::Result<Slot*> slot(Owner& owner, const std::string& panel_id);
  void erase(Owner& owner, std::unordered_map<std::string, std::unique_ptr<Slot>>::iterator it);
  // At the cap: drops the owner's ended panel nobody is in that has been
  // quiet longest; false when there is none (or the store kept it).
  bool make_room(Owner& owner);
  // Drops the owner's panels that nobody is in and that stayed idle past
  // their TTL, then runs again after a while.
  void sweep(Owner& owner);
  // Hands an applied event to the sinks, publishes its leftovers, replies.
  void deliver(Slot& slot, core::Appended result, Replier reply);

  // With a store: a fresh panel in `slot` from what the store holds.
  core::Result<void> rebuild(Slot& slot, const std::string& id, StoredPanel stored);
  // Queues the event (and a snapshot when one is due) for the disk; the
  // fan-out and the reply wait for it.
  void persist(Owner& owner, const std::string& id, Slot& slot, core::Appended result,
               std::string dedup_key, Replier reply);
  void wait(Slot& slot, std::function<void(Slot&, Outcome)> fn);
  void written(Owner& owner, const std::string& id, std::uint64_t seq, core::Result<void> r);
  void start_reload(Owner& owner, const std::string& id, Slot& slot);
  void reloaded(Owner& owner, const std::string& id, core::Result<StoredPanel> stored);

  core::PanelLimits limits_;
  const core::Clock& clock_;
  const core::PanelCatalog& catalog_;
  LeftoverOutbox& outbox_;
  Retention retention_;
  PanelStore* store_;
  // Half the history, as for the Redis engine: a restart replays at most
  // that many events past the snapshot, and the disk holds at most 1.5x
  // the history per panel.
  std::uint64_t snapshot_every_;
  std::atomic<std::size_t> panel_count_{0};
  std::vector<Owner> owners_;
};

}  // namespace panelwire::engine
