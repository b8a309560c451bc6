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

}  // namespace panelwire::test
