#pragma once
// A panel's ordered log in Redis: a stream whose entry ids are the seqs, the
// head seq, and a live channel, all under the panel's hash tag so a panel
// lives in one Redis Cluster slot. Appends are compare-and-append: one Lua
// script checks that the head is the one the caller decided against, adds
// the entry, moves the head and publishes the entry, atomically. So every
// node sees one order, and a node that decided on a stale replica learns
// the current head instead of appending.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "failure.h"
#include "panelwire/v1/engine.pb.h"
#include "redis_connection.h"

namespace panelwire::engine {

struct RedisPanelKeys {
  std::string head, log, live;
};
RedisPanelKeys keys_for(const std::string& panel_id);

class RedisPanelLog {
 public:
  struct AppendResult {
    bool appended = false;
    // The new seq when appended, else the head found (the caller catches up
    // to it and decides again).
    std::uint64_t head = 0;
  };

  // `max_events`: entries kept per panel (approximate trimming), the
  // resume history.
  RedisPanelLog(std::shared_ptr<RedisConnection> conn, std::size_t max_events);

  void append(const std::string& panel_id, std::uint64_t expected_head, const v1::LogEntry& entry,
              std::function<void(core::Result<AppendResult>)> done);

  // Entries with seq > `after`, in order, at most `limit`.
  void read_after(const std::string& panel_id, std::uint64_t after, std::size_t limit,
                  std::function<void(core::Result<std::vector<v1::LogEntry>>)> done);

  void head(const std::string& panel_id, std::function<void(core::Result<std::uint64_t>)> done);

 private:
  std::shared_ptr<RedisConnection> conn_;
  std::size_t max_events_;
};

}  // namespace panelwire::engine
