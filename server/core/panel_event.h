#pragma once
// One sequenced event of a panel, immutable and shared: by the panel's
// history, by every shard that fans it out and by every recipient's queue.

#include <array>
#include <memory>
#include <mutex>
#include <string>

#include "codec.h"
#include "visibility.h"

namespace panelwire::core {

class PanelEvent : public std::enable_shared_from_this<PanelEvent> {
 public:
  PanelEvent(std::string panel_id, v1::Event event)
      : panel_id_(std::move(panel_id)),
        event_(std::move(event)),
        redacted_(needs_redaction(event_)),
        weight_(weigh()) {}

  const std::string& panel_id() const { return panel_id_; }
  std::uint64_t seq() const { return event_.seq(); }
  const v1::Event& event() const { return event_; }

  // ServerMessage{event} in `format` as `viewing` sees it. The shared views
  // are serialized once on first use (from any thread) and shared: the
  // frame keeps this event alive, no copy is made. Events with nothing to
  // redact share one frame between the views. View::own is serialized for
  // its one receiver on each call (see view_for: it is rare).
  Frame frame(WireFormat format, Viewing viewing = View::full) const;

  // Bytes the event may come to hold (itself and every frame it may
  // cache), for history budgets.
  std::size_t weight() const { return weight_; }
  // About the bytes one frame of it puts on the wire: what a client's
  // catch-up budget counts (held events are shared, not copied).
  std::size_t wire_bytes() const { return event_.ByteSizeLong() + 16; }

 private:
  std::string panel_id_;
  v1::Event event_;
  bool redacted_;
  // Charged to history when the event is kept and again when it is
  // dropped: worked out once.
  std::size_t weigh() const;
  std::size_t weight_;
  mutable std::array<std::once_flag, kWireFormats * kViews> once_;
  mutable std::array<std::string, kWireFormats * kViews> frames_;
};

using EventPtr = std::shared_ptr<const PanelEvent>;

EventPtr make_event(std::string panel_id, v1::Event event);

}  // namespace panelwire::core
