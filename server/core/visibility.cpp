#include "visibility.h"

namespace panelwire::core {

namespace {

bool is_public_state(v1::QuestionState s) {
  return s == v1::OPEN || s == v1::ANSWERING || s == v1::ANSWERED;
}

bool owns(const v1::Participant& viewer, const v1::Question& q) {
  return !viewer.id().empty() && q.asker().id() == viewer.id();
}

}  // namespace

bool needs_redaction(const v1::Event& ev) {
  return ev.has_questions_changed() || ev.has_participant_muted();
}

v1::Question public_question(const v1::Question& q) {
  if (!is_public_state(q.state())) {
    // Enough for a client to drop it.
    v1::Question stub;
    stub.set_id(q.id());
    stub.set_state(q.state());
    stub.set_merged_into(q.merged_into());
    return stub;
  }
  v1::Question out = q;
  out.clear_dismissed_from();
  if (q.anonymous()) out.clear_asker();
  out.clear_credited();
  out.clear_anonymous_credited();
  for (const auto& c : q.credited()) {
    bool anonymous = c.id() == q.asker().id() && q.anonymous();
    for (const auto& id : q.anonymous_credited()) anonymous = anonymous || id == c.id();
    if (!anonymous) *out.add_credited() = c;
  }
  return out;
}

v1::Event public_view(const v1::Event& ev) {
  if (!needs_redaction(ev)) return ev;
  v1::Event out;
  out.set_seq(ev.seq());
  out.set_at_ms(ev.at_ms());
  if (ev.has_participant_muted()) {
    out.mutable_hidden();
    return out;
  }
  const auto& change = ev.questions_changed();
  auto* public_change = out.mutable_questions_changed();
  public_change->set_change(change.change());
  bool anonymous = false;
  for (const auto& q : change.questions()) {
    anonymous = anonymous || q.anonymous();
    if (q.state() == v1::PENDING) continue;
    *public_change->add_questions() = public_question(q);
  }
  if (public_change->questions_size() == 0) {
    out.mutable_hidden();
    return out;
  }
  const bool hide_actor = change.change() == v1::CHANGE_VOTED ||
                          change.change() == v1::CHANGE_UNVOTED ||
                          (change.change() == v1::CHANGE_ASKED && anonymous);
  if (!hide_actor) *out.mutable_actor() = ev.actor();
  return out;
}

View view_for(const v1::Participant& viewer, const v1::Event& ev) {
  if (viewer.role() == v1::MODERATOR || !needs_redaction(ev)) return View::full;
  if (ev.has_participant_muted())
    return ev.participant_muted().who().id() == viewer.id() ? View::full : View::public_copy;
  const auto& change = ev.questions_changed();
  // Votes name the voter; nobody but moderators learns that.
  if (change.change() == v1::CHANGE_VOTED || change.change() == v1::CHANGE_UNVOTED)
    return View::public_copy;
  for (const auto& q : change.questions())
    if (!owns(viewer, q)) return View::public_copy;
  return View::full;
}

bool visible_in_snapshot(const v1::Participant& viewer, const v1::Question& q) {
  if (viewer.role() == v1::MODERATOR) return true;
  return is_public_state(q.state()) || (q.state() == v1::PENDING && owns(viewer, q));
}

}  // namespace panelwire::core
