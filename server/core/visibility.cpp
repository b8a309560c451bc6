#include "visibility.h"

namespace panelwire::core {

namespace {

bool is_public_state(v1::QuestionState s) {
  return s == v1::OPEN || s == v1::ANSWERING || s == v1::ANSWERED;
}

bool is_self(std::string_view id, std::string_view self) {
  return !self.empty() && id == self;
}

// Whether `id` is credited with `q` anonymously: the anonymous asker, or an
// anonymous duplicate's asker merged in.
bool anonymous_credit(const v1::Question& q, std::string_view id) {
  if (q.anonymous() && id == q.asker().id()) return true;
  for (const auto& a : q.anonymous_credited())
    if (a == id) return true;
  return false;
}

// Whether the content of `q` reaches a non-moderator: public states, and a
// pending question to its asker.
bool sees(const v1::Question& q, std::string_view self) {
  return is_public_state(q.state()) || (q.state() == v1::PENDING && is_self(q.asker().id(), self));
}

// Whether `self` sees something of `q` that the public copy leaves out.
bool own_differs(const v1::Question& q, std::string_view self) {
  if (!sees(q, self)) return false;
  if (q.state() == v1::PENDING) return true;  // theirs, or sees() would be false
  return anonymous_credit(q, self);
}

}  // namespace

bool needs_redaction(const v1::Event& ev) {
  return ev.has_questions_changed() || ev.has_participant_muted();
}

v1::Question redacted_question(const v1::Question& q, std::string_view self) {
  if (!sees(q, self)) {
    // Enough for a client to drop it.
    v1::Question stub;
    stub.set_id(q.id());
    stub.set_state(q.state());
    stub.set_merged_into(q.merged_into());
    return stub;
  }
  v1::Question out = q;
  out.clear_dismissed_from();
  if (q.anonymous() && !is_self(q.asker().id(), self)) out.clear_asker();
  out.clear_credited();
  out.clear_anonymous_credited();
  for (const auto& c : q.credited())
    if (is_self(c.id(), self) || !anonymous_credit(q, c.id())) *out.add_credited() = c;
  for (const auto& id : q.anonymous_credited())
    if (is_self(id, self)) out.add_anonymous_credited(id);
  out.clear_forum_unnamed_credited();
  for (const auto& id : q.forum_unnamed_credited())
    if (is_self(id, self)) out.add_forum_unnamed_credited(id);
  // Whether the forum will name an anonymous asker is theirs to know.
  if (q.anonymous() && !is_self(q.asker().id(), self)) out.clear_forum_credit();
  return out;
}

v1::Event redacted_view(const v1::Event& ev, std::string_view self) {
  if (!needs_redaction(ev)) return ev;
  v1::Event out;
  out.set_seq(ev.seq());
  out.set_at_ms(ev.at_ms());
  if (ev.has_participant_muted()) {
    if (is_self(ev.participant_muted().who().id(), self)) return ev;
    out.mutable_hidden();
    return out;
  }
  const auto& change = ev.questions_changed();
  auto* redacted = out.mutable_questions_changed();
  redacted->set_change(change.change());
  bool anonymous = false;
  for (const auto& q : change.questions()) {
    anonymous = anonymous || q.anonymous();
    if (q.state() == v1::PENDING && !is_self(q.asker().id(), self)) continue;
    *redacted->add_questions() = redacted_question(q, self);
  }
  if (redacted->questions_size() == 0) {
    out.mutable_hidden();
    return out;
  }
  // Votes name the voter: nobody but moderators learns who voted. An
  // anonymous question's actor is its asker.
  const bool vote = change.change() == v1::CHANGE_VOTED || change.change() == v1::CHANGE_UNVOTED;
  const bool anonymous_ask =
      change.change() == v1::CHANGE_ASKED && anonymous && !is_self(ev.actor().id(), self);
  if (!vote && !anonymous_ask) *out.mutable_actor() = ev.actor();
  return out;
}

Viewing view_for(const v1::Participant& viewer, const v1::Event& ev) {
  if (viewer.role() == v1::MODERATOR || !needs_redaction(ev)) return View::full;
  const auto& self = viewer.id();
  if (ev.has_participant_muted())
    return is_self(ev.participant_muted().who().id(), self) ? View::full : View::public_copy;
  for (const auto& q : ev.questions_changed().questions())
    if (own_differs(q, self)) return Viewing(View::own, self);
  return View::public_copy;
}

bool visible_in_snapshot(const v1::Participant& viewer, const v1::Question& q) {
  return viewer.role() == v1::MODERATOR || sees(q, viewer.id());
}

v1::Question question_for(const v1::Participant& viewer, const v1::Question& q) {
  return viewer.role() == v1::MODERATOR ? q : redacted_question(q, viewer.id());
}

}  // namespace panelwire::core
