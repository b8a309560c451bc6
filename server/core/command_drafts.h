#pragma once
// Any panel command of a client message turned into its event draft.

#include "chat.h"
#include "qa_commands.h"

namespace panelwire::core {

struct CommandLimits {
  ChatLimits chat;
  QuestionLimits questions;
};

// UNKNOWN_COMMAND for messages that are not panel commands (Hello, Ping and
// those this server does not know).
Result<Draft> draft_command(const v1::ClientMessage& msg, const v1::Participant& who,
                            const CommandLimits& limits);

}  // namespace panelwire::core
