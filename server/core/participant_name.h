#pragma once
// The name a participant joins under: cleaned for everyone, and refused to
// a guest when it claims a role or a name the panel reserves.

#include "failure.h"
#include "reserved_names.h"

namespace panelwire::core {

// `who` with its display name as the panel will show it.
//
// A guest (`guest`: joined without a token) gets clean_display_name():
// INVALID_ARGUMENT when nothing visible is left or it is too long, and
// NAME_RESERVED when `reserved` reserves the name (a role word such as
// "Moderator", or a name the panel list reserves for its moderators and
// panelists, compared by look: see ReservedNames).
//
// A participant with a token keeps the token's name, cleaned but never
// refused (the token's issuer vouches for it): cut to kMaxDisplayNameChars
// if cleanup lengthened it, and their role's name ("Moderator", "Panelist",
// "Attendee") when nothing is left of it.
Result<v1::Participant> admit_participant(v1::Participant who, bool guest,
                                          const ReservedNames& reserved);

}  // namespace panelwire::core
