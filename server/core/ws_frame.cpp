#include "ws_frame.h"

namespace panelwire::core {

std::size_t frame_header_size(std::size_t payload_bytes) {
  if (payload_bytes < 126) return 2;
  if (payload_bytes <= 0xffff) return 4;
  return 10;
}

void write_frame_header(char* out, std::size_t payload_bytes, bool text) {
  auto* p = reinterpret_cast<unsigned char*>(out);
  p[0] = 0x80 | (text ? 0x1 : 0x2);  // FIN, no RSV bits: no extension is ever negotiated
  if (payload_bytes < 126) {
    p[1] = static_cast<unsigned char>(payload_bytes);
    return;
  }
  const int length_bytes = payload_bytes <= 0xffff ? 2 : 8;
  p[1] = length_bytes == 2 ? 126 : 127;
  for (int i = 0; i < length_bytes; ++i)
    p[2 + i] = static_cast<unsigned char>(payload_bytes >> (8 * (length_bytes - 1 - i)));
}

std::string frame_message(std::string_view payload, bool text) {
  std::string out(frame_header_size(payload.size()) + payload.size(), '\0');
  write_frame_header(out.data(), payload.size(), text);
  payload.copy(out.data() + frame_header_size(payload.size()), payload.size());
  return out;
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
