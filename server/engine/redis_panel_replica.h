#pragma once
// One node's replica of a panel whose log lives in Redis, on the panel's
// owner executor. The replica follows the log: it loads the panel (latest
// snapshot plus the entries after it), then commits each entry from the
// live channel in seq order, and reads the log to fill any gap (a missed
// message, a resubscription after an outage). It serves backlogs from its
// state and decides commands on it: a decided event is appended with the
// head it was decided against, so a node that decided on a stale replica
// catches up and decides again instead. Operations queue, in arrival
// order, while the replica loads or catches up or while an append is out.

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "engine.h"
#include "leftover_outbox.h"
#include "panel.h"
#include "panel_followers.h"
#include "redis_panel_log.h"

namespace panelwire::engine {

struct ReplicaOptions {
  // Entries read per XRANGE when catching up: large enough that a node
  // back from an outage catches up in a few round trips, small enough that
  // one reply does not stall the owner's thread.
  std::size_t catch_up_batch = 1'000;
  // A snapshot is stored every this many seqs, by the node that appended
  // the seq; the log is trimmed only up to the newest snapshot.
  std::uint64_t snapshot_every = 1'000;
  // Operations waiting on one panel (a loading panel, a busy one). Past
  // this a command fails with UNAVAILABLE rather than queue without bound.
  std::size_t max_queued = 10'000;
  // How long a command may keep losing races for the head (or waiting for
  // another node's turn) before it fails with UNAVAILABLE: the panel is too
  // contended. A node that lost once claims the panel's turn, so this is
  // reached only when Redis or the nodes are overloaded; a client retries.
  std::int64_t append_deadline_ms = 2'000;
  // Wait before trying again while another node holds the turn.
  std::chrono::microseconds turn_wait{500};
};

class PanelReplica : public std::enable_shared_from_this<PanelReplica> {
 public:
  // `log` and `outbox` outlive the replica; `on_idle` runs (on the owner)
  // when the replica has no subscribers and nothing to do.
  PanelReplica(std::string id, core::PanelSettings settings, const core::PanelLimits& limits,
               const core::Clock& clock, RedisPanelLog& log, LeftoverOutbox& outbox, Executor owner,
               ReplicaOptions options, std::function<void()> on_idle);

  // All on the owner executor.
  void append(core::Draft draft, Executor reply_on, Reply<core::Appended> done);
  void backlog(std::optional<std::uint64_t> resume_after, std::size_t chat_count,
               std::string viewer_id, Executor reply_on, Reply<core::Backlog> done);
  void subscribe(EventSink* sink, Executor sink_on, Reply<void> done);
  void unsubscribe(EventSink* sink);
  bool idle() const;
  // The panel as loaded; null until it is.
  const core::Panel* panel() const { return panel_ ? &*panel_ : nullptr; }

  // From the panel's live channel: an entry, and the subscription taking
  // effect (first, and after each reconnect: whatever was published in
  // between must be read from the log).
  void on_live(const std::string& payload);
  void on_subscribed();
  // A connection to Redis was lost: operations waiting for the panel to
  // load fail now (UNAVAILABLE) rather than wait for Redis to come back.
  void on_redis_lost();

 private:
  struct AppendOp {
    core::Draft draft;
    Executor reply_on;
    Reply<core::Appended> done;
    int attempts = 0;
    // When it was first tried (the owner's clock), for the deadline.
    std::int64_t first_try_ms = 0;
  };
  struct BacklogOp {
    std::optional<std::uint64_t> resume_after;
    std::size_t chat_count;
    std::string viewer_id;
    Executor reply_on;
    Reply<core::Backlog> done;
    bool caught_up = false;
  };
  struct SubscribeOp {
    EventSink* sink;
    Executor on;
    Reply<void> done;
  };
  using Op = std::variant<AppendOp, BacklogOp, SubscribeOp>;
  // The append out in Redis, and what committing its seq gave, whoever's
  // entry it turns out to be.
  struct InFlight {
    std::uint64_t seq;
    core::Result<core::Appended> committed = core::fail(v1::INTERNAL, "not committed");
  };
  enum class State { subscribing, loading, failed, ready };

  void enqueue(Op op);
  void load();
  void on_loaded(core::Result<RedisPanelLog::Loaded> loaded);
  void catch_up();
  // Applies the log's next entry and fans it out; false when it is not
  // next. `observed`: another node's entry, heard live or read.
  bool commit(v1::LogEntry entry, bool observed);
  void pump();
  void run(AppendOp op);
  void on_appended(AppendOp op, v1::LogEntry entry, core::Result<RedisPanelLog::AppendResult> r);
  void finish(AppendOp& op, core::Result<core::Appended> result);
  static void fail_op(Op& op, const core::Failure& f);
  void fail_queued(const core::Failure& f);
  void check_idle();

  std::string id_;
  core::PanelSettings settings_;
  const core::PanelLimits& limits_;
  const core::Clock& clock_;
  RedisPanelLog& log_;
  LeftoverOutbox& outbox_;
  Executor owner_;
  ReplicaOptions options_;
  std::function<void()> on_idle_;

  State state_ = State::subscribing;
  std::optional<core::Panel> panel_;
  bool catching_up_ = false;
  // The highest seq heard live while loading or catching up: more to read.
  std::uint64_t heard_ = 0;
  // The head the subscribers had when the log was found trimmed past it and
  // the panel is loaded again (0: no reload under way).
  std::uint64_t reloaded_from_ = 0;
  std::optional<InFlight> in_flight_;
  // Another node holds the turn: the next attempt waits for this.
  boost::asio::steady_timer turn_timer_;
  bool waiting_turn_ = false;
  // Overflow rule: enqueue() refuses past options_.max_queued operations
  // (each a command within the frame size bound, so bounded in bytes too).
  std::deque<Op> ops_;
  PanelFollowers subscribers_;
};

}  // namespace panelwire::engine
