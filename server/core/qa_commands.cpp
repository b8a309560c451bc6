#include "qa_commands.h"

#include "display_name.h"
#include "text.h"

namespace panelwire::core {

namespace {

Result<void> moderator_only(const v1::Participant& who, const char* what) {
  if (who.role() != v1::MODERATOR)
    return fail(v1::FORBIDDEN, std::string("only moderators ") + what);
  return {};
}

Result<void> check_text(const std::string& text, std::size_t max, const char* field,
                        bool required) {
  auto chars = utf8_length(text);
  if (!chars) return fail(v1::INVALID_ARGUMENT, std::string(field) + " is not valid UTF-8");
  if (required && *chars == 0) return fail(v1::INVALID_ARGUMENT, std::string(field) + " is empty");
  if (*chars > max)
    return fail(v1::TOO_LONG, std::string(field) + " has " + std::to_string(*chars) +
                                  " characters, limit is " + std::to_string(max));
  return {};
}

Draft question_draft(v1::QuestionChange change, const v1::Participant& who, v1::Question q) {
  Draft d;
  *d.event.mutable_actor() = who;
  d.event.mutable_questions_changed()->set_change(change);
  *d.event.mutable_questions_changed()->add_questions() = std::move(q);
  return d;
}

v1::Question by_id(std::uint64_t id) {
  v1::Question q;
  q.set_id(id);
  return q;
}

Result<void> require_id(std::uint64_t id, const char* field) {
  if (id == 0) return fail(v1::INVALID_ARGUMENT, std::string(field) + " is required");
  return {};
}

}  // namespace

Result<void> check_forum_url(const std::string& url, const char* field, bool required) {
  if (url.empty()) {
    if (required) return fail(v1::INVALID_ARGUMENT, std::string(field) + " is required");
    return {};
  }
  if (url.size() > kMaxForumUrlBytes)
    return fail(v1::TOO_LONG, std::string(field) + " is longer than " +
                                  std::to_string(kMaxForumUrlBytes) + " bytes");
  if (!url.starts_with("https://") && !url.starts_with("http://"))
    return fail(v1::INVALID_ARGUMENT, std::string(field) + " is not an http(s) address");
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f)
      return fail(v1::INVALID_ARGUMENT, std::string(field) + " holds a character URLs escape");
  return {};
}

Result<Draft> draft_forum_update(const v1::ForumUpdate& cmd, const v1::Participant& who) {
  if (auto ok = moderator_only(who, "report what became of a question in the forum"); !ok)
    return ok.error();
  if (auto ok = require_id(cmd.question_id(), "question_id"); !ok) return ok.error();
  if (auto ok = check_forum_url(cmd.post_url(), "post_url", !cmd.has_answer()); !ok)
    return ok.error();
  auto q = by_id(cmd.question_id());
  q.set_forum_url(cmd.post_url());
  if (cmd.has_answer()) {
    if (auto ok = check_forum_url(cmd.answer().url(), "answer.url", true); !ok) return ok.error();
    if (auto ok = check_text(cmd.answer().answered_by(), 64, "answer.answered_by", true); !ok)
      return ok.error();
    q.mutable_forum_answer()->set_url(cmd.answer().url());
    q.mutable_forum_answer()->set_answered_by(tidy_display_name(cmd.answer().answered_by()));
    if (q.forum_answer().answered_by().empty())
      return fail(v1::INVALID_ARGUMENT, "answer.answered_by is empty");
  }
  return question_draft(v1::CHANGE_FORUM_UPDATED, who, std::move(q));
}

Result<Draft> draft_ask(const v1::AskQuestion& cmd, const v1::Participant& who,
                        const QuestionLimits& limits) {
  if (auto ok = check_text(cmd.text(), limits.max_question_chars, "text", true); !ok)
    return ok.error();
  // Display names are limited to 64 characters at join; the same here.
  if (auto ok = check_text(cmd.addressed_to(), 64, "addressed_to", false); !ok) return ok.error();
  v1::Question q;
  q.set_text(cmd.text());
  q.set_anonymous(cmd.anonymous());
  if (!v1::ForumCredit_IsValid(cmd.forum_credit()))
    return fail(v1::INVALID_ARGUMENT, "forum_credit is not a known choice");
  q.set_forum_credit(cmd.forum_credit());
  // A panelist's name, shown beside the question: cleaned like one.
  q.set_addressed_to(tidy_display_name(cmd.addressed_to()));
  return question_draft(v1::CHANGE_ASKED, who, std::move(q));
}

Result<Draft> draft_vote(const v1::Vote& cmd, const v1::Participant& who) {
  if (auto ok = require_id(cmd.question_id(), "question_id"); !ok) return ok.error();
  return question_draft(cmd.withdraw() ? v1::CHANGE_UNVOTED : v1::CHANGE_VOTED, who,
                        by_id(cmd.question_id()));
}

Result<Draft> draft_moderation(const v1::ModerateQuestion& cmd, const v1::Participant& who,
                               const QuestionLimits& limits) {
  if (auto ok = moderator_only(who, "moderate questions"); !ok) return ok.error();
  if (auto ok = require_id(cmd.question_id(), "question_id"); !ok) return ok.error();
  auto q = by_id(cmd.question_id());
  v1::QuestionChange change;
  switch (cmd.action()) {
    case v1::APPROVE:
      change = v1::CHANGE_APPROVED;
      break;
    case v1::DISMISS:
      change = v1::CHANGE_DISMISSED;
      break;
    case v1::RESTORE:
      change = v1::CHANGE_RESTORED;
      break;
    case v1::HIGHLIGHT:
      change = v1::CHANGE_HIGHLIGHTED;
      break;
    case v1::MARK_ANSWERED:
      if (auto ok = check_text(cmd.answer_text(), limits.max_answer_chars, "answer_text", false);
          !ok)
        return ok.error();
      change = v1::CHANGE_ANSWERED;
      q.set_answer_text(cmd.answer_text());
      break;
    case v1::SEND_TO_FORUM:
      change = v1::CHANGE_SENT_TO_FORUM;
      break;
    default:
      return fail(v1::INVALID_ARGUMENT, "action is required");
  }
  return question_draft(change, who, std::move(q));
}

Result<Draft> draft_merge(const v1::MergeQuestions& cmd, const v1::Participant& who) {
  if (auto ok = moderator_only(who, "merge questions"); !ok) return ok.error();
  if (auto ok = require_id(cmd.duplicate_id(), "duplicate_id"); !ok) return ok.error();
  if (auto ok = require_id(cmd.into_id(), "into_id"); !ok) return ok.error();
  auto q = by_id(cmd.duplicate_id());
  q.set_merged_into(cmd.into_id());
  return question_draft(v1::CHANGE_MERGED, who, std::move(q));
}

Result<Draft> draft_promote(const v1::PromoteChat& cmd, const v1::Participant& who) {
  if (auto ok = moderator_only(who, "promote chat messages"); !ok) return ok.error();
  if (auto ok = require_id(cmd.chat_seq(), "chat_seq"); !ok) return ok.error();
  v1::Question q;
  q.set_chat_seq(cmd.chat_seq());
  q.set_for_forum(cmd.send_to_forum());
  return question_draft(v1::CHANGE_PROMOTED, who, std::move(q));
}

Result<Draft> draft_mute(const v1::MuteParticipant& cmd, const v1::Participant& who) {
  if (auto ok = moderator_only(who, "mute participants"); !ok) return ok.error();
  if (!valid_token_id(cmd.participant_id(), 128))
    return fail(v1::INVALID_ARGUMENT, "participant_id is required");
  if (cmd.participant_id() == who.id())
    return fail(v1::INVALID_ARGUMENT, "a moderator cannot mute themselves");
  Draft d;
  *d.event.mutable_actor() = who;
  d.event.mutable_participant_muted()->mutable_who()->set_id(cmd.participant_id());
  d.event.mutable_participant_muted()->set_muted(cmd.muted());
  return d;
}

Result<Draft> draft_lock(const v1::LockChat& cmd, const v1::Participant& who) {
  if (auto ok = moderator_only(who, "lock the chat"); !ok) return ok.error();
  Draft d;
  *d.event.mutable_actor() = who;
  d.event.mutable_chat_locked()->set_locked(cmd.locked());
  return d;
}

Result<Draft> draft_rules(const v1::SetPanelRules& cmd, const v1::Participant& who) {
  if (auto ok = moderator_only(who, "change the panel's rules"); !ok) return ok.error();
  const auto& r = cmd.rules();
  if (!r.has_pre_moderation() && !r.has_guest_questions() && !r.has_chat_slow_mode_ms())
    return fail(v1::INVALID_ARGUMENT, "rules: set at least one of them");
  if (r.chat_slow_mode_ms() > kMaxSlowModeMs)
    return fail(v1::INVALID_ARGUMENT, "rules.chat_slow_mode_ms: at most 600000 (ten minutes)");
  Draft d;
  *d.event.mutable_actor() = who;
  *d.event.mutable_panel_rules() = r;
  return d;
}

Result<Draft> draft_end(const v1::Participant& who) {
  if (auto ok = moderator_only(who, "end the panel"); !ok) return ok.error();
  Draft d;
  *d.event.mutable_actor() = who;
  d.event.mutable_panel_ended();
  return d;
}

}  // namespace panelwire::core
