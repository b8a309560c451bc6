#pragma once
// The SDK's side of the wire format: ClientMessage out, ServerMessage in,
// as binary protobuf or canonical protobuf JSON.

#include <optional>
#include <string>
#include <string_view>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::client {

enum class WireFormat { proto, json };

// The Sec-WebSocket-Protocol value for `format`.
std::string_view subprotocol(WireFormat format);

std::string encode(const v1::ClientMessage& msg, WireFormat format);
// nullopt when `data` is not a ServerMessage in `format`.
std::optional<v1::ServerMessage> decode(std::string_view data, WireFormat format);

// An Ack made on this side, for commands that never reached the server.
v1::Ack local_error(const std::string& id, v1::ErrorCode code, std::string message);

}  // namespace panelwire::client
