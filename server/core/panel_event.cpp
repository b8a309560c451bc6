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
    frames_[i] = encode_wire(msg, format);
  });
  // Aliasing constructor: the frame shares the event's ownership.
  return Frame(shared_from_this(), &frames_[i]);
}

std::size_t PanelEvent::weigh() const {
  // What the event may come to hold, not what it holds now: frames are
  // cached later, from any thread, and the budget is charged once. The
  // parsed message as allocated, plus every frame it may cache: a protobuf
  // frame is about the encoded size; a JSON frame at most twice that (field
  // names) plus five more bytes for each byte JSON writes as \uXXXX
  // (controls, quotes, backslashes, angle brackets; counted over the
  // encoding, whose tag and length bytes only make the bound larger).
  std::string encoded;
  event_.SerializeToString(&encoded);
  std::size_t escaped = 0;
  for (unsigned char ch : encoded)
    escaped += ch < 0x20 || ch == '"' || ch == '\\' || ch == '<' || ch == '>' || ch == 0xe2;
  const std::size_t views = redacted_ ? kViews : 1;
  const std::size_t proto_frame = encoded.size() + 32;
  const std::size_t json_frame = 2 * encoded.size() + 5 * escaped + 256;
  return sizeof(PanelEvent) + panel_id_.size() + event_.SpaceUsedLong() +
         views * (proto_frame + json_frame);
}

}  // namespace panelwire::core
