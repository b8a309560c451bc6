#include "panel_catalog.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "display_name.h"
#include "qa_commands.h"
#include "text.h"

namespace panelwire::core {

namespace json = boost::json;

namespace {

Failure bad(const std::string& what) {
  return fail(v1::INVALID_ARGUMENT, "panels: " + what);
}

// The panel's reserved_names, when it has any.
Result<std::optional<ReservedNames>> reserved_of(const json::object& o, const std::string& id) {
  const auto* v = o.if_contains("reserved_names");
  if (!v) return std::nullopt;
  const auto wrong = bad("panel " + id + ": reserved_names is an array of up to " +
                         std::to_string(kMaxReservedNames) + " names");
  if (!v->is_array() || v->as_array().size() > kMaxReservedNames) return wrong;
  ReservedNames names;
  for (const auto& n : v->as_array()) {
    if (!n.is_string()) return wrong;
    auto name = clean_display_name(n.as_string());
    if (!name) return bad("panel " + id + ": reserved name: " + name.error().message);
    if (auto added = names.add(*name); !added)
      return bad("panel " + id + ": " + added.error().message);
  }
  return std::optional(std::move(names));
}

}  // namespace

Result<PanelCatalog> PanelCatalog::parse(std::string_view text) {
  boost::system::error_code ec;
  auto doc = json::parse(text, ec);
  if (ec) return bad("not JSON: " + ec.message());
  const auto* list = doc.is_object() ? doc.as_object().if_contains("panels") : nullptr;
  if (!list || !list->is_array()) return bad("wants {\"panels\": [...]}");
  PanelCatalog catalog;
  catalog.open_ = false;
  for (const auto& entry : list->as_array()) {
    if (!entry.is_object()) return bad("each panel is an object");
    const auto& o = entry.as_object();
    auto string_of = [&](const char* key) -> std::optional<std::string> {
      const auto* v = o.if_contains(key);
      if (!v) return std::string{};
      if (!v->is_string()) return std::nullopt;
      return std::string(v->as_string());
    };
    auto bool_of = [&](const char* key, bool fallback) -> std::optional<bool> {
      const auto* v = o.if_contains(key);
      if (!v) return fallback;
      if (!v->is_bool()) return std::nullopt;
      return v->as_bool();
    };
    auto id = string_of("id");
    if (!id || !valid_panel_id(*id)) return bad("a panel id must be 1 to 64 of [A-Za-z0-9._-]");
    PanelSettings s;
    auto title = string_of("title"), thread = string_of("forum_thread");
    auto guests = bool_of("guests_allowed", s.guests_allowed);
    auto premod = bool_of("pre_moderation", s.pre_moderation);
    if (!title || !thread || !guests || !premod)
      return bad("panel " + *id + " has a field of the wrong type");
    // A thread named by its address is linked on the pages, so it must be
    // one a page may link; a topic id (no scheme) is for the importer alone.
    if (thread && thread->find("://") != std::string::npos)
      if (auto ok = check_forum_url(*thread, "forum_thread", true); !ok)
        return bad("panel " + *id + ": " + ok.error().message);
    auto reserved = reserved_of(o, *id);
    if (!reserved) return reserved.error();
    if (*reserved) catalog.reserved_.emplace(*id, std::move(**reserved));
    s.title = *title;
    s.forum_thread = *thread;
    s.guests_allowed = *guests;
    s.pre_moderation = *premod;
    if (!catalog.panels_.emplace(*id, std::move(s)).second)
      return bad("panel " + *id + " is listed twice");
  }
  return catalog;
}

const ReservedNames& PanelCatalog::reserved_names(const std::string& panel_id) const {
  auto it = reserved_.find(panel_id);
  return it == reserved_.end() ? ReservedNames::fixed() : it->second;
}

Result<PanelSettings> PanelCatalog::find(const std::string& panel_id) const {
  if (auto it = panels_.find(panel_id); it != panels_.end()) return it->second;
  if (open_) return PanelSettings{};
  return fail(v1::UNKNOWN_PANEL, "no panel " + panel_id);
}

}  // namespace panelwire::core
