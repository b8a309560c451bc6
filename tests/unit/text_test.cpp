// UTF-8 counting and identifier checks: what the server accepts as text.

#include <gtest/gtest.h>

#include <string>

#include "text.h"

namespace panelwire::core {
namespace {

TEST(Utf8Length, CountsCodePointsNotBytes) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("hello"), 5u);
  EXPECT_EQ(utf8_length("h\xc3\xa9llo"), 5u);          // é: 2 bytes
  EXPECT_EQ(utf8_length("\xe2\x82\xac"), 1u);          // €: 3 bytes
  EXPECT_EQ(utf8_length("\xf0\x9f\x98\x80"), 1u);      // 😀: 4 bytes
  EXPECT_EQ(utf8_length("\xf4\x8f\xbf\xbf"), 1u);      // U+10FFFF, the last
  EXPECT_EQ(utf8_length(std::string("a\0b", 3)), 3u);  // NUL is a code point
}

TEST(Utf8Length, EachEncodingLengthAtBothEndsOfItsRange) {
  // The first and last code point of every length: the overlong checks
  // must not reject the smallest legal value of a length.
  EXPECT_EQ(utf8_length("\x7f"), 1u);              // U+007F, last 1-byte
  EXPECT_EQ(utf8_length("\xc2\x80"), 1u);          // U+0080, first 2-byte
  EXPECT_EQ(utf8_length("\xdf\xbf"), 1u);          // U+07FF, last 2-byte
  EXPECT_EQ(utf8_length("\xe0\xa0\x80"), 1u);      // U+0800, first 3-byte
  EXPECT_EQ(utf8_length("\xef\xbf\xbf"), 1u);      // U+FFFF, last 3-byte
  EXPECT_EQ(utf8_length("\xf0\x90\x80\x80"), 1u);  // U+10000, first 4-byte
}

TEST(Utf8Length, CodePointsNextToTheSurrogatesAreFine) {
  EXPECT_EQ(utf8_length("\xed\x9f\xbf"), 1u);  // U+D7FF
  EXPECT_EQ(utf8_length("\xee\x80\x80"), 1u);  // U+E000
  EXPECT_EQ(utf8_length("\xef\xbb\xbf"), 1u) << "a BOM is an ordinary character";
}

TEST(Utf8Length, MixedTextCountsEveryCharacterOnce) {
  // a é € 😀 b: five characters in 1+2+3+4+1 = 11 bytes.
  const std::string s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
  ASSERT_EQ(s.size(), 11u);
  EXPECT_EQ(utf8_length(s), 5u);
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "\xf0\x9f\x98\x80";
  EXPECT_EQ(utf8_length(many), 1000u);
}

TEST(Utf8Length, RejectsEveryMalformedForm) {
  for (std::string bad : {
           std::string("\x80"),              // lone continuation
           std::string("\xc3"),              // truncated 2-byte
           std::string("\xe2\x82"),          // truncated 3-byte
           std::string("\xf0\x9f\x98"),      // truncated 4-byte
           std::string("\xc0\xaf"),          // overlong '/'
           std::string("\xe0\x80\xaf"),      // overlong 3-byte
           std::string("\xf0\x80\x80\xaf"),  // overlong 4-byte
           std::string("\xed\xa0\x80"),      // UTF-16 surrogate U+D800
           std::string("\xed\xbf\xbf"),      // surrogate U+DFFF
           std::string("\xf4\x90\x80\x80"),  // past U+10FFFF
           std::string("\xff"),
           std::string("ok\xc3("),  // bad continuation after good text
       })
    EXPECT_FALSE(utf8_length(bad).has_value()) << testing::PrintToString(bad);
}

TEST(Utf8Length, RejectsOverlongFormsAtTheirLargestValue) {
  // The largest value each length could carry overlong: one below the
  // first legal value of the next length.
  EXPECT_FALSE(utf8_length("\xc1\xbf").has_value());          // U+007F in 2 bytes
  EXPECT_FALSE(utf8_length("\xe0\x9f\xbf").has_value());      // U+07FF in 3 bytes
  EXPECT_FALSE(utf8_length("\xf0\x8f\xbf\xbf").has_value());  // U+FFFF in 4 bytes
  EXPECT_FALSE(utf8_length("\xc0\x80").has_value()) << "modified UTF-8's NUL";
}

TEST(Utf8Length, RejectsLeadBytesThatCannotStartACharacter) {
  for (int lead : {0xf5, 0xf6, 0xf7, 0xf8, 0xfb, 0xfc, 0xfd, 0xfe, 0xff}) {
    std::string s(1, static_cast<char>(lead));
    s += "\x80\x80\x80";
    EXPECT_FALSE(utf8_length(s).has_value()) << std::hex << lead;
  }
  // Every continuation byte on its own.
  for (int c = 0x80; c <= 0xbf; ++c)
    EXPECT_FALSE(utf8_length(std::string(1, static_cast<char>(c))).has_value()) << c;
}

TEST(Utf8Length, RejectsATruncatedSequenceWhereverItIs) {
  // Cut short by ASCII in the middle of the text, not only at the end.
  EXPECT_FALSE(utf8_length("\xe2\x82"
                           "a")
                   .has_value());
  EXPECT_FALSE(utf8_length("\xf0\x9f\x98"
                           "abc")
                   .has_value());
  EXPECT_FALSE(utf8_length("\xc3\xc3\xa9").has_value()) << "a lead byte is not a continuation";
  EXPECT_FALSE(utf8_length("abc\xf0\x9f").has_value());
  // An encoded surrogate pair (CESU-8) is two surrogates, not one emoji.
  EXPECT_FALSE(utf8_length("\xed\xa0\xbd\xed\xb8\x80").has_value());
}

TEST(PanelId, AllowsOnlyUrlAndKeySafeCharacters) {
  EXPECT_TRUE(valid_panel_id("a"));
  EXPECT_TRUE(valid_panel_id("expert-panel_2026.11"));
  EXPECT_TRUE(valid_panel_id(std::string(64, 'x')));
  EXPECT_FALSE(valid_panel_id(""));
  EXPECT_FALSE(valid_panel_id(std::string(65, 'x')));
  for (auto bad : {"a b", "a/b", "a{b}", "a:b", "caf\xc3\xa9", "a\nb"})
    EXPECT_FALSE(valid_panel_id(bad)) << bad;
}

TEST(PanelId, EveryAllowedCharacterAndItsNeighbours) {
  for (auto ok : {"0", "9", "A", "Z", "a", "z", ".", "_", "-", "..", "-_-"})
    EXPECT_TRUE(valid_panel_id(ok)) << ok;
  // The ASCII neighbours of each allowed range.
  for (auto bad : {"/", ":", "@", "[", "`", "{", ",", "^", "+", "%", "~"})
    EXPECT_FALSE(valid_panel_id(bad)) << bad;
  EXPECT_FALSE(valid_panel_id(std::string("a\0b", 3))) << "NUL cannot hide in an id";
  EXPECT_FALSE(valid_panel_id(std::string(63, 'x') + "/"));
}

TEST(TokenId, VisibleAsciiWithinTheLimit) {
  EXPECT_TRUE(valid_token_id("c1"));
  EXPECT_TRUE(valid_token_id("hello-1:{x}~"));
  EXPECT_FALSE(valid_token_id("with space"));
  EXPECT_TRUE(valid_token_id(std::string(64, 'x')));
  EXPECT_FALSE(valid_token_id(std::string(65, 'x')));
  EXPECT_TRUE(valid_token_id(std::string(10, 'x'), 10));
  EXPECT_FALSE(valid_token_id(std::string(11, 'x'), 10));
  EXPECT_FALSE(valid_token_id(""));
  EXPECT_FALSE(valid_token_id("tab\there"));
  EXPECT_FALSE(valid_token_id("\x7f"));
  EXPECT_FALSE(valid_token_id("\xc3\xa9"));
}

TEST(TokenId, TheEdgesOfVisibleAscii) {
  EXPECT_TRUE(valid_token_id("!")) << "0x21, the first visible character";
  EXPECT_TRUE(valid_token_id("~")) << "0x7E, the last";
  EXPECT_FALSE(valid_token_id(" "));
  EXPECT_FALSE(valid_token_id(std::string("a\0", 2)));
  EXPECT_FALSE(
      valid_token_id("a\x1f"
                     "b"))
      << "the dedup key separator is not allowed";
  EXPECT_FALSE(valid_token_id("\x80"));
  EXPECT_FALSE(valid_token_id("\xff"));
  // The limit counts bytes, and a limit of 0 admits nothing.
  EXPECT_FALSE(valid_token_id("a", 0));
  EXPECT_TRUE(valid_token_id("a", 1));
}

}  // namespace
}  // namespace panelwire::core
