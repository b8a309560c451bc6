#pragma once
// Runs one of the project's command-line tools to completion, feeding its
// stdin and collecting its output, with a deadline.

#include <chrono>
#include <string>
#include <vector>

namespace panelwire::test {

struct ToolResult {
  // Exit status, 128 + signal when killed, -1 when it ran past the deadline.
  int exit_code = -1;
  std::string out;
  std::string err;
};

ToolResult run_tool(const std::string& path, const std::vector<std::string>& args,
                    const std::string& stdin_text = {},
                    std::chrono::milliseconds deadline = std::chrono::seconds(20));

// A participant token minted by the CLI at `cli` (`panelwire token`).
std::string mint_token(const std::string& cli, const std::string& secret, const std::string& role,
                       const std::string& name, const std::string& panel,
                       const std::vector<std::string>& extra = {});

}  // namespace panelwire::test
