#pragma once
// The embedded engine's outbox: an append-only file of JSON lines, one
// Leftover per line (canonical protobuf JSON), written and fdatasync'ed on
// a thread of its own so no io thread waits for the disk. A crash can leave
// a last line without its newline; readers skip such a line, and its batch
// was never acknowledged.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "leftover_outbox.h"

namespace panelwire::engine {

class FileOutbox final : public LeftoverOutbox {
 public:
  // Opens (creating) `path` for appending; throws std::runtime_error when it
  // cannot, at start-up rather than at a panel's end.
  explicit FileOutbox(std::string path);
  ~FileOutbox() override;

  // Overflow rule: at most kMaxQueued batches wait for the disk; past that
  // publish() fails at once with UNAVAILABLE and nothing is written.
  void publish(v1::LeftoverBatch batch, std::function<void(core::Result<void>)> done) override;

  const std::string& path() const { return path_; }

 private:
  // Panel ends are rare; a queue this deep means the disk is stuck.
  static constexpr std::size_t kMaxQueued = 256;
  // Writes of one batch before its command fails with UNAVAILABLE, the n-th
  // retry after n * kRetryDelay: about a second in all, while the moderator
  // waits for the ack.
  static constexpr int kAttempts = 4;
  static constexpr std::chrono::milliseconds kRetryDelay{150};
  struct Job {
    v1::LeftoverBatch batch;
    std::function<void(core::Result<void>)> done;
  };
  void run();
  core::Result<void> write(const v1::LeftoverBatch& batch);

  std::string path_;
  int fd_ = -1;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace panelwire::engine
