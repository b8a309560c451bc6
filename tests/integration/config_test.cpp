// The relay's configuration as an operator gives it to the real binary: an
// INI file (--config), PANELWIRE_<NAME> variables and the command line, the
// command line over the environment over the file, option by option; the
// client sees the result in its Welcome and in what is refused.

#include <stdlib.h>

#include <fstream>
#include <optional>
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

}  // namespace
}  // namespace panelwire::test
