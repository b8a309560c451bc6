#include "panel_hub.h"

namespace panelwire::net {

PanelHub::PanelHub(engine::Engine& engine, engine::Executor shard, const core::Clock& clock,
                   double batch_above)
    : engine_(engine), shard_(std::move(shard)), clock_(clock), batch_above_(batch_above) {}

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
  // Counted with the panel's members at its last event: one pass over them.
  const bool batch = deliveries_.record(clock_.now_ms(), panel.members_seen) > batch_above_;
  std::uint32_t n = 0;
  for (auto& m : panel.members) {
    m.on_panel_event(ev, batch);
    ++n;
  }
  panel.members_seen = n;
}

}  // namespace panelwire::net
