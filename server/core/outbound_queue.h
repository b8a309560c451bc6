#pragma once
// A session's frames waiting to be written, bounded in bytes.

#include <cstddef>
#include <vector>

#include "codec.h"

namespace panelwire::core {

class OutboundQueue {
 public:
  // Overflow rule: push() refuses a frame that would take the queued bytes
  // past `max_bytes` and the caller closes the session (SLOW_CONSUMER); the
  // client resumes from its last seq, so refusing loses nothing. Frames
  // being written count until end_write(); one frame always fits into an
  // empty queue, so a frame larger than the cap cannot wedge a session.
  explicit OutboundQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  [[nodiscard]] bool push(Frame f) {
    if (count_ > 0 && capped_bytes() + f->size() > max_bytes_) return false;
    append(std::move(f));
    return true;
  }

  // Overflow rule: admitted whatever the queue holds and never counted
  // toward the cap, so a fresh join cannot die of its own snapshot. For the
  // Welcome only (one per connection), whose size the panel's own bounds
  // limit (recent chat, questions); the caller holds everything else back
  // until bytes() shows it written.
  // One at a time: a second replaces the first's exemption.
  void push_uncapped(Frame f) {
    uncapped_ = f.get();
    append(std::move(f));
  }

  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  // Every byte queued, uncapped frames included.
  std::size_t bytes() const { return bytes_; }
  // Frames begin_write() handed out and end_write() has not yet dropped.
  std::size_t writing() const { return writing_; }

  // Hands the frames at the front to `each(const std::string&)`, in order,
  // for one gathered write: at most `max_frames`, and no more than
  // `max_bytes` in all unless the first alone is larger. They stay queued
  // (and counted) until end_write(). Returns how many; none while a write
  // is still open.
  template <class Each>
  std::size_t begin_write(std::size_t max_frames, std::size_t max_bytes, Each&& each) {
    if (writing_ > 0) return 0;
    std::size_t taken_bytes = 0;
    while (writing_ < count_ && writing_ < max_frames) {
      const auto& f = *ring_[(head_ + writing_) & (ring_.size() - 1)];
      if (writing_ > 0 && taken_bytes + f.size() > max_bytes) break;
      taken_bytes += f.size();
      each(f);
      ++writing_;
    }
    return writing_;
  }

  // The frames of the last begin_write() are on the wire: drops them.
  void end_write() {
    for (; writing_ > 0; --writing_) {
      const auto* f = ring_[head_].get();
      bytes_ -= f->size();
      if (f == uncapped_) uncapped_ = nullptr;
      ring_[head_].reset();
      head_ = (head_ + 1) & (ring_.size() - 1);
      --count_;
    }
    // An idle session should not keep the memory of its busiest moment.
    if (count_ == 0 && ring_.size() > kKeep) {
      std::vector<Frame>().swap(ring_);
      head_ = 0;
    }
  }

  // Drops every frame but those being written, which the writer still
  // refers to.
  void clear_pending() {
    while (count_ > writing_) {
      auto last = (head_ + count_ - 1) & (ring_.size() - 1);
      const auto* f = ring_[last].get();
      bytes_ -= f->size();
      if (f == uncapped_) uncapped_ = nullptr;
      ring_[last].reset();
      --count_;
    }
  }

 private:
  // Capacity kept when the queue drains; starts empty so idle sessions hold
  // no ring at all.
  static constexpr std::size_t kKeep = 8;

  std::size_t capped_bytes() const { return bytes_ - (uncapped_ ? uncapped_->size() : 0); }

  void append(Frame f) {
    if (count_ == ring_.size()) grow();
    bytes_ += f->size();
    ring_[(head_ + count_) & (ring_.size() - 1)] = std::move(f);
    ++count_;
  }

  void grow() {
    std::vector<Frame> next(ring_.empty() ? 4 : ring_.size() * 2);
    for (std::size_t i = 0; i < count_; ++i)
      next[i] = std::move(ring_[(head_ + i) & (ring_.size() - 1)]);
    ring_.swap(next);
    head_ = 0;
  }

  std::size_t max_bytes_;
  std::vector<Frame> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::size_t bytes_ = 0;
  std::size_t writing_ = 0;
  // The uncapped frame while it is queued (the queue holds it alive).
  const std::string* uncapped_ = nullptr;
};

}  // namespace panelwire::core
