#pragma once
// When a busy shard's waiting frames are written (RelayConfig::batch_interval).

#include <cassert>
#include <chrono>

namespace panelwire::core {

// The flush for a frame queued at `now` (time since a steady clock's
// epoch): the next multiple of `interval` after `now`, so at most
// `interval` later and half of it on average. On a fixed grid rather than
// `interval` after the first frame waiting: a quiet panel's frame waits
// half as long, and a panel whose events come at the interval's own pace
// (a steady 50 a second against 20 ms) gets one flush per event, not two
// events to a flush or one depending on which side of the tick each lands
// (unless they land within their jitter of a tick). `interval` must be
// positive.
template <class Duration>
Duration next_batch_tick(Duration now, Duration interval) {
  assert(interval > Duration::zero());
  auto into = now % interval;
  // Before the clock's epoch the remainder is negative: still the next tick.
  if (into < Duration::zero()) into += interval;
  return now - into + interval;
}

}  // namespace panelwire::core
