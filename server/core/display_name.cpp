#include "display_name.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <vector>

#include "text.h"

namespace panelwire::core {

namespace {

constexpr UChar32 kSpace = 0x20, kZwnj = 0x200C, kZwj = 0x200D, kBrailleBlank = 0x2800;

enum class Kind { keep, space, drop, joiner, mark };

Kind classify(UChar32 c) {
  // Tab, line breaks, NEL and every Unicode space (before the control check:
  // "Ann\nLee" is two words, not "AnnLee").
  if (u_isUWhiteSpace(c) || c == kBrailleBlank) return Kind::space;
  if (c == kZwj || c == kZwnj) return Kind::joiner;
  switch (u_charType(c)) {
    case U_CONTROL_CHAR:  // C0, DEL, C1
    case U_FORMAT_CHAR:   // bidi controls and marks, ZWSP, BOM, tags, ...
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE:
    case U_UNASSIGNED:  // noncharacters too
      return Kind::drop;
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
      // Variation selectors are marks and default-ignorable: dropped.
      return u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ? Kind::drop : Kind::mark;
    default:
      // Hangul fillers, Mongolian free variation selectors, ...
      return u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ? Kind::drop : Kind::keep;
  }
}

bool is_emoji(UChar32 c) {
  return u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
         u_hasBinaryProperty(c, UCHAR_EMOJI_MODIFIER);
}

int joining_type(UChar32 c) {
  return u_getIntPropertyValue(c, UCHAR_JOINING_TYPE);
}

// The joining type next to position i, skipping transparent characters
// (marks between the letters), in direction step (-1 or +1).
int joining_beside(const std::vector<UChar32>& cps, std::size_t i, int step) {
  for (auto k = static_cast<std::ptrdiff_t>(i) + step;
       k >= 0 && k < static_cast<std::ptrdiff_t>(cps.size()); k += step) {
    auto jt = joining_type(cps[static_cast<std::size_t>(k)]);
    if (jt != U_JT_TRANSPARENT) return jt;
  }
  return U_JT_NON_JOINING;
}

// Where ZWJ/ZWNJ change how text renders (the contexts of RFC 5892's
// CONTEXTJ rules, plus emoji ZWJ sequences), and so are kept.
bool joiner_renders(const std::vector<UChar32>& cps, std::size_t i) {
  if (i == 0 || i + 1 >= cps.size()) return false;
  const auto prev = cps[i - 1], next = cps[i + 1];
  if (prev == kSpace || prev == kZwj || prev == kZwnj) return false;
  if (u_getCombiningClass(prev) == 9) return true;  // after a virama
  if (cps[i] == kZwj) return is_emoji(prev) && is_emoji(next);
  auto before = joining_beside(cps, i, -1), after = joining_beside(cps, i, +1);
  return (before == U_JT_LEFT_JOINING || before == U_JT_DUAL_JOINING) &&
         (after == U_JT_RIGHT_JOINING || after == U_JT_DUAL_JOINING);
}

Failure bad(const std::string& why) {
  return fail(v1::INVALID_ARGUMENT, "display_name " + why);
}

// The cleaned name as UTF-16, and its length in code points.
icu::UnicodeString tidy(std::string_view raw, std::size_t& chars) {
  // What stays, spaces still uncollapsed, marks bounded.
  std::vector<UChar32> cps;
  std::size_t marks = 0;
  bool base = false;  // a character the next mark can sit on
  for (std::int32_t i = 0, n = static_cast<std::int32_t>(raw.size()); i < n;) {
    UChar32 c;
    U8_NEXT(raw.data(), i, n, c);
    switch (classify(c)) {
      case Kind::space:
        cps.push_back(kSpace);
        base = false;
        break;
      case Kind::joiner:
        cps.push_back(c);
        break;
      case Kind::mark:
        if (base && marks < kMaxCombiningMarks) {
          cps.push_back(c);
          ++marks;
        }
        break;
      case Kind::keep:
        cps.push_back(c);
        base = true;
        marks = 0;
        break;
      case Kind::drop:
        break;
    }
  }

  icu::UnicodeString kept;
  for (std::size_t i = 0; i < cps.size(); ++i)
    if ((cps[i] != kZwj && cps[i] != kZwnj) || joiner_renders(cps, i)) kept.append(cps[i]);
  UErrorCode status = U_ZERO_ERROR;
  const auto* nfc = icu::Normalizer2::getNFCInstance(status);
  icu::UnicodeString normal = U_SUCCESS(status) ? nfc->normalize(kept, status) : kept;
  if (U_FAILURE(status)) normal = kept;

  // Collapse the spaces and trim.
  icu::UnicodeString out;
  chars = 0;
  bool space = false;
  for (std::int32_t i = 0; i < normal.length(); i = normal.moveIndex32(i, 1)) {
    auto c = normal.char32At(i);
    if (c == kSpace) {
      space = chars > 0;
      continue;
    }
    if (space) {
      out.append(kSpace);
      ++chars;
      space = false;
    }
    out.append(c);
    ++chars;
  }
  return out;
}

}  // namespace

std::string tidy_display_name(std::string_view raw) {
  std::size_t chars = 0;
  std::string utf8;
  tidy(raw, chars).toUTF8String(utf8);
  return utf8;
}

Result<std::string> clean_display_name(std::string_view raw) {
  if (raw.size() > kMaxDisplayNameBytes)
    return bad("is longer than " + std::to_string(kMaxDisplayNameBytes) + " bytes");
  if (!utf8_length(raw)) return bad("is not valid UTF-8");
  std::size_t chars = 0;
  auto out = tidy(raw, chars);
  if (chars == 0) return bad("has no visible characters");
  if (chars > kMaxDisplayNameChars)
    return bad("has " + std::to_string(chars) + " characters after cleanup, limit is " +
               std::to_string(kMaxDisplayNameChars));
  std::string utf8;
  out.toUTF8String(utf8);
  return utf8;
}

}  // namespace panelwire::core
