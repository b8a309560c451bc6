#pragma once
// A server's WebSocket data frame (RFC 6455 section 5.2) as it goes on the
// wire: final, unfragmented, unmasked. Unmasked means the bytes do not
// depend on the receiver, so an event is framed once and the same bytes are
// written to every socket.

#include <cstddef>
#include <string>
#include <string_view>

namespace panelwire::core {

// The longest header: 2 bytes and a 64-bit length.
inline constexpr std::size_t kMaxFrameHeader = 10;

std::size_t frame_header_size(std::size_t payload_bytes);

// Writes the header of a frame of `payload_bytes` at `out`, which has
// frame_header_size(payload_bytes) bytes; `text` picks opcode 1 over 2.
void write_frame_header(char* out, std::size_t payload_bytes, bool text);

std::string frame_message(std::string_view payload, bool text);

// The payload of one whole frame as frame_message() builds it; empty for
// bytes that are not one.
std::string_view frame_payload(std::string_view frame);

}  // namespace panelwire::core
