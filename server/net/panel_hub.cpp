#include "panel_hub.h"

#include <chrono>

namespace panelwire::net {

PanelHub::PanelHub(engine::Engine& engine, engine::Executor shard, const core::Clock& clock,
                   double batch_above, ShardStats& stats)
    : engine_(engine),
      shard_(std::move(shard)),
      clock_(clock),
      batch_above_(batch_above),
      stats_(stats) {}

PanelHub::~PanelHub() {
  for (auto& [id, local] : panels_) local.members.clear();
}

void PanelHub::join(const std::string& panel_id, PanelMember& member) {
  auto [it, fresh] = panels_.try_emplace(panel_id);
  it->second.members.push_back(member);
  if (fresh) {
    engine_.subscribe(panel_id, this, shard_,
                      [this, panel_id](core::Result<void> r) { on_subscribed(panel_id, r); });
  } else if (it->second.live) {
    member.on_subscribed({});
  }
  // Otherwise the subscription is on its way and on_subscribed tells it.
}

void PanelHub::on_subscribed(const std::string& panel_id, const core::Result<void>& result) {
  auto it = panels_.find(panel_id);
  if (it == panels_.end()) return;  // everyone left meanwhile
  it->second.live = result.has_value();
  auto& members = it->second.members;
  for (auto m = members.begin(); m != members.end();) (m++)->on_subscribed(result);
  if (!result) {
    members.clear();
    panels_.erase(it);
  }
}

void PanelHub::leave(const std::string& panel_id, PanelMember& member) {
  if (member.is_linked()) member.unlink();
  auto it = panels_.find(panel_id);
  if (it == panels_.end() || !it->second.members.empty()) return;
  panels_.erase(it);
  engine_.unsubscribe(panel_id, this);
}

void PanelHub::on_event(const core::EventPtr& ev) {
  auto it = panels_.find(ev->panel_id());
  if (it == panels_.end()) return;
  auto& panel = it->second;
  // A measure of this node's work, not the engine's clock: steady time.
  const auto began = std::chrono::steady_clock::now();
  // Counted with the panel's members at its last event: one pass over them.
  const bool batch = deliveries_.record(clock_.now_ms(), panel.members_seen) > batch_above_;
  std::uint32_t n = 0;
  for (auto& m : panel.members) {
    m.on_panel_event(ev, batch);
    ++n;
  }
  panel.members_seen = n;
  stats_.event_frames += n;
  stats_.fanout_latency.observe(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - began)
                                    .count());
}

}  // namespace panelwire::net
