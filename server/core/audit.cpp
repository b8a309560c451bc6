#include "audit.h"

namespace panelwire::core {

namespace {

std::string question(std::uint64_t id) {
  return "question:" + std::to_string(id);
}

const char* moderation_word(v1::ModerationAction a) {
  switch (a) {
    case v1::APPROVE:
      return "approve";
    case v1::DISMISS:
      return "dismiss";
    case v1::RESTORE:
      return "restore";
    case v1::HIGHLIGHT:
      return "highlight";
    case v1::MARK_ANSWERED:
      return "mark_answered";
    case v1::SEND_TO_FORUM:
      return "send_to_forum";
    default:
      return "moderate";
  }
}

}  // namespace

std::string log_safe(std::string_view text, std::size_t max) {
  std::string out(text.substr(0, max));
  for (auto& c : out) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      std::string_view(":_-.@/").find(c) != std::string_view::npos;
    if (!safe) c = '?';
  }
  return out;
}

std::optional<AuditEntry> audit_of(const v1::ClientMessage& msg, const v1::Participant& actor) {
  using C = v1::ClientMessage;
  switch (msg.command_case()) {
    case C::kModerateQuestion:
      return AuditEntry{moderation_word(msg.moderate_question().action()),
                        question(msg.moderate_question().question_id())};
    case C::kMergeQuestions:
      return AuditEntry{"merge", question(msg.merge_questions().duplicate_id()) + ">" +
                                     question(msg.merge_questions().into_id())};
    case C::kPromoteChat:
      return AuditEntry{"promote_chat", "chat:" + std::to_string(msg.promote_chat().chat_seq())};
    case C::kDeleteChat:
      // A participant taking back their own message is not moderation;
      // only a moderator deletes another's.
      if (actor.role() != v1::MODERATOR) return std::nullopt;
      return AuditEntry{"delete_chat", "chat:" + std::to_string(msg.delete_chat().chat_seq())};
    case C::kMuteParticipant:
      return AuditEntry{msg.mute_participant().muted() ? "mute" : "unmute",
                        "participant:" + log_safe(msg.mute_participant().participant_id(), 128)};
    case C::kLockChat:
      return AuditEntry{msg.lock_chat().locked() ? "lock_chat" : "unlock_chat", ""};
    case C::kSetPanelRules:
      return AuditEntry{"set_rules", ""};
    case C::kEndPanel:
      return AuditEntry{"end_panel", ""};
    case C::kForumUpdate:
      return AuditEntry{msg.forum_update().has_answer() ? "forum_answer" : "forum_post",
                        question(msg.forum_update().question_id())};
    default:
      return std::nullopt;
  }
}

}  // namespace panelwire::core
