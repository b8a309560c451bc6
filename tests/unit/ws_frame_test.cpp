// Server data frames built once: the header RFC 6455 section 5.2 asks for
// at each length boundary, and the payload back out of it.

#include <gtest/gtest.h>

#include <string>

#include "ws_frame.h"

namespace panelwire::core {
namespace {

TEST(WsFrame, ShortPayloadsHaveATwoByteHeader) {
  for (std::size_t n : {0u, 1u, 125u}) {
    auto f = frame_message(std::string(n, 'a'), false);
    ASSERT_EQ(f.size(), n + 2);
    EXPECT_EQ(static_cast<unsigned char>(f[0]), 0x82) << "FIN, binary";
    EXPECT_EQ(static_cast<unsigned char>(f[1]), n) << "unmasked, 7-bit length";
    EXPECT_EQ(frame_payload(f), std::string(n, 'a'));
  }
}

TEST(WsFrame, TextFramesUseOpcodeOne) {
  auto f = frame_message("{}", true);
  EXPECT_EQ(static_cast<unsigned char>(f[0]), 0x81);
  EXPECT_EQ(frame_payload(f), "{}");
}

TEST(WsFrame, MediumPayloadsCarryASixteenBitLength) {
  for (std::size_t n : {126u, 127u, 300u, 65535u}) {
    auto f = frame_message(std::string(n, 'b'), true);
    ASSERT_EQ(f.size(), n + 4);
    EXPECT_EQ(static_cast<unsigned char>(f[1]), 126);
    EXPECT_EQ((static_cast<unsigned char>(f[2]) << 8) | static_cast<unsigned char>(f[3]), n)
        << "network byte order";
    EXPECT_EQ(frame_payload(f).size(), n);
  }
}

TEST(WsFrame, LongPayloadsCarryASixtyFourBitLength) {
  const std::size_t n = 65536 + 7;
  auto f = frame_message(std::string(n, 'c'), false);
  ASSERT_EQ(f.size(), n + 10);
  EXPECT_EQ(static_cast<unsigned char>(f[1]), 127);
  std::size_t length = 0;
  for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<unsigned char>(f[i]);
  EXPECT_EQ(length, n);
  EXPECT_EQ(static_cast<unsigned char>(f[2]), 0) << "the most significant bit stays clear";
  EXPECT_EQ(frame_payload(f).size(), n);
}

TEST(WsFrame, HeaderSizesAtEachBoundary) {
  EXPECT_EQ(frame_header_size(125), 2u);
  EXPECT_EQ(frame_header_size(126), 4u);
  EXPECT_EQ(frame_header_size(65535), 4u);
  EXPECT_EQ(frame_header_size(65536), 10u);
  EXPECT_LE(frame_header_size(~std::size_t{0}), kMaxFrameHeader);
}

TEST(WsFrame, BytesThatAreNotOneWholeFrameHaveNoPayload) {
  auto f = frame_message("hello", true);
  EXPECT_EQ(frame_payload(f.substr(0, f.size() - 1)), "") << "cut short";
  EXPECT_EQ(frame_payload(f + "x"), "") << "trailing bytes";
  std::string masked = f;
  masked[1] = static_cast<char>(masked[1] | 0x80);
  EXPECT_EQ(frame_payload(masked), "") << "a server frame is never masked";
  EXPECT_EQ(frame_payload(""), "");
  EXPECT_EQ(frame_payload(std::string("\x82\x7e\x00", 3)), "") << "length cut short";
}

TEST(WsFrame, ControlFramesCarryTheirOpcodeAndAtMost125Bytes) {
  EXPECT_EQ(ping_frame(), std::string("\x89\x00", 2));
  EXPECT_EQ(pong_frame("abc"), std::string("\x8a\x03"
                                           "abc",
                                           5));
  EXPECT_EQ(pong_frame(std::string(200, 'p')).size(), 2u + 125u) << "cut to 125 bytes";
}

TEST(WsFrame, ACloseFrameCarriesItsCodeAndAReasonCutAtACharacter) {
  EXPECT_EQ(close_frame(1008, "too many frames"), std::string("\x88\x11\x03\xf0"
                                                              "too many frames",
                                                              19));
  EXPECT_EQ(close_frame(kNoCloseCode, "ignored"), std::string("\x88\x00", 2))
      << "1005 is never sent: no payload instead";
  // 122 ASCII bytes, then a 2-byte character that would end past byte 123.
  auto frame = close_frame(1000, std::string(122, 'a') + "\xc3\xa9");
  EXPECT_EQ(frame.size(), 2u + 2u + 122u) << "the character is left out whole";
  EXPECT_LE(frame.size(), 2u + 125u);
}

}  // namespace
}  // namespace panelwire::core
