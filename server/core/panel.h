#pragma once
// A panel's authoritative state: sequencing, bounded history, command
// de-duplication and the rules an event must satisfy. No I/O; an engine
// owns one Panel per panel and serializes calls to it.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "clock.h"
#include "command_window.h"
#include "failure.h"
#include "panel_event.h"

namespace panelwire::core {

struct PanelLimits {
  // How far back a reconnecting client can resume, in events and in bytes,
  // whichever is reached first. 10k events cover a busy hour of chat.
  std::size_t history_events = 10'000;
  std::size_t history_bytes = 16u << 20;
  // Commands remembered for retries. A client retries within seconds, so a
  // few thousand recent commands per panel is plenty.
  std::size_t command_window = 4'096;
};

// An event a command wants to add. The panel assigns seq and time.
struct Draft {
  // Identifies the command for retries (client id + command id); empty for
  // no de-duplication.
  std::string dedup_key;
  v1::Event event;
};

struct Appended {
  std::uint64_t seq = 0;
  // The command was applied before; `event` is null and nothing changed.
  bool duplicate = false;
  EventPtr event;
};

struct Backlog {
  std::uint64_t head = 0;
  v1::ResumeStatus resume = v1::FRESH;
  // RESUMED: the events after the resume point, in order.
  std::vector<EventPtr> missed;
  // FRESH and RESUME_TOO_OLD: the most recent visible chat, oldest first.
  std::vector<EventPtr> recent_chat;
};

class Panel {
 public:
  Panel(std::string id, const PanelLimits& limits, const Clock& clock);

  const std::string& id() const { return id_; }
  std::uint64_t head() const { return head_; }

  // Assigns seq = head + 1, stamps the time, keeps the event in history.
  Result<Appended> append(Draft draft);

  // What a client joining with `resume_after` must receive.
  Result<Backlog> backlog(std::optional<std::uint64_t> resume_after, std::size_t chat_count) const;

 private:
  Result<void> check(const v1::Event& ev) const;
  void remember(const EventPtr& ev);
  void forget_oldest();

  std::string id_;
  PanelLimits limits_;
  const Clock& clock_;
  std::uint64_t head_ = 0;
  std::deque<EventPtr> history_;
  std::size_t history_bytes_ = 0;
  // Seqs of deleted chat messages still in history.
  std::unordered_set<std::uint64_t> deleted_;
  CommandWindow commands_;
};

}  // namespace panelwire::core
