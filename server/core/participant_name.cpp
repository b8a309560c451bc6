#include "participant_name.h"

#include <unicode/unistr.h>

#include "display_name.h"

namespace panelwire::core {

namespace {

std::string role_name(v1::Role role) {
  switch (role) {
    case v1::MODERATOR:
      return "Moderator";
    case v1::PANELIST:
      return "Panelist";
    default:
      return "Attendee";
  }
}

std::string first_chars(const std::string& s, std::size_t n) {
  auto u = icu::UnicodeString::fromUTF8(s);
  if (static_cast<std::size_t>(u.countChar32()) <= n) return s;
  std::string out;
  u.tempSubString(0, u.moveIndex32(0, static_cast<std::int32_t>(n))).toUTF8String(out);
  return out;
}

}  // namespace

Result<v1::Participant> admit_participant(v1::Participant who, bool guest,
                                          const ReservedNames& reserved) {
  if (!guest) {
    auto name = tidy_display_name(who.display_name());
    who.set_display_name(name.empty() ? role_name(who.role())
                                      : first_chars(name, kMaxDisplayNameChars));
    return who;
  }
  auto name = clean_display_name(who.display_name());
  if (!name) return name.error();
  if (auto taken = reserved.match(*name))
    return fail(v1::NAME_RESERVED,
                "display_name \"" + *name + "\" is reserved for the panel's hosts (it reads as \"" +
                    *taken + "\"): choose another name, or join with your invitation link");
  who.set_display_name(std::move(*name));
  return who;
}

}  // namespace panelwire::core
