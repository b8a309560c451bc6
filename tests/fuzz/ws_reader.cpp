// Client bytes as the socket gives them: the WebSocket frame reader must
// neither crash nor read past its input, and must give the same items
// whether the bytes come at once or in pieces.

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "ws_reader.h"

namespace {

using panelwire::core::WsItem;
using panelwire::core::WsReader;

struct Got {
  WsItem::Kind kind;
  std::string payload;
  std::uint16_t code;
  bool operator==(const Got&) const = default;
};

// The first byte picks the piece size; the rest is the wire.
std::vector<Got> read_all(std::string wire, std::size_t piece) {
  WsReader reader(4096);
  std::vector<Got> got;
  for (std::size_t at = 0; at < wire.size();) {
    const auto end = std::min(wire.size(), at + piece);
    std::span<char> in(wire.data() + at, end - at);
    while (!in.empty()) {
      auto step = reader.read(in);
      panelwire::fuzz::check(step.used <= in.size(), "took more than it was given");
      in = in.subspan(step.used);
      if (step.item.kind == WsItem::Kind::none) {
        panelwire::fuzz::check(in.empty(), "stopped with input left and nothing to show");
        continue;
      }
      got.push_back({step.item.kind, std::string(step.item.payload), step.item.code});
      if (step.item.kind == WsItem::Kind::fail) return got;
      if (step.item.kind == WsItem::Kind::text || step.item.kind == WsItem::Kind::binary)
        panelwire::fuzz::check(step.item.payload.size() <= 4096, "a message past the limit");
    }
    at = end;
  }
  return got;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 17;
  std::string wire(reinterpret_cast<const char*>(data + 1), size - 1);
  panelwire::fuzz::check(read_all(wire, wire.size() + 1) == read_all(wire, piece),
                         "different items for the same bytes in pieces");
  return 0;
}
