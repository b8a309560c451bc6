#pragma once
// The engine sequences panel events, keeps their bounded history and fans
// them out to the shards that have clients in the panel. The embedded
// MemoryEngine serves one node; a Redis engine serves many behind the same
// interface, so sessions and the protocol never see which one runs.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "failure.h"
#include "latency_histogram.h"
#include "panel.h"
#include "panel_event.h"

namespace panelwire::engine {

using Executor = boost::asio::any_io_executor;

template <class T>
using Reply = std::function<void(core::Result<T>)>;

// How long panels live on a node when nobody is in them, and how many may.
// Applies where the catalog is open (no panel list): any id makes a panel
// there, so without these a client could make panels until memory ran out.
struct Retention {
  // Since the last member left or the last event, whichever is later. Long
  // enough for a break in a panel; an abandoned id goes within the hour.
  std::chrono::milliseconds idle_ttl{30 * 60 * 1000};
  // An ended panel stays for resumes, for reading its questions and for the
  // forum's follow-up, which reports to it for weeks (as on Redis: 30 days
  // after its last event). Only a moderator ends a panel, so guests cannot
  // add to them; at max_panels they give way first (below), so a flood of
  // made-up ids can cut their wait short, as the old 1-hour TTL did.
  std::chrono::milliseconds ended_ttl{30LL * 24 * 3600 * 1000};
  // Panels on one node. Overflow rule: a new panel takes the place of the
  // ended panel nobody is in that has been quiet longest (on the thread the
  // new one lands on); with none to give way it is refused with
  // RESOURCE_EXHAUSTED, and existing ones keep working. Webinars run a
  // handful at a time; 2,000 leaves room for test panels, rehearsals and
  // a month of ended ones.
  std::size_t max_panels = 2'000;
};

// Receives the live events of the panels it subscribed to, on the executor
// it subscribed with.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const core::EventPtr& ev) = 0;
};

// What an engine holds now, for the metrics: each owner's part read on its
// own thread, added up.
struct EngineFigures {
  // Panels in this node's memory, and their history (for resumes).
  std::size_t panels = 0;
  std::size_t history_events = 0;
  std::size_t history_bytes = 0;
  // Redis only: each command's round trip, and reconnects after the first
  // connect (every connection of the node's).
  bool redis = false;
  core::LatencyHistogram redis_round_trip;
  std::uint64_t redis_reconnects = 0;

  void count(const core::Panel& p) {
    ++panels;
    history_events += p.history_events();
    history_bytes += p.history_bytes();
  }
  void merge(const EngineFigures& o) {
    panels += o.panels;
    history_events += o.history_events;
    history_bytes += o.history_bytes;
    redis = redis || o.redis;
    redis_round_trip.merge(o.redis_round_trip);
    redis_reconnects += o.redis_reconnects;
  }
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Appends an event to a panel. Guarantees:
  // - seq is the panel's previous seq + 1 (the first event is 1), assigned in
  //   the same atomic step as the append to history: no seq is shared or
  //   skipped, whichever node or shard appends.
  // - every subscribed sink receives the panel's events in seq order, each
  //   once. After an engine outage a sink may see a gap; it then asks
  //   backlog() for what it missed, which never has one.
  // - the event is handed to the sinks before `done` runs, so a sink on the
  //   caller's executor sees an event before its command's ack.
  // - a draft whose dedup_key was applied within the command window is not
  //   applied again: `done` gets the first seq with duplicate = true.
  // - a rule the draft breaks (e.g. deleting a missing message) fails with
  //   its code and changes nothing; so does a panel the catalog lacks
  //   (UNKNOWN_PANEL).
  // - when the event publishes leftovers (the panel's end, "send to forum"),
  //   they are durable in the engine's outbox before `done` runs.
  // `done` runs on `reply_on`.
  virtual void append(const std::string& panel_id, core::Draft draft, Executor reply_on,
                      Reply<core::Appended> done) = 0;

  // What a client joining with `resume_after` must receive: the events after
  // it, or a snapshot when it is older than the history, with the panel's
  // state as `viewer_id` may know it. Consistent with the panel's seq at one
  // instant. `done` runs on `reply_on`.
  virtual void backlog(const std::string& panel_id, std::optional<std::uint64_t> resume_after,
                       std::size_t chat_count, const std::string& viewer_id, Executor reply_on,
                       Reply<core::Backlog> done) = 0;

  // Starts delivering the panel's events to `sink` on `sink_on`. When `done`
  // runs (on `sink_on`) the subscription is live: every event appended after
  // that reaches the sink. A sink subscribes to a panel at most once.
  // UNKNOWN_PANEL when the catalog lacks the panel.
  virtual void subscribe(const std::string& panel_id, EventSink* sink, Executor sink_on,
                         Reply<void> done) = 0;

  // Whether the engine can serve commands now (the Redis engine: connected).
  // Any thread; a hint for load balancers (GET /readyz), not a promise.
  virtual bool ready() const = 0;

  // The engine's figures now; `done` runs on `reply_on`. Walks every panel
  // of the node: for a scrape, never for the per-event path.
  virtual void figures(Executor reply_on, std::function<void(EngineFigures)> done) const = 0;

  // Stops deliveries to `sink`; events already on their way may still arrive.
  virtual void unsubscribe(const std::string& panel_id, EventSink* sink) = 0;

  // A relay stopping calls this once, after its drain, while the owners'
  // threads still run: whatever still waits (for the disk, for a Redis that
  // does not answer) is answered UNAVAILABLE on its executor soon after, so
  // no reply, and no session it holds, outlives those threads. The engine
  // need serve nothing after it.
  virtual void abandon() = 0;
};

}  // namespace panelwire::engine
