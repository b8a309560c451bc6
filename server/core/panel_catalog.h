#pragma once
// The panels that exist. A deployment lists its panels (id, title, forum
// thread, guests, pre-moderation) and any other id is refused; without a
// list (the quickstart) any valid id is a panel with guests allowed and no
// pre-moderation.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "failure.h"
#include "leftover.h"

namespace panelwire::core {

class PanelCatalog {
 public:
  // Any panel id is a panel, with default settings.
  PanelCatalog() = default;

  // {"panels": [{"id": "...", "title": "...", "forum_thread": "...",
  //   "guests_allowed": true, "pre_moderation": false}, ...]}
  // INVALID_ARGUMENT naming what is wrong.
  static Result<PanelCatalog> parse(std::string_view json);

  // UNKNOWN_PANEL when the catalog is closed and lacks `panel_id`.
  Result<PanelSettings> find(const std::string& panel_id) const;

  bool open() const { return open_; }
  std::size_t size() const { return panels_.size(); }

 private:
  bool open_ = true;
  std::unordered_map<std::string, PanelSettings> panels_;
};

}  // namespace panelwire::core
