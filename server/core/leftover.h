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

// Whether the forum's follow-up leaves `q`'s asker unnamed: their choice,
// else as in the room.
bool unnamed_in_forum(const v1::Question& q);

// `started_at_ms`: when the panel's first event was appended (0: unknown,
// a panel begun before it was kept), which makes the leftover's id unique
// to this life of the panel.
v1::Leftover make_leftover(const std::string& panel_id, std::int64_t started_at_ms,
                           const PanelSettings& settings, const v1::Question& q,
                           v1::LeftoverReason reason, std::int64_t published_at_ms);

// "<panel_id>/<started_at_ms>/<n>" ("<panel_id>/<n>" when started_at_ms is
// 0, the form ids had before the start was kept): names item n (a question,
// a batch's seq) of this life of the panel, so that a panel id used again
// never names what an earlier life did.
std::string panel_life_id(const std::string& panel_id, std::int64_t started_at_ms, std::uint64_t n);

}  // namespace panelwire::core
