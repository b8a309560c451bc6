#pragma once
// Checks on user-supplied text and identifiers.

#include <cstddef>
#include <optional>
#include <string_view>

namespace panelwire::core {

// Number of Unicode code points in `s`, or nullopt when `s` is not valid
// UTF-8 (overlong forms, surrogates and values past U+10FFFF included).
std::optional<std::size_t> utf8_length(std::string_view s);

// Panel ids appear in URLs, logs and (later) Redis keys: 1-64 characters
// of [A-Za-z0-9._-].
bool valid_panel_id(std::string_view id);

// Command and client ids are echoed back and kept for de-duplication:
// visible ASCII (no spaces or controls), at most 64 bytes.
bool valid_token_id(std::string_view id, std::size_t max = 64);

}  // namespace panelwire::core
