#pragma once
// A panel's authoritative state: sequencing, bounded history, command
// de-duplication and the rules an event must satisfy. No I/O; an engine
// owns one Panel per panel and serializes calls to it.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "clock.h"
#include "command_window.h"
#include "failure.h"
#include "leftover.h"
#include "panel_event.h"
#include "panelwire/v1/engine.pb.h"
#include "question_board.h"
#include "rate_limiter.h"

namespace panelwire::core {

struct PanelLimits {
  // How far back a reconnecting client can resume, in events and in bytes,
  // whichever is reached first. 10k events cover a busy hour of chat.
  std::size_t history_events = 10'000;
  std::size_t history_bytes = 16u << 20;
  // Questions a panel holds, every state counted. Every open one is in a
  // fresh Welcome (which the slow-consumer cap does not count): a busy
  // panel gets a few hundred; 1,000 of at most 500 characters keep a
  // Welcome under 2 MiB.
  std::size_t max_questions = 1'000;
  // People muted at once. Every one is named in a moderator's Welcome; a
  // panel that needs more than a few dozen wants its chat locked, and 1,000
  // keeps that list under 200 KiB whatever the moderators do.
  std::size_t max_muted = 1'000;
  // Commands remembered for retries, client by client.
  CommandWindowLimits command_window;
  RateLimits rates;
};

// An event a command wants to add. The panel assigns seq and time.
struct Draft {
  // Identifies the command for retries (client id + command id); empty for
  // no de-duplication.
  std::string dedup_key;
  v1::Event event;
};

struct Appended {
  // 0 when the command changed nothing (a second vote).
  std::uint64_t seq = 0;
  // The command was applied before; `event` is null and nothing changed.
  bool duplicate = false;
  EventPtr event;
  // What the event sends to the forum (the panel's end, a moderator's
  // "send to forum"); the engine makes it durable before the ack.
  std::optional<v1::LeftoverBatch> leftovers;
};

// What a command would do to the panel now, decided but not applied.
struct Prepared {
  // The retry's first seq (duplicate), or the new event's seq; 0 when the
  // command changes nothing.
  std::uint64_t seq = 0;
  bool duplicate = false;
  // The completed event (seq = head + 1, time stamped); none for a
  // duplicate or a command that changes nothing.
  std::optional<v1::Event> event;
  std::string dedup_key;
};

struct Backlog {
  std::uint64_t head = 0;
  v1::ResumeStatus resume = v1::FRESH;
  // RESUMED: the events after the resume point, in order.
  std::vector<EventPtr> missed;
  // FRESH and RESUME_TOO_OLD: the most recent visible chat, oldest first.
  std::vector<EventPtr> recent_chat;
  // The panel's settings and gates, you_muted for the viewer.
  v1::PanelInfo info;
  // FRESH and RESUME_TOO_OLD: every question, unredacted, by id; the
  // session shows each receiver what it may see.
  std::vector<v1::Question> questions;
  // The viewer's votes.
  std::vector<std::uint64_t> your_votes;
  // Who is muted, ordered by name (the Welcome shows them to moderators).
  std::vector<v1::Participant> muted;
};

class Panel {
 public:
  Panel(std::string id, PanelSettings settings, const PanelLimits& limits, const Clock& clock);

  const std::string& id() const { return id_; }
  std::uint64_t head() const { return head_; }
  // The oldest seq still in history; head() + 1 when it is empty.
  std::uint64_t history_start() const {
    return history_.empty() ? head_ + 1 : history_.front()->seq();
  }
  bool ended() const { return ended_; }
  // When its first event was appended (0 before it, or when restored from a
  // snapshot older than the field).
  std::int64_t started_at_ms() const { return started_at_ms_; }
  // The newest event still in history; null when history is empty.
  EventPtr latest() const { return history_.empty() ? nullptr : history_.back(); }
  // What history holds now (bounded by PanelLimits).
  std::size_t history_events() const { return history_.size(); }
  std::size_t history_bytes() const { return history_bytes_; }

  const PanelSettings& settings() const { return settings_; }
  const QuestionBoard& board() const { return board_; }

  // Checks the draft against the panel's rules and state, completes it,
  // assigns seq = head + 1, stamps the time, applies it and keeps it in
  // history. The event's actor is who sent the command. Same as commit()
  // of what prepare() decided.
  Result<Appended> append(Draft draft);

  // The decision half of append(): the completed event, or the failure.
  // Nothing changes: the command's rate-limit token is taken by commit(),
  // on every replica alike, so limits hold across nodes. An engine that sequences elsewhere (Redis)
  // prepares on its replica, appends the event there if the head is still the same, and commits it.
  Result<Prepared> prepare(Draft draft) const;

  // Applies an event decided by prepare(), here or on another node's
  // replica: it must follow the head (INTERNAL otherwise, nothing changed).
  // `dedup_key` makes a retry of its command recognised here too.
  Result<Appended> commit(v1::Event ev, std::string dedup_key);

  // The state after head(), for a node that loads the panel later.
  v1::PanelSnapshot snapshot() const;
  // Loads `snap` into a panel that has applied nothing yet, with `earlier`:
  // the events up to and including snap.seq still in the log, oldest
  // first, kept as history (not applied: the snapshot holds their effect).
  // INTERNAL, changing nothing, when the panel is not fresh or `earlier`
  // does not end at snap.seq.
  Result<void> restore(const v1::PanelSnapshot& snap, std::vector<v1::Event> earlier);

  // What a client joining with `resume_after` must receive; `viewer_id`
  // picks its votes and mute.
  Result<Backlog> backlog(std::optional<std::uint64_t> resume_after, std::size_t chat_count,
                          const std::string& viewer_id = {}) const;

 private:
  Result<void> admit(const v1::Event& ev) const;
  Result<QuestionBoard::Outcome> resolve(v1::Event& ev, std::uint64_t seq,
                                         std::int64_t now_ms) const;
  // The visible chat message with seq `target`, or NOT_FOUND.
  Result<const v1::ChatPosted*> chat_at(std::uint64_t target) const;
  const RateRule* rate_rule(const v1::Event& ev, std::string& key) const;
  // RATE_LIMITED with retry_after_ms when a limit or slow mode holds `ev` back.
  std::optional<Failure> rate_failure(const v1::Event& ev, std::int64_t now_ms) const;
  // Slow mode's bucket for this chat message, if it applies.
  std::optional<RateRule> slow_rule(const v1::Event& ev, std::string& key) const;
  void charge_rate(const v1::Event& ev);
  void apply(const EventPtr& ev);
  std::optional<v1::LeftoverBatch> leftovers_of(const v1::Event& ev) const;
  void remember(const EventPtr& ev);
  void forget_oldest();

  std::string id_;
  PanelSettings settings_;
  PanelLimits limits_;
  const Clock& clock_;
  std::uint64_t head_ = 0;
  // When the first event was appended: names this life of the panel.
  std::int64_t started_at_ms_ = 0;
  std::deque<EventPtr> history_;
  std::size_t history_bytes_ = 0;
  // Seqs of deleted chat messages still in history.
  std::unordered_set<std::uint64_t> deleted_;
  CommandWindow commands_;
  QuestionBoard board_;
  RateLimiter rates_;
  bool chat_locked_ = false;
  bool ended_ = false;
  // All fields set: from the panel list, then as moderators change them.
  v1::PanelRules rules_;
  // A moderator changed the rules: snapshots carry them (otherwise a node
  // loading the panel takes the panel list's, as a replay of the log would).
  bool rules_set_ = false;
  // Muted participant id -> as the mute named them. Overflow rule: at
  // limits_.max_muted a further mute is refused (RESOURCE_EXHAUSTED).
  std::unordered_map<std::string, v1::Participant> muted_;
};

}  // namespace panelwire::core
