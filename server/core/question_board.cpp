#include "question_board.h"

#include <algorithm>

#include "leftover.h"

namespace panelwire::core {

namespace {

std::string id_text(std::uint64_t id) {
  return "question " + std::to_string(id);
}

bool votable(v1::QuestionState s) {
  return s == v1::OPEN || s == v1::ANSWERING;
}

void credit(v1::Question& q, const v1::Participant& who) {
  for (const auto& c : q.credited())
    if (c.id() == who.id()) return;
  *q.add_credited() = who;
}

}  // namespace

const v1::Question* QuestionBoard::find(std::uint64_t id) const {
  auto it = questions_.find(id);
  return it == questions_.end() ? nullptr : &it->second;
}

Result<const v1::Question*> QuestionBoard::existing(std::uint64_t id) const {
  if (id == 0) return fail(v1::INVALID_ARGUMENT, "question_id is required");
  if (auto* q = find(id)) return q;
  return fail(v1::NOT_FOUND, "no " + id_text(id));
}

bool QuestionBoard::voted(std::uint64_t id, const std::string& participant_id) const {
  auto it = voters_.find(id);
  return it != voters_.end() && it->second.contains(participant_id);
}

std::vector<std::uint64_t> QuestionBoard::votes_of(const std::string& participant_id) const {
  std::vector<std::uint64_t> out;
  for (const auto& [id, voters] : voters_)
    if (voters.contains(participant_id)) out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint64_t> QuestionBoard::leftovers() const {
  std::vector<std::uint64_t> out;
  for (const auto& [id, q] : questions_) {
    if (q.published() || q.state() == v1::MERGED) continue;
    if (votable(q.state()) || q.for_forum()) out.push_back(id);
  }
  return out;
}

Result<QuestionBoard::Outcome> QuestionBoard::resolve(v1::Event& ev, std::uint64_t seq,
                                                      std::int64_t now_ms,
                                                      bool pre_moderation) const {
  auto& change = *ev.mutable_questions_changed();
  if (change.questions_size() != 1)
    return fail(v1::INTERNAL, "a question draft names exactly one question");
  switch (change.change()) {
    case v1::CHANGE_ASKED:
    case v1::CHANGE_PROMOTED:
      return resolve_asked(ev, seq, now_ms, pre_moderation);
    case v1::CHANGE_VOTED:
      return resolve_vote(ev, false);
    case v1::CHANGE_UNVOTED:
      return resolve_vote(ev, true);
    case v1::CHANGE_MERGED:
      return resolve_merge(ev);
    default:
      return resolve_moderation(ev);
  }
}

Result<QuestionBoard::Outcome> QuestionBoard::resolve_asked(v1::Event& ev, std::uint64_t seq,
                                                            std::int64_t now_ms,
                                                            bool pre_moderation) const {
  auto& change = *ev.mutable_questions_changed();
  auto& q = *change.mutable_questions(0);
  // A chat message becomes a question once: a second promotion (two
  // moderators at once, a double click) changes nothing.
  if (change.change() == v1::CHANGE_PROMOTED) {
    for (const auto& [id, existing] : questions_)
      if (existing.kind() == v1::CHAT_COMMENT && existing.chat_seq() == q.chat_seq())
        return Outcome::unchanged;
  }
  q.set_id(seq);
  q.set_asked_at_ms(now_ms);
  q.set_votes(0);
  q.clear_credited();
  if (change.change() == v1::CHANGE_ASKED) {
    q.set_kind(v1::QUESTION);
    *q.mutable_asker() = ev.actor();
    q.set_state(pre_moderation ? v1::PENDING : v1::OPEN);
  } else {
    // A moderator chose it: no approval needed.
    q.set_kind(v1::CHAT_COMMENT);
    q.set_state(v1::OPEN);
    q.set_published(q.for_forum());
  }
  *q.add_credited() = q.asker();
  return Outcome::changed;
}

Result<QuestionBoard::Outcome> QuestionBoard::resolve_vote(v1::Event& ev, bool withdraw) const {
  auto& slot = *ev.mutable_questions_changed()->mutable_questions(0);
  auto q = existing(slot.id());
  if (!q) return q.error();
  const auto& voter = ev.actor().id();
  // Someone else's pending question reached this voter as `hidden`, like a
  // mute: it answers as no question at all, so votes cannot tell the two
  // apart. (Dismissed and merged ones arrive as stubs: they are known.)
  if ((*q)->state() == v1::PENDING && ev.actor().role() != v1::MODERATOR &&
      (*q)->asker().id() != voter)
    return fail(v1::NOT_FOUND, "no " + id_text(slot.id()));
  if (!votable((*q)->state()))
    return fail(v1::INVALID_STATE, id_text(slot.id()) + " is not open for votes");
  if (voted(slot.id(), voter) != withdraw) return Outcome::unchanged;
  slot = **q;
  slot.set_votes(withdraw ? slot.votes() - 1 : slot.votes() + 1);
  return Outcome::changed;
}

Result<QuestionBoard::Outcome> QuestionBoard::resolve_merge(v1::Event& ev) const {
  auto& change = *ev.mutable_questions_changed();
  const auto dup_id = change.questions(0).id();
  const auto into_id = change.questions(0).merged_into();
  auto dup = existing(dup_id);
  if (!dup) return dup.error();
  auto into = existing(into_id);
  if (!into) return into.error();
  if (dup_id == into_id) return fail(v1::INVALID_ARGUMENT, "a question cannot absorb itself");
  for (const auto* q : {*dup, *into})
    if (q->state() == v1::MERGED)
      return fail(v1::INVALID_STATE, id_text(q->id()) + " was already merged");

  v1::Question merged_dup = **dup, target = **into;
  merged_dup.set_state(v1::MERGED);
  merged_dup.set_merged_into(into_id);
  // Each voter counts once, however many of the two they voted for.
  std::unordered_set<std::string> voters;
  if (auto it = voters_.find(into_id); it != voters_.end()) voters = it->second;
  if (auto it = voters_.find(dup_id); it != voters_.end())
    voters.insert(it->second.begin(), it->second.end());
  target.set_votes(static_cast<std::uint32_t>(voters.size()));
  for (const auto& c : merged_dup.credited()) credit(target, c);
  // Whoever was anonymous on the duplicate stays anonymous on the target,
  // in the room and, by their own choice, in the forum.
  if (merged_dup.anonymous()) target.add_anonymous_credited(merged_dup.asker().id());
  for (const auto& id : merged_dup.anonymous_credited()) target.add_anonymous_credited(id);
  if (unnamed_in_forum(merged_dup)) target.add_forum_unnamed_credited(merged_dup.asker().id());
  for (const auto& id : merged_dup.forum_unnamed_credited()) target.add_forum_unnamed_credited(id);
  if (merged_dup.for_forum() && !merged_dup.published()) target.set_for_forum(true);
  change.clear_questions();
  *change.add_questions() = std::move(merged_dup);
  *change.add_questions() = std::move(target);
  return Outcome::changed;
}

Result<QuestionBoard::Outcome> QuestionBoard::resolve_moderation(v1::Event& ev) const {
  auto& change = *ev.mutable_questions_changed();
  auto& slot = *change.mutable_questions(0);
  auto found = existing(slot.id());
  if (!found) return found.error();
  const auto answer = slot.answer_text();
  v1::Question q = **found;
  const auto s = q.state();
  auto refuse = [&](const char* what) {
    return fail(v1::INVALID_STATE,
                id_text(q.id()) + " is " + v1::QuestionState_Name(s) + ": cannot " + what);
  };
  if (s == v1::MERGED) return refuse("change a merged question");
  v1::Question* previous = nullptr;
  switch (change.change()) {
    case v1::CHANGE_APPROVED:
      if (s != v1::PENDING) return refuse("approve");
      q.set_state(v1::OPEN);
      break;
    case v1::CHANGE_DISMISSED:
      if (s == v1::DISMISSED) return Outcome::unchanged;
      q.set_dismissed_from(s == v1::ANSWERING ? v1::OPEN : s);
      q.set_state(v1::DISMISSED);
      break;
    case v1::CHANGE_RESTORED:
      if (s != v1::DISMISSED) return refuse("restore");
      q.set_state(q.dismissed_from() == v1::QUESTION_STATE_UNSPECIFIED ? v1::OPEN
                                                                       : q.dismissed_from());
      q.clear_dismissed_from();
      break;
    case v1::CHANGE_HIGHLIGHTED:
      if (s == v1::ANSWERING) return Outcome::unchanged;
      if (s != v1::OPEN) return refuse("highlight");
      q.set_state(v1::ANSWERING);
      // At most one question is being answered: the last one goes back.
      if (auto* current = find(answering_)) {
        previous = change.add_questions();
        *previous = *current;
        previous->set_state(v1::OPEN);
      }
      break;
    case v1::CHANGE_ANSWERED:
      if (!votable(s)) return refuse("mark answered");
      q.set_state(v1::ANSWERED);
      q.set_answer_text(answer);
      break;
    case v1::CHANGE_FORUM_UPDATED: {
      // Any state but merged: a leftover may have been answered or sent on.
      const auto& update = change.questions(0);
      const bool new_url = !update.forum_url().empty() && update.forum_url() != q.forum_url();
      const bool new_answer =
          update.has_forum_answer() &&
          (!q.has_forum_answer() ||
           update.forum_answer().answered_by() != q.forum_answer().answered_by() ||
           update.forum_answer().url() != q.forum_answer().url());
      if (!new_url && !new_answer) return Outcome::unchanged;
      if (new_url) q.set_forum_url(update.forum_url());
      if (new_answer) *q.mutable_forum_answer() = update.forum_answer();
      break;
    }
    case v1::CHANGE_SENT_TO_FORUM:
      if (q.published()) return Outcome::unchanged;
      q.set_for_forum(true);
      q.set_published(true);
      break;
    default:
      return fail(v1::INVALID_ARGUMENT, "unknown moderation action");
  }
  *change.mutable_questions(0) = std::move(q);
  return Outcome::changed;
}

void QuestionBoard::apply(const v1::Event& ev) {
  if (ev.has_panel_ended()) {
    for (auto id : ev.panel_ended().leftover_ids())
      if (auto it = questions_.find(id); it != questions_.end()) it->second.set_published(true);
    return;
  }
  if (!ev.has_questions_changed()) return;
  const auto& change = ev.questions_changed();
  const auto& voter = ev.actor().id();
  for (const auto& q : change.questions()) {
    questions_[q.id()] = q;
    if (q.state() == v1::ANSWERING)
      answering_ = q.id();
    else if (answering_ == q.id())
      answering_ = 0;
  }
  switch (change.change()) {
    case v1::CHANGE_VOTED:
      voters_[change.questions(0).id()].insert(voter);
      break;
    case v1::CHANGE_UNVOTED:
      if (auto it = voters_.find(change.questions(0).id()); it != voters_.end())
        it->second.erase(voter);
      break;
    case v1::CHANGE_MERGED: {
      const auto dup = change.questions(0).id(), into = change.questions(0).merged_into();
      if (auto it = voters_.find(dup); it != voters_.end()) {
        voters_[into].insert(it->second.begin(), it->second.end());
        voters_.erase(dup);
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace panelwire::core

namespace panelwire::core {

void QuestionBoard::save(v1::PanelSnapshot& snap) const {
  for (const auto& [id, q] : questions_) *snap.add_questions() = q;
  for (const auto& [id, ids] : voters_) {
    auto& v = *snap.add_voters();
    v.set_question_id(id);
    // Sorted, so equal boards make equal snapshots.
    std::vector<std::string> sorted(ids.begin(), ids.end());
    std::sort(sorted.begin(), sorted.end());
    for (auto& p : sorted) v.add_participant_ids(std::move(p));
  }
  snap.set_answering(answering_);
}

void QuestionBoard::load(const v1::PanelSnapshot& snap) {
  questions_.clear();
  voters_.clear();
  for (const auto& q : snap.questions()) questions_[q.id()] = q;
  for (const auto& v : snap.voters())
    voters_[v.question_id()].insert(v.participant_ids().begin(), v.participant_ids().end());
  answering_ = snap.answering();
}

}  // namespace panelwire::core
