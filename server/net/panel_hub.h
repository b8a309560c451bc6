#pragma once
// A shard's view of the panels its sessions are in: one engine subscription
// per panel per shard, opened with the first local member and closed after
// the last, and the fan-out of each event to the local members.

#include <string>
#include <unordered_map>

#include <boost/intrusive/list.hpp>

#include "clock.h"
#include "engine.h"
#include "event_rate.h"

namespace panelwire::net {

namespace bi = boost::intrusive;

class PanelMember
    : public bi::list_base_hook<bi::tag<PanelMember>, bi::link_mode<bi::auto_unlink>> {
 public:
  // The panel's subscription is live (or failed): the member may now fetch
  // its backlog without missing anything after it.
  virtual void on_subscribed(const core::Result<void>& result) = 0;
  // A live event. `batch`: the panel is busy, so the frame may wait for the
  // shard's flush (see RelayConfig::batch_above_events_per_second). Must
  // not join or leave a panel from here: the hub is iterating its members.
  virtual void on_panel_event(const core::EventPtr& ev, bool batch) = 0;

 protected:
  ~PanelMember() = default;
};

class PanelHub final : public engine::EventSink {
 public:
  // Panels with more than `batch_above` events a second (by `clock`) are
  // fanned out with `batch` set.
  PanelHub(engine::Engine& engine, engine::Executor shard, const core::Clock& clock,
           double batch_above);
  ~PanelHub() override;

  // All on the shard's thread.
  void join(const std::string& panel_id, PanelMember& member);
  void leave(const std::string& panel_id, PanelMember& member);
  void on_event(const core::EventPtr& ev) override;

  std::size_t panels() const { return panels_.size(); }

 private:
  using Members = bi::list<
      PanelMember,
      bi::base_hook<bi::list_base_hook<bi::tag<PanelMember>, bi::link_mode<bi::auto_unlink>>>,
      bi::constant_time_size<false>>;
  struct Local {
    bool live = false;
    core::EventRate rate;
    Members members;
  };

  void on_subscribed(const std::string& panel_id, const core::Result<void>& result);

  engine::Engine& engine_;
  engine::Executor shard_;
  const core::Clock& clock_;
  double batch_above_;
  std::unordered_map<std::string, Local> panels_;
};

}  // namespace panelwire::net
