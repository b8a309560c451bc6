#include "ws_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "text.h"
#include "ws_frame.h"

namespace panelwire::core {

namespace {

constexpr std::uint8_t kContinuation = 0x0;
constexpr std::uint8_t kText = 0x1;
constexpr std::uint8_t kBinary = 0x2;
constexpr std::uint8_t kClose = 0x8;
constexpr std::uint8_t kPing = 0x9;
constexpr std::uint8_t kPong = 0xa;

// A message held past this is given back once returned: a client's one
// long message should not stay with its session.
constexpr std::size_t kKeepBytes = 4096;

WsItem fail(std::uint16_t code, std::string_view why) {
  return {WsItem::Kind::fail, why, code};
}

// The whole header's size, from its first two bytes.
std::size_t header_size(const unsigned char* h) {
  const auto length = h[1] & 0x7f;
  return 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + 4;
}

// Codes a peer may put in its close frame (RFC 6455 7.4, IANA registry):
// 1004-1006 and 1015 are never sent, 1016-2999 are unassigned.
bool valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

void clear(std::string& s) {
  s.clear();
  if (s.capacity() > kKeepBytes) std::string().swap(s);
}

}  // namespace

void WsReader::release() {
  if (std::exchange(release_message_, false)) clear(message_);
  if (std::exchange(release_control_, false)) clear(control_);
}

WsReader::Step WsReader::read(std::span<char> in) {
  release();
  if (failure_.kind == WsItem::Kind::fail) return failed(0, 0);
  std::size_t used = 0;
  std::size_t frames = 0;
  for (;;) {
    if (!in_frame_) {
      const bool whole = take_header(in, used);
      if (failure_.kind == WsItem::Kind::fail) return failed(used, frames);
      if (!whole) return {{}, used, frames};
      check_length();
      if (failure_.kind == WsItem::Kind::fail) return failed(used, frames);
      in_frame_ = true;
    }
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - used));
    char* payload = in.data() + used;
    for (std::size_t i = 0; i < n; ++i) payload[i] ^= static_cast<char>(mask_[(read_ + i) & 3]);
    used += n;
    read_ += n;
    remaining_ -= n;
    const bool control = opcode_ >= kClose;
    auto& held = control ? control_ : message_;
    // A frame wholly in this input that is a message by itself (or a
    // control frame) is returned where it lies, without a copy.
    const bool in_place = remaining_ == 0 && read_ == n && (control || (fin_ && held.empty()));
    if (!in_place) held.append(payload, n);
    if (remaining_ > 0) return {{}, used, frames};
    in_frame_ = false;
    header_bytes_ = 0;
    ++frames;
    if (!control && !fin_) continue;  // a fragment: the message goes on
    auto item = complete_frame(in_place ? std::string_view(payload, n) : std::string_view(held));
    if (item.kind == WsItem::Kind::fail) {
      failure_ = item;
      return failed(used, frames);
    }
    (control ? release_control_ : release_message_) = true;
    return {item, used, frames};
  }
}

bool WsReader::take_header(std::span<const char> in, std::size_t& used) {
  for (;;) {
    const std::size_t need = header_bytes_ < 2 ? 2 : header_size(header_);
    if (header_bytes_ == need) return true;
    if (used == in.size()) return false;
    header_[header_bytes_++] = static_cast<unsigned char>(in[used++]);
    // The first two bytes break most rules: refused before waiting for more.
    if (header_bytes_ == 2 && !check_start()) return false;
  }
}

bool WsReader::check_start() {
  const auto* h = header_;
  fin_ = (h[0] & 0x80) != 0;
  opcode_ = h[0] & 0x0f;
  if ((h[0] & 0x70) != 0) return refuse(1002, "reserved bits set");
  if ((h[1] & 0x80) == 0) return refuse(1002, "client frames must be masked");
  switch (opcode_) {
    case kClose:
    case kPing:
    case kPong:
      if (!fin_) return refuse(1002, "control frames cannot be fragmented");
      if ((h[1] & 0x7f) > 125) return refuse(1002, "control frame over 125 bytes");
      return true;
    case kContinuation:
      if (message_op_ == 0) return refuse(1002, "continuation outside a fragmented message");
      return true;
    case kText:
    case kBinary:
      if (message_op_ != 0) return refuse(1002, "new message inside a fragmented one");
      message_op_ = opcode_;
      return true;
    default:
      return refuse(1002, "unknown opcode");
  }
}

bool WsReader::refuse(std::uint16_t code, std::string_view why) {
  failure_ = fail(code, why);
  return false;
}

void WsReader::check_length() {
  const auto* h = header_;
  std::uint64_t length = h[1] & 0x7f;
  std::size_t at = 2;
  if (length >= 126) {
    const std::size_t bytes = length == 126 ? 2 : 8;
    length = 0;
    for (std::size_t i = 0; i < bytes; ++i) length = (length << 8) | h[at + i];
    at += bytes;
    if (length >> 63) return void(refuse(1002, "frame length out of range"));
    if (length < (bytes == 2 ? 126u : 0x10000u))
      return void(refuse(1002, "frame length not in its shortest form"));
  }
  std::memcpy(mask_, h + at, sizeof mask_);
  if (opcode_ < kClose && length > max_message_ - message_.size())
    return void(refuse(1009, "message too big"));
  remaining_ = length;
  read_ = 0;
}

WsItem WsReader::complete_frame(std::string_view payload) {
  switch (opcode_) {
    case kPing:
      return {WsItem::Kind::ping, payload};
    case kPong:
      return {WsItem::Kind::pong, payload};
    case kClose: {
      if (payload.empty()) return {WsItem::Kind::close, {}, kNoCloseCode};
      if (payload.size() == 1) return fail(1002, "close frame with a one-byte payload");
      const auto code = static_cast<std::uint16_t>(static_cast<unsigned char>(payload[0]) << 8 |
                                                   static_cast<unsigned char>(payload[1]));
      if (!valid_close_code(code)) return fail(1002, "close code a peer may not send");
      const auto reason = payload.substr(2);
      if (!utf8_length(reason)) return fail(1007, "close reason is not UTF-8");
      return {WsItem::Kind::close, reason, code};
    }
    default: {
      const auto op = std::exchange(message_op_, 0);
      if (op == kText && !utf8_length(payload)) return fail(1007, "text message is not UTF-8");
      return {op == kText ? WsItem::Kind::text : WsItem::Kind::binary, payload};
    }
  }
}

}  // namespace panelwire::core
