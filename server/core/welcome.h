#pragma once
// The Welcome a joining participant gets: the snapshot as they may see it.

#include "chat.h"
#include "panel.h"

namespace panelwire::core {

struct WelcomeContext {
  std::string panel_id;
  v1::Participant you;
  v1::QuestionOrder order = v1::POPULAR;
  v1::Limits limits;
};

v1::Welcome make_welcome(const WelcomeContext& ctx, const Backlog& b);

// The limits the Welcome tells the client: the relay's own, so a client can
// refuse what would be refused before it sends it.
v1::Limits welcome_limits(const ChatLimits& chat, const QuestionLimits& questions,
                          std::size_t max_frame_bytes);

}  // namespace panelwire::core
