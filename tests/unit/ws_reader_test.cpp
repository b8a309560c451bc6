// Client frames read as they come (RFC 6455 section 5): every rule a
// hostile client could break is refused with its close code, and the same
// bytes give the same items however the socket splits them.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ws_frame.h"
#include "ws_reader.h"

namespace panelwire::core {
namespace {

using Kind = WsItem::Kind;

struct FrameSpec {
  std::uint8_t opcode = 0x1;
  bool fin = true;
  bool masked = true;
  std::uint8_t rsv = 0;
  // Forces the 16- or 64-bit length form (2 or 8) for a short payload.
  int length_bytes = 0;
};

// A frame as a client sends it: masked with a fixed key.
std::string client_frame(std::string_view payload, FrameSpec spec = {}) {
  std::string f;
  f += static_cast<char>((spec.fin ? 0x80 : 0) | (spec.rsv << 4) | spec.opcode);
  const char mask_bit = spec.masked ? static_cast<char>(0x80) : 0;
  int length_bytes = spec.length_bytes;
  if (length_bytes == 0) length_bytes = payload.size() < 126 ? 0 : payload.size() <= 0xffff ? 2 : 8;
  if (length_bytes == 0) {
    f += static_cast<char>(mask_bit | static_cast<char>(payload.size()));
  } else {
    f += static_cast<char>(mask_bit | (length_bytes == 2 ? 126 : 127));
    for (int i = length_bytes - 1; i >= 0; --i)
      f += static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> (8 * i)) & 0xff);
  }
  const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
  if (spec.masked) f.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f += spec.masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  return f;
}

std::string close_payload(std::uint16_t code, std::string_view reason = "") {
  std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  return p + std::string(reason);
}

struct Got {
  Kind kind;
  std::string payload;
  std::uint16_t code;
  bool operator==(const Got&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Got& g) {
  return os << "{kind " << static_cast<int>(g.kind) << ", \"" << g.payload << "\", " << g.code
            << "}";
}

// Every item from `wire`, fed `piece` bytes at a time; stops at a failure.
std::vector<Got> read_all(std::string wire, std::size_t piece, std::size_t max = 1 << 20) {
  WsReader r(max);
  std::vector<Got> got;
  std::size_t at = 0;
  while (at < wire.size()) {
    const auto end = std::min(wire.size(), at + piece);
    std::span<char> in(wire.data() + at, end - at);
    while (!in.empty()) {
      auto step = r.read(in);
      in = in.subspan(step.used);
      if (step.item.kind != Kind::none)
        got.push_back({step.item.kind, std::string(step.item.payload), step.item.code});
      if (step.item.kind == Kind::fail) return got;
    }
    at = end;
  }
  return got;
}

Got refused(const std::string& wire, std::size_t max = 1 << 20) {
  auto got = read_all(wire, wire.size(), max);
  if (got.empty()) return {Kind::none, "", 0};
  return got.back();
}

TEST(WsReader, AMaskedTextFrameComesBackUnmaskedAndWhole) {
  auto got = read_all(client_frame("{\"hello\":{}}"), 1000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], (Got{Kind::text, "{\"hello\":{}}", 0}));
}

TEST(WsReader, AWholeFrameIsReturnedWhereItLies) {
  auto wire = client_frame(std::string(300, 'x'), {.opcode = 0x2});
  WsReader r(1 << 20);
  auto step = r.read(wire);
  ASSERT_EQ(step.item.kind, Kind::binary);
  EXPECT_EQ(step.used, wire.size());
  EXPECT_EQ(step.item.payload.data(), wire.data() + 8) << "no copy: unmasked in place";
  EXPECT_EQ(step.item.payload, std::string(300, 'x'));
}

TEST(WsReader, TheSameBytesGiveTheSameItemsHoweverSplit) {
  std::string wire = client_frame("first") + client_frame("ping!", {.opcode = 0x9}) +
                     client_frame("frag", {.opcode = 0x2, .fin = false}) +
                     client_frame("", {.opcode = 0x0, .fin = false}) +
                     client_frame("pong", {.opcode = 0xa}) +
                     client_frame("mented", {.opcode = 0x0}) +
                     client_frame(std::string(70'000, 'L'), {.opcode = 0x2}) + client_frame("") +
                     client_frame(close_payload(1000, "bye"), {.opcode = 0x8});
  const std::vector<Got> want = {{Kind::text, "first", 0},
                                 {Kind::ping, "ping!", 0},
                                 {Kind::pong, "pong", 0},
                                 {Kind::binary, "fragmented", 0},
                                 {Kind::binary, std::string(70'000, 'L'), 0},
                                 {Kind::text, "", 0},
                                 {Kind::close, "bye", 1000}};
  for (std::size_t piece : {wire.size(), std::size_t{1}, std::size_t{2}, std::size_t{3},
                            std::size_t{7}, std::size_t{13}, std::size_t{4096}})
    EXPECT_EQ(read_all(wire, piece), want) << "fed " << piece << " bytes at a time";
}

TEST(WsReader, ACharacterSplitAcrossFragmentsIsValidText) {
  // U+00E9 as C3 A9, one byte in each fragment.
  auto wire = client_frame("caf\xc3", {.opcode = 0x1, .fin = false}) +
              client_frame("\xa9", {.opcode = 0x0});
  auto got = read_all(wire, wire.size());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], (Got{Kind::text, "caf\xc3\xa9", 0}));
}

TEST(WsReader, BinaryIsNotCheckedAsText) {
  auto got = read_all(client_frame("\xff\xfe", {.opcode = 0x2}), 100);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, Kind::binary);
}

TEST(WsReader, ACloseWithNoPayloadHasNoCode) {
  auto got = read_all(client_frame("", {.opcode = 0x8}), 100);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], (Got{Kind::close, "", kNoCloseCode}));
}

TEST(WsReader, EveryBrokenRuleIsRefusedWithItsCode) {
  struct Case {
    const char* what;
    std::string wire;
    std::uint16_t code;
  };
  const std::vector<Case> cases = {
      {"unmasked", client_frame("hi", {.masked = false}), 1002},
      {"reserved bit", client_frame("hi", {.rsv = 4}), 1002},
      {"reserved opcode 3", client_frame("hi", {.opcode = 0x3}), 1002},
      {"reserved control opcode 0xB", client_frame("", {.opcode = 0xb}), 1002},
      {"fragmented ping", client_frame("p", {.opcode = 0x9, .fin = false}), 1002},
      {"control over 125 bytes", client_frame(std::string(126, 'p'), {.opcode = 0x9}), 1002},
      {"continuation first", client_frame("x", {.opcode = 0x0}), 1002},
      {"new message inside a fragmented one", client_frame("a", {.fin = false}) + client_frame("b"),
       1002},
      {"16-bit length for a short payload", client_frame("short", {.length_bytes = 2}), 1002},
      {"64-bit length for a 16-bit payload",
       client_frame(std::string(200, 'a'), {.length_bytes = 8}), 1002},
      {"64-bit length with its top bit", std::string("\x82\xff\x80\0\0\0\0\0\0\0\1\2\3\4", 14),
       1002},
      {"text that is not UTF-8", client_frame("caf\xc3("), 1007},
      {"overlong UTF-8", client_frame("\xc0\xaf"), 1007},
      {"a surrogate", client_frame("\xed\xa0\x80"), 1007},
      {"text ending in half a character",
       client_frame("caf\xc3", {.fin = false}) + client_frame("", {.opcode = 0x0}), 1007},
      {"one-byte close", client_frame("\x03", {.opcode = 0x8}), 1002},
      {"close code 1005", client_frame(close_payload(1005), {.opcode = 0x8}), 1002},
      {"close code 1006", client_frame(close_payload(1006), {.opcode = 0x8}), 1002},
      {"close code 999", client_frame(close_payload(999), {.opcode = 0x8}), 1002},
      {"close code 2000", client_frame(close_payload(2000), {.opcode = 0x8}), 1002},
      {"close code 5000", client_frame(close_payload(5000), {.opcode = 0x8}), 1002},
      {"close code 1004", client_frame(close_payload(1004), {.opcode = 0x8}), 1002},
      {"close code 1015", client_frame(close_payload(1015), {.opcode = 0x8}), 1002},
      {"close code 1016", client_frame(close_payload(1016), {.opcode = 0x8}), 1002},
      {"close code 2999", client_frame(close_payload(2999), {.opcode = 0x8}), 1002},
      {"a 2^40-byte message", std::string("\x82\xff\0\0\x01\0\0\0\0\0\1\2\3\4", 14), 1009},
      {"close reason not UTF-8", client_frame(close_payload(1000, "\xff"), {.opcode = 0x8}), 1007},
  };
  for (const auto& c : cases) {
    auto got = refused(c.wire);
    EXPECT_EQ(got.kind, Kind::fail) << c.what;
    EXPECT_EQ(got.code, c.code) << c.what << ": " << got.payload;
    EXPECT_FALSE(got.payload.empty()) << c.what << ": a reason for the close frame";
  }
}

TEST(WsReader, TheCloseCodesAPeerMaySendAreTaken) {
  for (std::uint16_t code :
       {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999}) {
    auto got = refused(client_frame(close_payload(code), {.opcode = 0x8}));
    EXPECT_EQ(got, (Got{Kind::close, "", code}));
  }
}

TEST(WsReader, EveryFrameIsCountedFragmentsToo) {
  WsReader r(1000);
  auto wire = client_frame("a", {.fin = false}) + client_frame("", {.opcode = 0x0, .fin = false}) +
              client_frame("p", {.opcode = 0x9}) + client_frame("b", {.opcode = 0x0});
  auto first = r.read(wire);
  EXPECT_EQ(first.item.kind, Kind::ping);
  EXPECT_EQ(first.frames, 3u) << "two fragments and the ping";
  auto rest = r.read(std::span<char>(wire).subspan(first.used));
  EXPECT_EQ(rest.item.kind, Kind::text);
  EXPECT_EQ(rest.frames, 1u);
}

TEST(WsReader, AMessageUpToTheLimitIsReadAndOnePastItIsRefusedByItsHeader) {
  EXPECT_EQ(refused(client_frame(std::string(1000, 'a')), 1000).kind, Kind::text);
  // Only the header is fed: refused before any of its payload arrives.
  auto past = client_frame(std::string(1001, 'a'));
  EXPECT_EQ(refused(past.substr(0, 8), 1000), (Got{Kind::fail, "message too big", 1009}));
}

TEST(WsReader, FragmentsCountTowardTheLimitTogether) {
  auto wire = client_frame(std::string(600, 'a'), {.fin = false}) +
              client_frame(std::string(401, 'b'), {.opcode = 0x0});
  EXPECT_EQ(refused(wire, 1000).code, 1009);
  auto fits = client_frame(std::string(600, 'a'), {.fin = false}) +
              client_frame(std::string(400, 'b'), {.opcode = 0x0});
  EXPECT_EQ(refused(fits, 1000).kind, Kind::text);
}

TEST(WsReader, AFailureStaysAndTakesNothingMore) {
  WsReader r(1000);
  auto bad = client_frame("x", {.masked = false});
  ASSERT_EQ(r.read(bad).item.kind, Kind::fail);
  auto good = client_frame("fine");
  auto step = r.read(good);
  EXPECT_EQ(step.item.kind, Kind::fail);
  EXPECT_EQ(step.used, 0u);
}

TEST(WsReader, BetweenMessagesOnlyWhenNothingIsHeld) {
  WsReader r(1000);
  EXPECT_TRUE(r.between_messages());
  auto first = client_frame("a", {.fin = false});
  r.read(first);
  EXPECT_FALSE(r.between_messages()) << "a fragmented message is open";
  auto half = client_frame("bc", {.opcode = 0x0}).substr(0, 3);
  r.read(half);
  EXPECT_FALSE(r.between_messages());
}

}  // namespace
}  // namespace panelwire::core
