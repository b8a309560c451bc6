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
  // client resumes from its last seq, so refusing loses nothing. The frame
  // being written counts until pop(); one frame always fits into an empty
  // queue, so a frame larger than the cap cannot wedge a session.
  explicit OutboundQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  [[nodiscard]] bool push(Frame f) {
    if (count_ > 0 && bytes_ + f->size() > max_bytes_) return false;
    if (count_ == ring_.size()) grow();
    ring_[(head_ + count_) & (ring_.size() - 1)] = std::move(f);
    bytes_ += ring_[(head_ + count_) & (ring_.size() - 1)]->size();
    ++count_;
    return true;
  }

  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  std::size_t bytes() const { return bytes_; }
  const Frame& front() const { return ring_[head_]; }

  void pop() {
    bytes_ -= ring_[head_]->size();
    ring_[head_].reset();
    head_ = (head_ + 1) & (ring_.size() - 1);
    --count_;
    // An idle session should not keep the memory of its busiest moment.
    if (count_ == 0 && ring_.size() > kKeep) {
      std::vector<Frame>().swap(ring_);
      head_ = 0;
    }
  }

  // Drops every frame but the one being written (the front), which the
  // writer still refers to.
  void clear_pending() {
    while (count_ > 1) {
      auto last = (head_ + count_ - 1) & (ring_.size() - 1);
      bytes_ -= ring_[last]->size();
      ring_[last].reset();
      --count_;
    }
  }

 private:
  // Capacity kept when the queue drains; starts empty so idle sessions hold
  // no ring at all.
  static constexpr std::size_t kKeep = 8;

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
};

}  // namespace panelwire::core
