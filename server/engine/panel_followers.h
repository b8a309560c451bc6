#pragma once
// What every engine does alike around one panel, on the panel's owner
// executor: which owner a panel has, who follows it and how an event
// reaches them, and how an ack waits for the leftovers its event sent.
// One piece for each, so the engines differ only in how they sequence.

#include <functional>
#include <string>
#include <vector>

#include "engine.h"
#include "leftover_outbox.h"

namespace panelwire::engine {

// The owner of `panel_id` among `owners` executors: the same on every node,
// so a panel's work lands on one thread wherever it comes from.
inline std::size_t owner_index(const std::string& panel_id, std::size_t owners) {
  return std::hash<std::string>{}(panel_id) % owners;
}

// The sinks following one panel. Bounded by the shards of the node: each
// shard's hub subscribes once per panel (engine.h: at most once per sink).
class PanelFollowers {
 public:
  void add(EventSink* sink, Executor on) { list_.push_back({sink, std::move(on)}); }
  void remove(EventSink* sink);
  bool empty() const { return list_.empty(); }
  // Posts `ev` to each sink on its executor: each sink gets a panel's
  // events in the order they are handed here.
  void deliver(const core::EventPtr& ev) const;

 private:
  struct Follower {
    EventSink* sink;
    Executor on;
  };
  std::vector<Follower> list_;
};

// Replies with `result` once the leftovers it carries are durable in
// `outbox` (at once when it carries none); an outbox failure fails the
// command instead. The panel's owner does not wait for the disk.
void publish_then_reply(LeftoverOutbox& outbox, core::Result<core::Appended> result,
                        std::function<void(core::Result<core::Appended>)> reply);

}  // namespace panelwire::engine
