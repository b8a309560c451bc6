#pragma once
// A panel's ordered log in Redis: a stream whose entry ids are the seqs, the
// head seq, and a live channel, all under the panel's hash tag so a panel
// lives in one Redis Cluster slot. Appends are compare-and-append: one Lua
// script checks that the head is the one the caller decided against, adds
// the entry, moves the head and publishes the entry, atomically. So every
// node sees one order, and a node that decided on a stale replica learns
// the current head instead of appending.

#include <chrono>
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
  std::string head, log, live, snapshot, turn, bytes;
};

// How long a panel's keys live in Redis. Nodes hold no TTL of their own
// here: a panel vanishing under connected clients would restart its seqs,
// so the bound is far past any webinar, renewed by every event and by
// every node that loads the panel.
struct RedisRetention {
  // Since the last event or load: a week covers a panel's follow-up days.
  std::chrono::milliseconds panel_ttl{7LL * 24 * 3600 * 1000};
  // Once ended, since its last event: the forum's follow-up runs for weeks,
  // and what it brings back (where each question went, answers given
  // there) arrives as the panel's events, which its pages show. An ended
  // panel takes no chat, so its keys stay as small as its history bounds.
  std::chrono::milliseconds ended_ttl{30LL * 24 * 3600 * 1000};
};
RedisPanelKeys keys_for(const std::string& panel_id);

class RedisPanelLog {
 public:
  struct AppendResult {
    bool appended = false;
    // The new seq when appended, else the head found (the caller catches up
    // to it and decides again).
    std::uint64_t head = 0;
    // Not appended: the first entries after the expected head, in order.
    std::vector<v1::LogEntry> missed;
  };

  // `max_events`, `max_bytes`: entries kept per panel (the resume history),
  // whichever bound is reached first, but never one the newest snapshot
  // does not cover.
  RedisPanelLog(std::shared_ptr<RedisConnection> conn, std::size_t max_events,
                std::size_t max_bytes, RedisRetention retention = {});

  // `claim_turn`: the caller lost races before; if refused again, it holds
  // the panel's next append for a moment (100 ms at most).
  void append(const std::string& panel_id, std::uint64_t expected_head, const v1::LogEntry& entry,
              bool claim_turn, std::function<void(core::Result<AppendResult>)> done);

  // Entries with seq > `after`, in order, at most `limit`.
  void read_after(const std::string& panel_id, std::uint64_t after, std::size_t limit,
                  std::function<void(core::Result<std::vector<v1::LogEntry>>)> done);

  struct Loaded {
    std::uint64_t head = 0;
    // seq 0 when the panel has none.
    v1::PanelSnapshot snapshot;
    // In order: the entries up to and including snapshot.seq still within
    // the history bound, then every entry after it up to head.
    std::vector<v1::LogEntry> entries;
  };
  // What a node needs to load the panel, read in one atomic step.
  void load(const std::string& panel_id, std::function<void(core::Result<Loaded>)> done);

  // Stores `snap` unless a newer one is there. The log is trimmed only up to
  // the newest snapshot, so nodes must store one now and then.
  void save_snapshot(const std::string& panel_id, const v1::PanelSnapshot& snap,
                     std::function<void(core::Result<void>)> done);

  void head(const std::string& panel_id, std::function<void(core::Result<std::uint64_t>)> done);

 private:
  std::shared_ptr<RedisConnection> conn_;
  std::size_t max_events_;
  std::size_t max_bytes_;
  RedisRetention retention_;
  // Names this appender when it holds a panel's turn.
  std::string appender_id_;
};

}  // namespace panelwire::engine
