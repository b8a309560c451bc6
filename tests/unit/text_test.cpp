// UTF-8 counting and identifier checks: what the server accepts as text.

#include <gtest/gtest.h>

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

TEST(PanelId, AllowsOnlyUrlAndKeySafeCharacters) {
  EXPECT_TRUE(valid_panel_id("a"));
  EXPECT_TRUE(valid_panel_id("expert-panel_2026.11"));
  EXPECT_TRUE(valid_panel_id(std::string(64, 'x')));
  EXPECT_FALSE(valid_panel_id(""));
  EXPECT_FALSE(valid_panel_id(std::string(65, 'x')));
  for (auto bad : {"a b", "a/b", "a{b}", "a:b", "caf\xc3\xa9", "a\nb"})
    EXPECT_FALSE(valid_panel_id(bad)) << bad;
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

}  // namespace
}  // namespace panelwire::core
