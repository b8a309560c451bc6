#pragma once
// Wire codec: the same protobuf messages as binary frames (panelwire.v1.proto)
// or as canonical protobuf JSON text frames (panelwire.v1.json).

#include <memory>
#include <string>
#include <string_view>

#include "failure.h"
#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::core {

enum class WireFormat : std::uint8_t { proto = 0, json = 1 };
inline constexpr std::size_t kWireFormats = 2;

inline constexpr std::string_view kProtoSubprotocol = "panelwire.v1.proto";
inline constexpr std::string_view kJsonSubprotocol = "panelwire.v1.json";

// A server message as one whole WebSocket frame, header included (see
// ws_frame.h), immutable once built and shared by every recipient's
// outbound queue: the session writes these bytes as they are.
using Frame = std::shared_ptr<const std::string>;

// MALFORMED when the bytes are not a ClientMessage in `format`.
Result<v1::ClientMessage> decode_client(std::string_view data, WireFormat format);

// The message alone (a frame's payload).
std::string encode(const v1::ServerMessage& msg, WireFormat format);
// The message framed: binary frames for proto, text frames for JSON.
std::string encode_wire(const v1::ServerMessage& msg, WireFormat format);
Frame encode_frame(const v1::ServerMessage& msg, WireFormat format);

// Protobuf's own logging would write parse complaints straight to stderr;
// route them to our logger once at start-up.
void route_protobuf_logs();

}  // namespace panelwire::core
