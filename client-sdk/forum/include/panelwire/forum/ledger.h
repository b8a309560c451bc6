#pragma once
// What was posted where: leftover id -> the forum's post id, recorded the
// moment the forum confirmed a post and before the entry is acknowledged,
// so an importer that crashed in between finds the post here and does not
// post it again. In Redis (a hash, shared by every importer) or, for the
// outbox file, in a file next to it.

#include <map>
#include <optional>
#include <string>

#include "panelwire/forum/redis_client.h"

namespace panelwire::forum {

class Ledger {
 public:
  virtual ~Ledger() = default;
  virtual std::optional<std::string> posted(const std::string& leftover_id) = 0;
  virtual void record(const std::string& leftover_id, const std::string& post_id) = 0;
};

class RedisLedger final : public Ledger {
 public:
  // Default key: `pw:{leftovers}:posted`; one per forum a deployment posts to.
  RedisLedger(RedisClient& redis, std::string key) : redis_(redis), key_(std::move(key)) {}
  std::optional<std::string> posted(const std::string& leftover_id) override;
  void record(const std::string& leftover_id, const std::string& post_id) override;

 private:
  RedisClient& redis_;
  std::string key_;
};

// JSON lines {"leftover_id": ..., "post_id": ...}, each synced to disk.
class FileLedger final : public Ledger {
 public:
  // Throws std::runtime_error when the file exists and cannot be read.
  explicit FileLedger(std::string path);
  std::optional<std::string> posted(const std::string& leftover_id) override;
  void record(const std::string& leftover_id, const std::string& post_id) override;

 private:
  std::string path_;
  std::map<std::string, std::string> posts_;
};

}  // namespace panelwire::forum
