#include "panel_event.h"

namespace panelwire::core {

EventPtr make_event(std::string panel_id, v1::Event event) {
  return std::make_shared<const PanelEvent>(std::move(panel_id), std::move(event));
}

Frame PanelEvent::frame(WireFormat format, Viewing viewing) const {
  auto view = redacted_ ? viewing.view : View::full;
  if (view == View::own) {
    v1::ServerMessage msg;
    *msg.mutable_event() = redacted_view(event_, viewing.viewer_id);
    return encode_frame(msg, format);
  }
  auto i = static_cast<std::size_t>(format) * kViews + static_cast<std::size_t>(view);
  std::call_once(once_[i], [&] {
    v1::ServerMessage msg;
    *msg.mutable_event() = view == View::full ? event_ : public_view(event_);
    frames_[i] = encode(msg, format);
  });
  // Aliasing constructor: the frame shares the event's ownership.
  return Frame(shared_from_this(), &frames_[i]);
}

std::size_t PanelEvent::weight() const {
  return sizeof(PanelEvent) + panel_id_.size() + event_.ByteSizeLong() * 2;
}

}  // namespace panelwire::core
