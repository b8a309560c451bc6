#pragma once
// Display names as others see them: cleaned of what a name has no use for
// and that can mislead (controls, bidi overrides and marks, zero-width and
// other invisible characters, runs of combining marks), and bounded.

#include <cstddef>
#include <string>
#include <string_view>

#include "failure.h"

namespace panelwire::core {

// After cleanup, in code points.
inline constexpr std::size_t kMaxDisplayNameChars = 64;
// Before cleanup, in bytes: what a name may weigh before we look at it.
inline constexpr std::size_t kMaxDisplayNameBytes = 1024;
// Combining marks kept on one base character; more is a tower of accents
// drawn over the neighbouring lines.
inline constexpr std::size_t kMaxCombiningMarks = 4;

// The name cleaned and normalized (NFC), or INVALID_ARGUMENT naming the
// problem: not UTF-8, more than kMaxDisplayNameBytes, nothing visible left,
// more than kMaxDisplayNameChars left.
//
// Cleanup drops C0/C1 controls (tab, line breaks and other separators
// become spaces), bidi embeddings, overrides, isolates and marks, every
// default-ignorable code point (zero-width space and joiners, word joiner,
// invisible operators, BOM, soft hyphen, variation selectors, tag
// characters, fillers), other format characters, private-use, unassigned
// and noncharacter code points, and combining marks past
// kMaxCombiningMarks or without a base. ZWJ and ZWNJ stay only where they
// change how text renders: ZWJ inside an emoji sequence, ZWJ/ZWNJ after a
// virama, ZWNJ between joining letters (Arabic script, as in Persian
// names). Whitespace runs (U+2800 BRAILLE BLANK included) collapse to one
// space, and the ends are trimmed.
Result<std::string> clean_display_name(std::string_view raw);

// The cleanup alone, unbounded (for names a token vouches for): may be
// empty or longer than kMaxDisplayNameChars. `raw` must be valid UTF-8.
std::string tidy_display_name(std::string_view raw);

}  // namespace panelwire::core
