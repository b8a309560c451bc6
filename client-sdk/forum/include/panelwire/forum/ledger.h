#pragma once
// What was posted where: leftover id -> the forum's post id, recorded the
// moment the forum confirmed a post and before the entry is acknowledged,
// so an importer that crashed in between finds the post here and does not
// post it again. In Redis (a hash, shared by every importer) or, for the
// outbox file, in a file next to it.
//
// It also records each leftover's first attempt, before its first request
// leaves: a leftover attempted but not recorded as posted may be on the
// forum already (the importer died after sending, or the answer was lost),
// so the importer asks the forum before posting it again.
//
// And the reports the panel is owed: a post recorded with its report owed
// stays owed until the relay took it (reported()), so a relay that was
// down or restarting still learns where each question went.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "panelwire/forum/redis_client.h"

namespace panelwire::forum {

class Ledger {
 public:
  virtual ~Ledger() = default;
  virtual std::optional<std::string> posted(const std::string& leftover_id) = 0;
  // With `owe_report`, the post's report to the panel is owed from the
  // same moment (a crash between the two cannot lose it).
  virtual void record(const std::string& leftover_id, const std::string& post_id,
                      bool owe_report = false) = 0;
  virtual bool attempted(const std::string& leftover_id) = 0;
  // Durable before it returns: a post may follow at once.
  virtual void attempt(const std::string& leftover_id) = 0;
  // The panel has the post's report (or will never take it).
  virtual void reported(const std::string& leftover_id) = 0;
  // Up to `max` owed reports: (leftover id, post id).
  virtual std::vector<std::pair<std::string, std::string>> unreported(std::size_t max) = 0;
};

class RedisLedger final : public Ledger {
 public:
  // Default key: `pw:{leftovers}:posted`; one per forum a deployment posts to.
  RedisLedger(RedisClient& redis, std::string key)
      : redis_(redis),
        key_(std::move(key)),
        attempts_key_(key_ + ":attempts"),
        unreported_key_(key_ + ":unreported") {}
  std::optional<std::string> posted(const std::string& leftover_id) override;
  void record(const std::string& leftover_id, const std::string& post_id,
              bool owe_report = false) override;
  // In the hash `<key>:attempts` (same hash tag), each field removed once
  // its leftover is recorded as posted, so it holds only the unsettled.
  bool attempted(const std::string& leftover_id) override;
  void attempt(const std::string& leftover_id) override;
  // Owed reports: the hash `<key>:unreported` (leftover id -> post id),
  // written before the post is recorded, each field removed once reported;
  // a random few at a time, in a random order, so one the relay keeps
  // failing does not hold back the others. HRANDFIELD: Redis 6.2 or later.
  void reported(const std::string& leftover_id) override;
  std::vector<std::pair<std::string, std::string>> unreported(std::size_t max) override;

 private:
  RedisClient& redis_;
  std::string key_;
  std::string attempts_key_;
  std::string unreported_key_;
};

// JSON lines, each synced to disk: {"leftover_id": ..., "post_id": ...}
// (with "report_owed": true when it is), {"leftover_id": ..., "attempt":
// true} and {"leftover_id": ..., "reported": true}.
class FileLedger final : public Ledger {
 public:
  // Throws std::runtime_error when the file exists and cannot be read.
  explicit FileLedger(std::string path);
  std::optional<std::string> posted(const std::string& leftover_id) override;
  void record(const std::string& leftover_id, const std::string& post_id,
              bool owe_report = false) override;
  bool attempted(const std::string& leftover_id) override;
  void attempt(const std::string& leftover_id) override;
  void reported(const std::string& leftover_id) override;
  // Oldest first, each one asked for again after the others (a report the
  // relay keeps failing goes to the back, behind the others even when all
  // of them fit in one round).
  std::vector<std::pair<std::string, std::string>> unreported(std::size_t max) override;

 private:
  void owe(const std::string& leftover_id, const std::string& post_id);
  void drop_owed(const std::string& leftover_id);
  std::string path_;
  std::map<std::string, std::string> posts_;
  // Overflow rule: one per leftover of the outbox, like posts_; the outbox
  // bounds both.
  std::set<std::string> attempts_;
  // Overflow rule: the same; emptied as the relay takes the reports.
  std::vector<std::pair<std::string, std::string>> owed_;
};

}  // namespace panelwire::forum
