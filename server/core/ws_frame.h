#pragma once
// A server's WebSocket data frame (RFC 6455 section 5.2) as it goes on the
// wire: final, unfragmented, unmasked. Unmasked means the bytes do not
// depend on the receiver, so an event is framed once and the same bytes are
// written to every socket.

#include <cstddef>
#include <cstdint>
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

// The frames a server sends besides data (section 5.5), whole.
// A ping or pong carries at most 125 bytes of `payload` (the rest is cut).
std::string ping_frame(std::string_view payload = {});
std::string pong_frame(std::string_view payload);
// The code that stands for "no code" (RFC 6455 7.4.1); never sent.
inline constexpr std::uint16_t kNoCloseCode = 1005;
// A close frame with `code` and as much of `reason` as fits in 123 bytes,
// cut at a character boundary; kNoCloseCode makes one with no payload.
std::string close_frame(std::uint16_t code, std::string_view reason);

// The payload of one whole frame as frame_message() builds it; empty for
// bytes that are not one.
std::string_view frame_payload(std::string_view frame);

}  // namespace panelwire::core
