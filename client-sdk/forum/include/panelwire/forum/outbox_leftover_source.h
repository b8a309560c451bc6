#pragma once
// Leftovers from the embedded engine's outbox (one Leftover per JSON line),
// for a single-node deployment. What was delivered or set aside is recorded
// in `<outbox>.done` (one leftover id per line, synced), so a restarted
// importer skips it; refused items go to `<outbox>.dead.jsonl` with their
// reason. A last line without its newline is a write in progress: skipped
// until it is complete.

#include <fstream>
#include <set>

#include "panelwire/forum/leftover_source.h"

namespace panelwire::forum {

class OutboxLeftoverSource final : public LeftoverSource {
 public:
  // Throws std::runtime_error when the outbox cannot be read.
  explicit OutboxLeftoverSource(std::string path);

  std::vector<Entry> next(std::size_t max, std::chrono::milliseconds wait) override;
  void ack(const Entry& e) override;
  void dead_letter(const Entry& e, const std::string& reason) override;
  bool drained() const override { return drained_; }

 private:
  std::vector<Entry> read_new(std::size_t max);
  void mark_done(const std::string& leftover_id);

  std::string path_;
  std::ifstream in_;
  std::uint64_t line_no_ = 0;
  std::set<std::string> done_;
  bool drained_ = false;
};

}  // namespace panelwire::forum
