// Display names: every kind of character cleanup removes or keeps, the
// bounds, and the refusals.

#include <gtest/gtest.h>

#include "test_support.h"

#include "display_name.h"

namespace panelwire::core {
namespace {

using testing_support::ok;

std::string cleaned(std::string_view raw) {
  return ok(clean_display_name(raw));
}

void expect_refused(std::string_view raw, std::string_view why) {
  auto r = clean_display_name(raw);
  ASSERT_FALSE(r.has_value()) << raw;
  EXPECT_EQ(r.error().code, v1::INVALID_ARGUMENT);
  EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.rfind("display_name ", 0), 0u) << r.error().message;
}

TEST(DisplayName, OrdinaryNamesPassUnchanged) {
  for (auto name : {"Ann", "Dr. Jackie Wheeler", "José Müller-Lüdenscheidt", "李小龍", "Анна",
                    "محمد", "अनुष्का", "O'Brien", "Ann 🙂", "x"})
    EXPECT_EQ(cleaned(name), name);
}

TEST(DisplayName, ControlCharactersGoAndLineBreaksBecomeSpaces) {
  EXPECT_EQ(cleaned("Ann\x01\x02\x1b[31mLee"), "Ann[31mLee") << "C0 controls, ESC included";
  EXPECT_EQ(cleaned("Ann\x7f"), "Ann") << "DEL";
  EXPECT_EQ(cleaned("Ann\u0080\u009bLee"), "AnnLee") << "C1 controls";
  EXPECT_EQ(cleaned("Ann\nLee"), "Ann Lee");
  EXPECT_EQ(cleaned("Ann\tLee\r\n"), "Ann Lee");
  EXPECT_EQ(cleaned("Ann\u0085Lee\u2028X\u2029"), "Ann Lee X")
      << "NEL, line and paragraph separators";
}

TEST(DisplayName, BidiControlsGo) {
  // Each explicit embedding, override, isolate and mark.
  for (auto c : {"\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068",
                 "\u2069", "\u200E", "\u200F", "\u061C"})
    EXPECT_EQ(cleaned(std::string("Ann") + c + "Lee"), "AnnLee") << c;
  EXPECT_EQ(cleaned("\u202Erotaredom"), "rotaredom") << "the override that shows it reversed";
}

TEST(DisplayName, ZeroWidthAndInvisibleCharactersGo) {
  for (auto c : {"\u200B", "\u200C", "\u200D",     "\u2060",     "\u2061",     "\u2062",
                 "\u2063", "\u2064", "\uFEFF",     "\u180E",     "\u00AD",     "\u034F",
                 "\uFE0F", "\uFE00", "\U000E0100", "\U000E0001", "\U000E0041", "\U000E007F",
                 "\u3164", "\u115F", "\uFFA0",     "\U0001D173", "\u17B4"})
    EXPECT_EQ(cleaned(std::string("Mod") + c + "erator"), "Moderator") << c;
  expect_refused("\u200B\u200D\uFEFF", "no visible characters");
  expect_refused("\u3164", "no visible characters");  // the Hangul filler looks blank
}

TEST(DisplayName, PrivateUseUnassignedAndNoncharactersGo) {
  EXPECT_EQ(cleaned("Ann\uE000\U000F0000Lee"), "AnnLee");
  EXPECT_EQ(cleaned("Ann\U0003FFFELee\uFDD0"), "AnnLee");
  EXPECT_EQ(cleaned("Ann\u0378Lee"), "AnnLee") << "unassigned";
}

TEST(DisplayName, WhitespaceRunsCollapseAndTheEndsAreTrimmed) {
  EXPECT_EQ(cleaned("  Ann   Lee  "), "Ann Lee");
  EXPECT_EQ(cleaned("Ann\u00A0\u2003\u3000Lee"), "Ann Lee") << "every Unicode space";
  EXPECT_EQ(cleaned("Ann \u200B Lee"), "Ann Lee") << "a dropped character between spaces";
  EXPECT_EQ(cleaned("\u2800Ann\u2800\u2800Lee\u2800"), "Ann Lee") << "braille blank";
  expect_refused("   \t\n ", "no visible characters");
  expect_refused("", "no visible characters");
}

TEST(DisplayName, CombiningMarksAreBoundedAndNeedABase) {
  EXPECT_EQ(cleaned("Zoe\u0308"), "Zoë") << "NFC";
  EXPECT_EQ(cleaned("Ann\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301"),
            "An\u0144\u0301\u0301\u0301")
      << "a tower of accents is cut at four";
  EXPECT_EQ(cleaned("\u0301\u0301Ann"), "Ann") << "marks without a base";
  EXPECT_EQ(cleaned("Ann \u0301Lee"), "Ann Lee");
  EXPECT_EQ(cleaned("Tiê\u0301n"), "Tiến") << "Vietnamese keeps its two marks";
}

TEST(DisplayName, JoinersStayOnlyWhereTheyRender) {
  const std::string family = "\U0001F468\u200D\U0001F469\u200D\U0001F467";
  EXPECT_EQ(cleaned("Ann " + family), "Ann " + family) << "an emoji ZWJ sequence";
  EXPECT_EQ(cleaned("\U0001F469\U0001F3FD\u200D\U0001F4BB"), "\U0001F469\U0001F3FD\u200D\U0001F4BB")
      << "after a skin tone";
  EXPECT_EQ(cleaned("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647"),
            "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647")
      << "ZWNJ between joining Persian letters";
  EXPECT_EQ(cleaned("\u0915\u094D\u200D\u0937"), "\u0915\u094D\u200D\u0937") << "after a virama";
  EXPECT_EQ(cleaned("A\u200D\u200DB\u200C"), "AB") << "between Latin letters, doubled, at the end";
  EXPECT_EQ(cleaned("\u200D\U0001F469"), "\U0001F469") << "at the start";
}

TEST(DisplayName, BoundedInCharactersAfterCleanupAndInBytesBefore) {
  EXPECT_EQ(cleaned(std::string(64, 'a')), std::string(64, 'a'));
  expect_refused(std::string(65, 'a'), "65 characters after cleanup, limit is 64");
  std::string padded = std::string(64, 'a');
  for (int i = 0; i < 20; ++i) padded += "\u200B";
  EXPECT_EQ(cleaned(padded), std::string(64, 'a')) << "invisible padding does not count";
  std::string cjk;
  for (int i = 0; i < 64; ++i) cjk += "語";
  EXPECT_EQ(cleaned(cjk), cjk) << "64 characters of 3 bytes";
  expect_refused(std::string(1025, ' ') + "Ann", "longer than 1024 bytes");
  EXPECT_EQ(cleaned(std::string(1000, ' ') + "Ann"), "Ann");
}

TEST(DisplayName, InvalidUtf8IsRefused) {
  expect_refused("Ann\xff", "not valid UTF-8");
  expect_refused("\xc0\xaf", "not valid UTF-8");      // overlong
  expect_refused("\xed\xa0\x80", "not valid UTF-8");  // a surrogate
}

TEST(DisplayName, TidyAloneIsUnbounded) {
  EXPECT_EQ(tidy_display_name("\u200B"), "");
  EXPECT_EQ(tidy_display_name(std::string(100, 'a')), std::string(100, 'a'));
  EXPECT_EQ(tidy_display_name(" Mo\u202E "), "Mo");
}

}  // namespace
}  // namespace panelwire::core
