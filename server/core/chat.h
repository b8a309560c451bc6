#pragma once
// Chat commands turned into panel events, after the checks that need no
// panel state (the panel checks the rest when it appends).

#include "failure.h"
#include "panel.h"

namespace panelwire::core {

struct ChatLimits {
  // Long enough for a paragraph with a link; longer belongs in a question.
  std::size_t max_chat_chars = 2'000;
};

Result<Draft> draft_chat(const v1::SendChat& cmd, const v1::Participant& author,
                         const ChatLimits& limits);

Result<Draft> draft_chat_delete(const v1::DeleteChat& cmd, const v1::Participant& by);

}  // namespace panelwire::core
