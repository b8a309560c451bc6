#pragma once
// Where the embedded engine keeps its panels so that they outlive the
// process: each panel's events and its newest snapshot. Guarantees:
// - writes become durable in the order they were queued, and `done` runs
//   (on the executor given) only once its write is on disk or has failed;
// - a panel's events are stored without gaps: an event whose seq does not
//   follow the panel's stored head fails (UNAVAILABLE) and changes
//   nothing, so once a write fails, the panel's later queued events fail
//   too until the engine reloads the panel from the store;
// - load() gives back exactly what was made durable, or a failure naming
//   the file and what in it is wrong; it never gives data it cannot vouch
//   for.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine.h"
#include "panelwire/v1/engine.pb.h"
#include "panelwire/v1/leftover.pb.h"

namespace panelwire::engine {

struct StoredPanel {
  std::string id;
  // The newest snapshot; absent while the panel's log is whole from seq 1.
  std::optional<v1::PanelSnapshot> snapshot;
  // Contiguous, oldest first. Entries up to the snapshot's seq are history
  // it already holds the effect of; entries after it are replayed.
  std::vector<v1::LogEntry> entries;
  // Leftovers stored with their event but not yet marked published: the
  // process ended (or the outbox failed) between the two.
  std::vector<v1::LeftoverBatch> unpublished;
};

struct StoreWrite {
  enum class Kind {
    // `seq`, `bytes` (a serialized LogEntry): the panel's next event;
    // with `leftovers` (a serialized LeftoverBatch), kept in the same
    // transaction until marked published.
    append,
    // `seq`, `bytes` (a serialized PanelSnapshot): the panel's state after
    // `seq`; events before `keep_from` are dropped (the snapshot holds them).
    snapshot,
    // Every event and snapshot of the panel is deleted (its unpublished
    // leftovers stay until published).
    drop,
    // The leftovers of event `seq` are in the outbox.
    published,
  };
  Kind kind = Kind::append;
  std::string panel_id;
  std::uint64_t seq = 0;
  std::string bytes;
  std::uint64_t keep_from = 0;
  std::string leftovers;
};

class PanelStore {
 public:
  virtual ~PanelStore() = default;

  // Every stored panel, checked. At start, before the first write; blocks.
  virtual core::Result<std::vector<StoredPanel>> load() = 0;

  // Queues `w`. Overflow rule: false, nothing queued and `done` not run,
  // when the queue is full (the disk is behind); the caller refuses the
  // command that wanted the write.
  virtual bool write(StoreWrite w, Executor on, std::function<void(core::Result<void>)> done) = 0;

  // Queues a read of one panel as stored once every write queued before
  // it is durable or failed: how the engine gets back to the durable state
  // after a failed write. Not bounded by the write queue (one per panel
  // whose write failed, and the engine asks once at a time).
  virtual void reload(std::string panel_id, Executor on,
                      std::function<void(core::Result<StoredPanel>)> done) = 0;
};

}  // namespace panelwire::engine
