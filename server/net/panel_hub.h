#pragma once
// A shard's view of the panels its sessions are in: one engine subscription
// per panel per shard, opened with the first local member and closed after
// the last, and the fan-out of each event to the local members.

#include <string>
#include <unordered_map>

#include "clock.h"
#include "engine.h"
#include "event_rate.h"
#include "session_list.h"
#include "shard_stats.h"

namespace panelwire::net {

class PanelMember : public SessionHook<PanelMember> {
 public:
  // The panel's subscription is live (or failed): the member may now fetch
  // its backlog without missing anything after it.
  virtual void on_subscribed(const core::Result<void>& result) = 0;
  // A live event. `batch`: the shard is busy, so the frame may wait for its
  // flush (see RelayConfig::batch_above_deliveries_per_second). Must
  // not join or leave a panel from here: the hub is iterating its members.
  virtual void on_panel_event(const core::EventPtr& ev, bool batch) = 0;

 protected:
  ~PanelMember() = default;
};

class PanelHub final : public engine::EventSink {
 public:
  // Once the shard delivers more than `batch_above` frames a second (by
  // `clock`, every panel's events times their local members), events are
  // fanned out with `batch` set. Each fan-out is counted in `stats` (the
  // shard's, outliving the hub).
  PanelHub(engine::Engine& engine, engine::Executor shard, const core::Clock& clock,
           double batch_above, ShardStats& stats);
  ~PanelHub() override;

  // All on the shard's thread.
  void join(const std::string& panel_id, PanelMember& member);
  void leave(const std::string& panel_id, PanelMember& member);
  void on_event(const core::EventPtr& ev) override;

  std::size_t panels() const { return panels_.size(); }

 private:
  using Members = SessionList<PanelMember>;
  struct Local {
    bool live = false;
    // At the panel's last event: what one event of it costs in deliveries.
    std::uint32_t members_seen = 0;
    Members members;
  };

  void on_subscribed(const std::string& panel_id, const core::Result<void>& result);

  engine::Engine& engine_;
  engine::Executor shard_;
  const core::Clock& clock_;
  double batch_above_;
  ShardStats& stats_;
  // Deliveries a second on the shard, every panel's. Measured as done, so a
  // shard that falls behind still reads as busy: its capacity without
  // batching (some 100,000 a second) is far above any sane threshold, and
  // batching, once on, stays on until the load is really gone.
  core::EventRate deliveries_;
  std::unordered_map<std::string, Local> panels_;
};

}  // namespace panelwire::net
