#include "ws_frame.h"

namespace panelwire::core {

std::size_t frame_header_size(std::size_t payload_bytes) {
  if (payload_bytes < 126) return 2;
  if (payload_bytes <= 0xffff) return 4;
  return 10;
}

namespace {

// FIN, no RSV bits (no extension is ever negotiated), and the opcode.
void write_header(char* out, std::size_t payload_bytes, unsigned char opcode) {
  auto* p = reinterpret_cast<unsigned char*>(out);
  p[0] = 0x80 | opcode;
  if (payload_bytes < 126) {
    p[1] = static_cast<unsigned char>(payload_bytes);
    return;
  }
  const int length_bytes = payload_bytes <= 0xffff ? 2 : 8;
  p[1] = length_bytes == 2 ? 126 : 127;
  for (int i = 0; i < length_bytes; ++i)
    p[2 + i] = static_cast<unsigned char>(payload_bytes >> (8 * (length_bytes - 1 - i)));
}

std::string whole_frame(unsigned char opcode, std::string_view payload) {
  const auto header = frame_header_size(payload.size());
  std::string out(header + payload.size(), '\0');
  write_header(out.data(), payload.size(), opcode);
  payload.copy(out.data() + header, payload.size());
  return out;
}

// A control frame's payload is at most 125 bytes (RFC 6455 5.5).
std::string control_frame(unsigned char opcode, std::string_view payload) {
  return whole_frame(opcode, payload.substr(0, 125));
}

}  // namespace

void write_frame_header(char* out, std::size_t payload_bytes, bool text) {
  write_header(out, payload_bytes, text ? 0x1 : 0x2);
}

std::string ping_frame(std::string_view payload) {
  return control_frame(0x9, payload);
}

std::string pong_frame(std::string_view payload) {
  return control_frame(0xa, payload);
}

std::string close_frame(std::uint16_t code, std::string_view reason) {
  if (code == kNoCloseCode) return control_frame(0x8, {});
  if (reason.size() > 123) {
    std::size_t cut = 123;
    // Back to the first byte of a character: never half of one.
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xc0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  std::string payload(2, '\0');
  payload[0] = static_cast<char>(code >> 8);
  payload[1] = static_cast<char>(code & 0xff);
  payload += reason;
  return control_frame(0x8, payload);
}

std::string frame_message(std::string_view payload, bool text) {
  return whole_frame(text ? 0x1 : 0x2, payload);
}

std::string_view frame_payload(std::string_view frame) {
  if (frame.size() < 2) return {};
  const auto* p = reinterpret_cast<const unsigned char*>(frame.data());
  std::size_t length = p[1] & 0x7f;
  std::size_t header = 2;
  if (length >= 126) {
    const int length_bytes = length == 126 ? 2 : 8;
    if (frame.size() < 2u + length_bytes) return {};
    length = 0;
    for (int i = 0; i < length_bytes; ++i) length = (length << 8) | p[2 + i];
    header += length_bytes;
  }
  if ((p[1] & 0x80) != 0 || frame.size() - header != length) return {};
  return frame.substr(header);
}

}  // namespace panelwire::core
