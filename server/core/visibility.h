#pragma once
// Who may see what of a panel event. Moderators see everything. Everyone
// else sees a public copy: pending questions and mutes become Hidden (the
// seq still arrives, so nobody sees a gap), dismissed and merged questions
// shrink to a stub that tells clients to drop them, anonymous askers and
// voters are left out.

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::core {

enum class View : std::uint8_t { full = 0, public_copy = 1 };
inline constexpr std::size_t kViews = 2;

// False when the public copy equals the event (chat, locks, the end).
bool needs_redaction(const v1::Event& ev);

v1::Event public_view(const v1::Event& ev);

// Full for moderators, and for a participant's own pending question or
// mute, so they see what they did; public otherwise.
View view_for(const v1::Participant& viewer, const v1::Event& ev);

// Whether `viewer` sees the question in a snapshot, and how.
bool visible_in_snapshot(const v1::Participant& viewer, const v1::Question& q);
v1::Question public_question(const v1::Question& q);

}  // namespace panelwire::core
