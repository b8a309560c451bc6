// The relay's configuration as an operator gives it to the real binary: an
// INI file (--config), PANELWIRE_<NAME> variables and the command line, the
// command line over the environment over the file, option by option; the
// client sees the result in its Welcome and in what is refused.

#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "raw_client.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

// Set for the scope's life: the relay inherits the test's environment.
struct ScopedEnv {
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  const char* name_;
};

TEST(Config, TheFileTheEnvironmentAndTheCommandLineReachTheRelayInThatOrder) {
  const auto ini = temp_path("relay.ini");
  std::ofstream(ini) << "# an operator's file\nmax-frame-bytes = 20000\nmax-question-chars = 300\n"
                        "max-chat-chars = 400\n";
  ScopedEnv question("PANELWIRE_MAX_QUESTION_CHARS", "350");
  ScopedEnv chat("PANELWIRE_MAX_CHAT_CHARS", "450");
  ServerProcess relay({"--config", ini, "--max-chat-chars", "500"});

  RawClient ann(relay.port());
  const auto limits = ann.join("config", "Ann").limits();
  EXPECT_EQ(limits.max_frame_bytes(), 20000u) << "from the file";
  EXPECT_EQ(limits.max_question_chars(), 350u) << "the environment over the file";
  EXPECT_EQ(limits.max_chat_chars(), 500u) << "the command line over both";

  // And the relay holds to them.
  EXPECT_FALSE(ann.chat("at", std::string(500, 'a')).has_error());
  auto over = ann.chat("over", std::string(501, 'a'));
  ASSERT_TRUE(over.has_error());
  EXPECT_EQ(over.error().code(), v1::TOO_LONG);
  EXPECT_FALSE(ann.closed());
}

TEST(Config, AFileOrAVariableTheRelayCannotTakeStopsItWithAUsageError) {
  const auto ini = temp_path("relay.ini");
  std::ofstream(ini) << "no-such-option = 1\n";
  struct Case {
    std::vector<std::string> args;
    const char* variable;  // PANELWIRE_MAX_CHAT_CHARS, when set
    std::string named;     // what the message must name
  };
  for (const auto& c : std::vector<Case>{
           {{"--config", ini}, nullptr, "no-such-option"},
           {{"--config", "/nonexistent/relay.ini"}, nullptr, "/nonexistent/relay.ini"},
           {{}, "many", "max-chat-chars"}}) {
    std::optional<ScopedEnv> env;
    if (c.variable) env.emplace("PANELWIRE_MAX_CHAT_CHARS", c.variable);
    // One that starts anyway runs into the deadline (exit -1).
    auto run = run_tool(PANELWIRE_SERVER_BIN, c.args, {}, std::chrono::seconds(10));
    EXPECT_EQ(run.exit_code, 2) << c.named << ": " << run.err;
    EXPECT_NE(run.err.find(c.named), std::string::npos) << "the message names it: " << run.err;
  }
}

TEST(Config, EveryOptionIsInTheReferenceWithItsDefault) {
  auto help = run_tool(PANELWIRE_SERVER_BIN, {"--help"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  std::ifstream in(PANELWIRE_SOURCE_DIR "/docs/configuration.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(doc.empty()) << "docs/configuration.md";
  // "  --name arg (=default)" at the start of a help line.
  const std::regex option(R"(\n  (?:-\w \[ )?--([a-z0-9-]+)(?: \])?(?: arg)?(?: \(=([^)]*)\))?)");
  std::size_t options = 0;
  for (std::sregex_iterator it(help.out.begin(), help.out.end(), option), end; it != end; ++it) {
    const std::string name = (*it)[1];
    if (name == "help") continue;
    ++options;
    // Its row: "| `--name` | default | ...".
    const auto row = doc.find("| `--" + name + "` |");
    ASSERT_NE(row, std::string::npos) << "--" << name << " is not in docs/configuration.md";
    const std::string line = doc.substr(row, doc.find('\n', row) - row);
    // The default column, with digit groups as the binary prints them
    // (1,800,000 -> 1800000). Sizes are written for people (16 MiB) and
    // 0 or 1 may stand for words: those are not compared.
    const std::string value = (*it)[2];
    if (value.empty() || value == "0" || value == "1") continue;
    const auto cell_at = line.find('|', 3) + 1;
    std::string cell = line.substr(cell_at, line.find('|', cell_at) - cell_at);
    if (cell.find("iB") != std::string::npos) continue;
    cell.erase(std::remove(cell.begin(), cell.end(), ','), cell.end());
    EXPECT_NE(cell.find(value), std::string::npos)
        << "--" << name << " defaults to " << value << ", the reference says:" << cell;
  }
  EXPECT_GT(options, 50u) << "the help's options were read";
}

}  // namespace
}  // namespace panelwire::test
