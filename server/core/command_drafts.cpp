#include "command_drafts.h"

namespace panelwire::core {

Result<Draft> draft_command(const v1::ClientMessage& msg, const v1::Participant& who,
                            const CommandLimits& limits) {
  using C = v1::ClientMessage;
  switch (msg.command_case()) {
    case C::kSendChat:
      return draft_chat(msg.send_chat(), who, limits.chat);
    case C::kDeleteChat:
      return draft_chat_delete(msg.delete_chat(), who);
    case C::kAskQuestion:
      return draft_ask(msg.ask_question(), who, limits.questions);
    case C::kVote:
      return draft_vote(msg.vote(), who);
    case C::kModerateQuestion:
      return draft_moderation(msg.moderate_question(), who, limits.questions);
    case C::kMergeQuestions:
      return draft_merge(msg.merge_questions(), who);
    case C::kPromoteChat:
      return draft_promote(msg.promote_chat(), who);
    case C::kMuteParticipant:
      return draft_mute(msg.mute_participant(), who);
    case C::kLockChat:
      return draft_lock(msg.lock_chat(), who);
    case C::kEndPanel:
      return draft_end(who);
    case C::kSetPanelRules:
      return draft_rules(msg.set_panel_rules(), who);
    case C::kForumUpdate:
      return draft_forum_update(msg.forum_update(), who);
    default:
      return fail(v1::UNKNOWN_COMMAND, "the message holds no known command");
  }
}

}  // namespace panelwire::core
