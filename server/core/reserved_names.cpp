#include "reserved_names.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

#include <algorithm>

namespace panelwire::core {

namespace {

// Words that claim a role or speak for the relay, in every common spelling.
constexpr std::string_view kRoleWords[] = {
    "moderator",     "moderators", "moderation", "panelist",   "panelists",  "panellist",
    "panellists",    "host",       "hosts",      "cohost",     "admin",      "admins",
    "administrator", "organizer",  "organiser",  "organizers", "organisers", "staff",
    "panelwire",     "system",     "speaker",    "presenter",  "support"};

// Role words this long are refused anywhere in a guest's name, word
// boundaries or not; shorter ones ("host", "staff") only as whole words, or
// "Ghost" and "Stafford" could not join.
constexpr std::size_t kAnywhereLetters = 8;

const icu::Normalizer2* nfd() {
  UErrorCode status = U_ZERO_ERROR;
  const auto* n = icu::Normalizer2::getNFDInstance(status);
  return U_SUCCESS(status) ? n : nullptr;
}

const icu::Normalizer2* nfkc() {
  UErrorCode status = U_ZERO_ERROR;
  const auto* n = icu::Normalizer2::getNFKCInstance(status);
  return U_SUCCESS(status) ? n : nullptr;
}

const icu::Normalizer2* fold() {
  UErrorCode status = U_ZERO_ERROR;
  const auto* n = icu::Normalizer2::getNFKCCasefoldInstance(status);
  return U_SUCCESS(status) ? n : nullptr;
}

// Opened once, never changed: ICU allows concurrent use of a const checker.
const USpoofChecker* spoof_checker() {
  static const USpoofChecker* checker = [] {
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker* sc = uspoof_open(&status);
    return U_SUCCESS(status) ? sc : nullptr;
  }();
  return checker;
}

icu::UnicodeString normalized(const icu::Normalizer2* n, const icu::UnicodeString& s) {
  UErrorCode status = U_ZERO_ERROR;
  if (!n) return s;
  auto out = n->normalize(s, status);
  return U_SUCCESS(status) ? out : s;
}

bool word_char(UChar32 c) {
  return u_isalnum(c) || u_charType(c) == U_LETTER_NUMBER || u_charType(c) == U_OTHER_NUMBER;
}

// "moderator1" -> "moderator 1": digits ending a word stand alone, so a
// number after a reserved word does not hide it (the skeleton would turn
// "1" into "l").
icu::UnicodeString split_trailing_digits(const icu::UnicodeString& s) {
  icu::UnicodeString out;
  const auto n = s.length();
  for (std::int32_t i = 0; i < n;) {
    auto c = s.char32At(i);
    if (!word_char(c) && u_charType(c) != U_NON_SPACING_MARK) {
      out.append(c);
      i = s.moveIndex32(i, 1);
      continue;
    }
    // One word: [i, end), its trailing digits from `digits`.
    std::int32_t end = i, digits = -1;
    while (end < n) {
      auto d = s.char32At(end);
      if (!word_char(d) && u_charType(d) != U_NON_SPACING_MARK) break;
      if (u_isdigit(d)) {
        if (digits < 0) digits = end;
      } else {
        digits = -1;
      }
      end = s.moveIndex32(end, 1);
    }
    if (digits > i) {
      out.append(s, i, digits - i).append(UChar32{0x20}).append(s, digits, end - digits);
    } else {
      out.append(s, i, end - i);
    }
    i = end;
  }
  return out;
}

}  // namespace

namespace {

icu::UnicodeString skeleton_of(const icu::UnicodeString& text) {
  const auto* sc = spoof_checker();
  if (!sc) return text;
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString skeleton;
  uspoof_getSkeletonUnicodeString(sc, 0, text, skeleton, &status);
  return U_SUCCESS(status) ? skeleton : text;
}

std::vector<std::string> words_of(const icu::UnicodeString& folded) {
  // Decomposed, so that dropping the marks drops the accents.
  auto text = normalized(nfd(), folded);
  std::vector<std::string> words;
  icu::UnicodeString word;
  auto flush = [&] {
    if (word.isEmpty()) return;
    words.emplace_back();
    word.toUTF8String(words.back());
    word.remove();
  };
  for (std::int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
    auto c = text.char32At(i);
    auto type = u_charType(c);
    if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK) continue;
    if (word_char(c))
      word.append(c);
    else
      flush();
  }
  flush();
  return words;
}

// Folded first: "MODERATOR" is "moderator".
std::vector<std::string> folded_reading(const icu::UnicodeString& name) {
  return words_of(normalized(fold(), skeleton_of(split_trailing_digits(normalized(fold(), name)))));
}

// Skeleton first, where case still tells: capital I reads as l ("AIberts").
std::vector<std::string> cased_reading(const icu::UnicodeString& name) {
  return words_of(normalized(fold(), skeleton_of(split_trailing_digits(normalized(nfkc(), name)))));
}

// The ways `name` reads; a reserved name in capitals too ("ADMIN" reads
// like "ADMlN").
std::vector<std::vector<std::string>> readings(std::string_view name, bool reserved) {
  const auto text = icu::UnicodeString::fromUTF8(name);
  std::vector<std::vector<std::string>> out{folded_reading(text), cased_reading(text)};
  if (reserved)
    out.push_back(cased_reading(icu::UnicodeString(text).toUpper(icu::Locale::getRoot())));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += w;
  return out;
}

}  // namespace

std::vector<std::string> name_words(std::string_view name) {
  return folded_reading(icu::UnicodeString::fromUTF8(name));
}

ReservedNames::ReservedNames() {
  for (auto w : kRoleWords) (void)add(w, true);
}

const ReservedNames& ReservedNames::fixed() {
  static const ReservedNames names;
  return names;
}

Result<void> ReservedNames::add(std::string_view name) {
  return add(name, false);
}

Result<void> ReservedNames::add(std::string_view name, bool role_word) {
  Entry e;
  e.name = std::string(name);
  for (auto& words : readings(name, true)) {
    if (words.empty()) continue;
    auto all = joined(words);
    const auto letters = static_cast<std::size_t>(icu::UnicodeString::fromUTF8(all).countChar32());
    e.readings.push_back(
        {std::move(words), std::move(all), role_word && letters >= kAnywhereLetters});
  }
  if (e.readings.empty())
    return fail(v1::INVALID_ARGUMENT,
                "reserved name \"" + e.name + "\" has no letter or number to compare");
  entries_.push_back(std::move(e));
  return {};
}

std::optional<std::string> ReservedNames::match(std::string_view name) const {
  for (const auto& words : readings(name, false)) {
    const auto all = joined(words);
    if (all.empty()) continue;
    for (const auto& e : entries_) {
      for (const auto& r : e.readings) {
        const bool same = all == r.joined;
        const bool within =
            std::search(words.begin(), words.end(), r.words.begin(), r.words.end()) != words.end();
        const bool anywhere = r.anywhere && all.find(r.joined) != std::string::npos;
        if (same || within || anywhere) return e.name;
      }
    }
  }
  return std::nullopt;
}

}  // namespace panelwire::core
