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

#include <map>
#include <optional>
#include <set>
#include <string>

#include "panelwire/forum/redis_client.h"

namespace panelwire::forum {

class Ledger {
 public:
  virtual ~Ledger() = default;
  virtual std::optional<std::string> posted(const std::string& leftover_id) = 0;
  virtual void record(const std::string& leftover_id, const std::string& post_id) = 0;
  virtual bool attempted(const std::string& leftover_id) = 0;
  // Durable before it returns: a post may follow at once.
  virtual void attempt(const std::string& leftover_id) = 0;
};

class RedisLedger final : public Ledger {
 public:
  // Default key: `pw:{leftovers}:posted`; one per forum a deployment posts to.
  RedisLedger(RedisClient& redis, std::string key)
      : redis_(redis), key_(std::move(key)), attempts_key_(key_ + ":attempts") {}
  std::optional<std::string> posted(const std::string& leftover_id) override;
  void record(const std::string& leftover_id, const std::string& post_id) override;
  // In the hash `<key>:attempts` (same hash tag), each field removed once
  // its leftover is recorded as posted, so it holds only the unsettled.
  bool attempted(const std::string& leftover_id) override;
  void attempt(const std::string& leftover_id) override;

 private:
  RedisClient& redis_;
  std::string key_;
  std::string attempts_key_;
};

// JSON lines {"leftover_id": ..., "post_id": ...} and {"leftover_id": ...,
// "attempt": true}, each synced to disk.
class FileLedger final : public Ledger {
 public:
  // Throws std::runtime_error when the file exists and cannot be read.
  explicit FileLedger(std::string path);
  std::optional<std::string> posted(const std::string& leftover_id) override;
  void record(const std::string& leftover_id, const std::string& post_id) override;
  bool attempted(const std::string& leftover_id) override;
  void attempt(const std::string& leftover_id) override;

 private:
  std::string path_;
  std::map<std::string, std::string> posts_;
  // Overflow rule: one per leftover of the outbox, like posts_; the outbox
  // bounds both.
  std::set<std::string> attempts_;
};

}  // namespace panelwire::forum
