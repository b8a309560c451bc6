#pragma once
// The frames a client sends (RFC 6455 section 5), read as the bytes come:
// a pure parser the session feeds with whatever its socket gave it.
//
// Guarantees:
// - Every frame is checked before its payload is taken: masked, no reserved
//   bits (no extension is negotiated), a known opcode, control frames whole
//   and at most 125 bytes, lengths in their shortest form, continuations
//   only inside a fragmented message and data frames never inside one. A
//   message never grows past the limit: its frame is refused by its header.
// - Text messages are whole, valid UTF-8 when returned; a close frame's code
//   is one a peer may send and its reason valid UTF-8.
// - A broken rule is a `fail` item with the close code to send (1002, 1007,
//   1009) and stays so: nothing more is read after it.
// - Fed the same bytes in any pieces, it returns the same items.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace panelwire::core {

struct WsItem {
  enum class Kind : std::uint8_t { none, text, binary, ping, pong, close, fail };
  Kind kind = Kind::none;
  // text, binary: the whole message; ping, pong: the frame's payload;
  // close: the reason; fail: what was wrong.
  std::string_view payload;
  // close: the peer's code (1005 when it sent none); fail: the code to
  // close with.
  std::uint16_t code = 0;
};

class WsReader {
 public:
  // `max_message_bytes`: the largest message, however fragmented.
  explicit WsReader(std::size_t max_message_bytes) : max_message_(max_message_bytes) {}

  struct Step {
    WsItem item;
    // Bytes of the input taken; the rest is for the next call.
    std::size_t used = 0;
    // Frames read whole, fragments and the item's own included: what a
    // client's frame budget is spent by.
    std::size_t frames = 0;
  };

  // Reads from `in`, unmasking it in place, until one item is whole or the
  // input is used up (then the item is `none`). The item's payload points
  // into `in` or into this reader: valid until the next call.
  Step read(std::span<char> in);

  // Lets go of the last item's payload (invalid from here) and of the
  // memory a long message took. read() does it first thing.
  void release();

  // Nothing is held: no partial frame and no partial message.
  bool between_messages() const { return !in_frame_ && header_bytes_ == 0 && message_op_ == 0; }

 private:
  Step failed(std::size_t used, std::size_t frames) const { return {failure_, used, frames}; }
  // Takes header bytes; true once the header is whole. Checks its first
  // two bytes (check_start) as soon as they are in.
  bool take_header(std::span<const char> in, std::size_t& used);
  // The rules the first two bytes can break, then those of the length;
  // each sets failure_ when one is broken.
  bool check_start();
  void check_length();
  bool refuse(std::uint16_t code, std::string_view why);
  WsItem complete_frame(std::string_view payload);

  const std::size_t max_message_;
  // The frame header so far: 2 bytes, up to 8 of length, 4 of mask.
  unsigned char header_[14] = {};
  std::uint8_t header_bytes_ = 0;
  bool in_frame_ = false;
  bool fin_ = false;
  std::uint8_t opcode_ = 0;
  // The opcode (1 or 2) of the message being put together; 0 between.
  std::uint8_t message_op_ = 0;
  unsigned char mask_[4] = {};
  // Payload bytes of the current frame still to read, and how many were.
  std::uint64_t remaining_ = 0;
  std::uint64_t read_ = 0;
  // A message in fragments, or one frame's payload split across reads;
  // emptied by release() once returned. A control frame may come between
  // fragments, so it has its own.
  std::string message_;
  std::string control_;
  bool release_message_ = false;
  bool release_control_ = false;
  WsItem failure_;
};

}  // namespace panelwire::core
