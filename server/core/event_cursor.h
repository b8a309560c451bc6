#pragma once
// One client's position in a panel's event stream. Live events may reach a
// session before the backlog it asked for (the subscription is opened
// first, so nothing falls between the two); the cursor holds them until the
// backlog is applied and then lets through each seq once, in order.

#include <cstdint>
#include <vector>

#include "panel_event.h"

namespace panelwire::core {

class EventCursor {
 public:
  enum class Verdict {
    deliver,   // the next seq: send it
    skip,      // already sent (replayed in the backlog): drop it
    held,      // kept until the backlog arrives
    gap,       // a seq is missing: fetch the backlog again from last()
    overflow,  // more held than `max_held_bytes`: the session cannot keep up
  };

  explicit EventCursor(std::size_t max_held_bytes) : max_held_bytes_(max_held_bytes) {}

  // From now on live events are held until caught_up().
  void begin_catchup() { catching_up_ = true; }
  bool catching_up() const { return catching_up_; }

  Verdict on_live(const EventPtr& ev);

  // The client now has every event up to `seq`. Returns the held events,
  // which the caller passes to on_live() again in order.
  std::vector<EventPtr> caught_up(std::uint64_t seq);

  std::uint64_t last() const { return last_; }

 private:
  std::size_t max_held_bytes_;
  bool catching_up_ = false;
  std::uint64_t last_ = 0;
  std::vector<EventPtr> held_;
  std::size_t held_bytes_ = 0;
};

inline EventCursor::Verdict EventCursor::on_live(const EventPtr& ev) {
  if (catching_up_) {
    held_bytes_ += ev->wire_bytes();
    if (held_bytes_ > max_held_bytes_) return Verdict::overflow;
    held_.push_back(ev);
    return Verdict::held;
  }
  if (ev->seq() <= last_) return Verdict::skip;
  if (ev->seq() != last_ + 1) return Verdict::gap;
  last_ = ev->seq();
  return Verdict::deliver;
}

inline std::vector<EventPtr> EventCursor::caught_up(std::uint64_t seq) {
  last_ = seq;
  catching_up_ = false;
  held_bytes_ = 0;
  return std::exchange(held_, {});
}

}  // namespace panelwire::core
