#include "chat.h"

#include "text.h"

namespace panelwire::core {

Result<Draft> draft_chat(const v1::SendChat& cmd, const v1::Participant& author,
                         const ChatLimits& limits) {
  auto chars = utf8_length(cmd.text());
  if (!chars) return fail(v1::INVALID_ARGUMENT, "text is not valid UTF-8");
  if (*chars == 0) return fail(v1::INVALID_ARGUMENT, "text is empty");
  if (*chars > limits.max_chat_chars)
    return fail(v1::TOO_LONG, "text has " + std::to_string(*chars) + " characters, limit is " +
                                  std::to_string(limits.max_chat_chars));
  Draft d;
  *d.event.mutable_actor() = author;
  auto* posted = d.event.mutable_chat_posted();
  *posted->mutable_author() = author;
  posted->set_text(cmd.text());
  return d;
}

Result<Draft> draft_chat_delete(const v1::DeleteChat& cmd, const v1::Participant& by) {
  if (by.role() != v1::MODERATOR) return fail(v1::FORBIDDEN, "only moderators delete chat");
  if (cmd.chat_seq() == 0) return fail(v1::INVALID_ARGUMENT, "chat_seq is required");
  Draft d;
  *d.event.mutable_actor() = by;
  auto* deleted = d.event.mutable_chat_deleted();
  deleted->set_chat_seq(cmd.chat_seq());
  *deleted->mutable_by() = by;
  return d;
}

}  // namespace panelwire::core
