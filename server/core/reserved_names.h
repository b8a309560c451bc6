#pragma once
// Names a guest may not take: the words that claim a role (moderator, host,
// admin, ...) and the names a panel reserves for its moderators and
// panelists. Names are compared by what they look like, not by their bytes:
// case-folded (NFKC_Casefold), mapped to their UTS #39 confusable skeleton
// (so "A1berts" is "Alberts" and Cyrillic "о" is Latin "o"), accents
// dropped, split into words at anything that is not a letter or a number.
// Each name is read twice, folded before and after the skeleton, since
// case matters to the eye: "AIberts" (capital i) reads as "Alberts".
//
// A guest's name is refused when a reserved name's words appear in it, in a
// row, as whole words ("The Moderator", "Dr Alberts (panelist)"); when it
// spells the reserved name without the spaces or with extra ones
// ("DrAlberts", "M o d e r a t o r"); or, for a role word of 8 or more
// letters, when it holds it anywhere ("TheModerator"; shorter ones would
// refuse "Ghost" and "Stafford"). Trailing digits count as a word of their
// own ("Moderator1").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "failure.h"

namespace panelwire::core {

// The comparison key of a display name: its words, folded, then
// skeletonized (its first reading).
std::vector<std::string> name_words(std::string_view name);

class ReservedNames {
 public:
  // The fixed role words only.
  ReservedNames();

  // One shared instance with the fixed words only.
  static const ReservedNames& fixed();

  // Reserves `name` too. INVALID_ARGUMENT when it has no letter or number.
  Result<void> add(std::string_view name);

  // The reserved name (as it was given) that `name` looks like, if any.
  std::optional<std::string> match(std::string_view name) const;
  bool reserves(std::string_view name) const { return match(name).has_value(); }

  std::size_t size() const { return entries_.size(); }

 private:
  struct Reading {
    std::vector<std::string> words;
    std::string joined;
    bool anywhere = false;
  };
  struct Entry {
    std::string name;
    std::vector<Reading> readings;
  };
  Result<void> add(std::string_view name, bool anywhere);
  std::vector<Entry> entries_;
};

}  // namespace panelwire::core
