#pragma once
// Where the importer gets leftovers: the Redis stream (redis_leftover_source)
// or the embedded engine's outbox file (outbox_leftover_source).

#include <chrono>
#include <string>
#include <vector>

#include "panelwire/v1/leftover.pb.h"

namespace panelwire::forum {

struct Entry {
  // The source's id for the entry (a stream entry id, a line number).
  std::string entry_id;
  v1::Leftover leftover;
};

class LeftoverSource {
 public:
  virtual ~LeftoverSource() = default;
  // Up to `max` entries to deliver, waiting at most `wait` for one. An
  // entry comes back (after a restart, or to another importer once this one
  // is gone) until ack() or dead_letter() took it.
  virtual std::vector<Entry> next(std::size_t max, std::chrono::milliseconds wait) = 0;
  // Delivered: never offered again.
  virtual void ack(const Entry& e) = 0;
  // Refused by the forum for good: kept aside with `reason` for an
  // operator, and acked.
  virtual void dead_letter(const Entry& e, const std::string& reason) = 0;
  // Everything that was waiting when the importer started has been offered
  // (for --once).
  virtual bool drained() const = 0;
};

}  // namespace panelwire::forum
