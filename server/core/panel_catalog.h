#pragma once
// The panels that exist. A deployment lists its panels (id, title, forum
// thread, guests, pre-moderation, names reserved for its hosts) and any
// other id is refused; without a list (the quickstart) any valid id is a
// panel with guests allowed and no pre-moderation.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "failure.h"
#include "leftover.h"
#include "reserved_names.h"

namespace panelwire::core {

inline constexpr std::size_t kMaxReservedNames = 256;

class PanelCatalog {
 public:
  // Any panel id is a panel, with default settings.
  PanelCatalog() = default;

  // {"panels": [{"id": "...", "title": "...", "forum_thread": "...",
  //   "guests_allowed": true, "pre_moderation": false,
  //   "reserved_names": ["Dr. Alberts", ...]}, ...]}
  // reserved_names (optional, at most kMaxReservedNames): names no guest
  // may take on that panel, typically its moderators' and panelists'.
  // INVALID_ARGUMENT naming what is wrong.
  static Result<PanelCatalog> parse(std::string_view json);

  // UNKNOWN_PANEL when the catalog is closed and lacks `panel_id`.
  Result<PanelSettings> find(const std::string& panel_id) const;

  // What guests may not call themselves on `panel_id`: the role words, and
  // the panel's reserved_names. Lives as long as the catalog.
  const ReservedNames& reserved_names(const std::string& panel_id) const;

  bool open() const { return open_; }
  std::size_t size() const { return panels_.size(); }

 private:
  bool open_ = true;
  std::unordered_map<std::string, PanelSettings> panels_;
  // Panels with reserved_names of their own; the others have the role words.
  std::unordered_map<std::string, ReservedNames> reserved_;
};

}  // namespace panelwire::core
