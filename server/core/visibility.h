#pragma once
// Who may see what of a panel event, field by field. Moderators see
// everything. Everyone else (panelists included) sees a redacted copy:
// pending questions and mutes become Hidden (the seq still arrives, so
// nobody sees a gap), dismissed and merged questions shrink to a stub that
// tells clients to drop them, voters are left out, and every participant who
// asked anonymously (the asker, or a co-asker merged in) is left out of
// `asker`, `credited` and `anonymous_credited`, except to that participant
// themselves: an asker sees their own pending question and their own
// anonymous credit, never another anonymous co-asker.
//
// Two views are shared by every receiver and cached per event (full and
// public); the third (own) depends on the receiver and is computed for them
// alone, only for events on a question they asked or are anonymously
// credited with, where it differs from the public copy.

#include <string_view>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::core {

enum class View : std::uint8_t { full = 0, public_copy = 1, own = 2 };
// The shared views, which PanelEvent caches.
inline constexpr std::size_t kViews = 2;

// What one receiver gets of one event: a shared view, or View::own with the
// receiver's id. The id is borrowed from the Participant given to view_for:
// use the Viewing at once (as in `ev.frame(format, view_for(you, ev.event()))`).
struct Viewing {
  View view = View::full;
  std::string_view viewer_id;

  Viewing(View v = View::full) : view(v) {}  // NOLINT: a shared view converts
  Viewing(View v, std::string_view id) : view(v), viewer_id(id) {}
  friend bool operator==(const Viewing& a, View b) { return a.view == b; }
};

// False when the public copy equals the event (chat, locks, the end).
bool needs_redaction(const v1::Event& ev);

// The event as seen by a non-moderator whose id is `self` (empty: anyone
// not concerned, the public copy).
v1::Event redacted_view(const v1::Event& ev, std::string_view self);
inline v1::Event public_view(const v1::Event& ev) {
  return redacted_view(ev, {});
}

// Full for moderators and for a participant's own mute; own where the event
// shows the receiver something of their own that the public copy leaves out;
// public otherwise.
Viewing view_for(const v1::Participant& viewer, const v1::Event& ev);

// The question as a non-moderator whose id is `self` sees it (empty: the
// public copy). Questions not visible to them shrink to a stub.
v1::Question redacted_question(const v1::Question& q, std::string_view self);
inline v1::Question public_question(const v1::Question& q) {
  return redacted_question(q, {});
}

// Whether `viewer` sees the question in a snapshot, and how.
bool visible_in_snapshot(const v1::Participant& viewer, const v1::Question& q);
v1::Question question_for(const v1::Participant& viewer, const v1::Question& q);

}  // namespace panelwire::core
