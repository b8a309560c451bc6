#include "shard.h"

#include <algorithm>

#include "batch_tick.h"

namespace panelwire::net {

ShardStats Shard::snapshot() const {
  ShardStats copy = stats_;
  for (const auto& d : drainables_) d.count(copy);
  copy.panels = hub_.panels();
  return copy;
}

void Shard::flush_later(Flushable& f) {
  if (f.is_linked()) return;
  // The tick is armed while anyone waits for it. (Should every waiter have
  // gone, the tick armed again here replaces the old one, which then ends
  // aborted.)
  const bool arm = to_flush_.empty();
  to_flush_.push_back(f);
  if (!arm) return;
  using Clock = std::chrono::steady_clock;
  const auto now = Clock::now().time_since_epoch();
  tick_.expires_at(Clock::time_point(core::next_batch_tick(
      now, std::chrono::duration_cast<Clock::duration>(config_.batch_interval))));
  tick_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

void Shard::on_tick() {
  // Taken as a whole first: a session flushed here may ask again (its write
  // is still in flight), for the next tick.
  FlushList due;
  due.swap(to_flush_);
  while (!due.empty()) {
    auto& f = due.front();
    due.pop_front();
    f.flush();
  }
}

void Shard::watch(Keepalive& k) {
  const bool arm = watched_.empty();
  watched_.push_back(k);
  if (arm) arm_keepalive();
}

void Shard::arm_keepalive() {
  keepalive_tick_.expires_after(std::max(config_.idle_timeout / 4, std::chrono::milliseconds(1)));
  keepalive_tick_.async_wait([this](boost::system::error_code ec) {
    if (ec || watched_.empty()) return;
    // A tick may close a session, never destroy one (its handlers hold it),
    // so the walk is safe; the next is taken first all the same.
    for (auto it = watched_.begin(); it != watched_.end();) (it++)->keepalive_tick();
    if (!watched_.empty()) arm_keepalive();
  });
}

}  // namespace panelwire::net
