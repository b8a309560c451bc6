#pragma once
// Questions turned into the leftovers the forum receives.

#include <string>

#include "panelwire/v1/leftover.pb.h"

namespace panelwire::core {

// How a panel is set up: from the panel catalog, or the defaults for a
// panel created on first join.
struct PanelSettings {
  std::string title;
  // The follow-up thread in the forum (a topic id or URL), for the importer.
  std::string forum_thread;
  bool guests_allowed = true;
  bool pre_moderation = false;
};

v1::Leftover make_leftover(const std::string& panel_id, const PanelSettings& settings,
                           const v1::Question& q, v1::LeftoverReason reason,
                           std::int64_t published_at_ms);

}  // namespace panelwire::core
