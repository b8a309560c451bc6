#pragma once
// `panelwire chat`: joins a panel, prints every event, sends each line read
// from stdin as a chat message. At the end of stdin it waits for the last
// acks and exits.

#include <string>
#include <vector>

namespace panelwire::cli {

// Returns the process exit code: 0 when every message was accepted, 1 when
// the server refused some, 2 when the panel could not be joined.
int run_chat(const std::vector<std::string>& args);

}  // namespace panelwire::cli
