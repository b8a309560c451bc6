#pragma once
// The Welcome a joining participant gets: the snapshot as they may see it.

#include "panel.h"

namespace panelwire::core {

struct WelcomeContext {
  std::string panel_id;
  v1::Participant you;
  v1::QuestionOrder order = v1::POPULAR;
  v1::Limits limits;
};

v1::Welcome make_welcome(const WelcomeContext& ctx, const Backlog& b);

}  // namespace panelwire::core
