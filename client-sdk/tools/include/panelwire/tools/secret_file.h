#pragma once
// Secrets kept in files (mounted by the operator or an orchestrator) stay out
// of argv, which every local user can read, and out of the environment.

#include <optional>
#include <string>

namespace panelwire::tools {

// The content of the file at `path` less one trailing newline ("\n" or
// "\r\n"), which is not part of the secret; nullopt when it cannot be read.
// Callers name the flag and the path in their errors, never the content.
std::optional<std::string> read_secret_file(const std::string& path);

}  // namespace panelwire::tools
