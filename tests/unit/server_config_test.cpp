// panelwire-server's configuration: each value that could not run is
// refused at start with exit code 2, and the defaults are the documented ones.

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config.h"

namespace panelwire::app {
namespace {

struct Parsed {
  std::optional<ServerConfig> config;
  int exit_code = -1;
};

Parsed parse(std::vector<std::string> args) {
  args.insert(args.begin(), "panelwire-server");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  Parsed p;
  p.config = parse_config(static_cast<int>(argv.size()), argv.data(), p.exit_code);
  return p;
}

TEST(ServerConfig, DefaultsAreTheDocumentedOnes) {
  auto p = parse({});
  ASSERT_TRUE(p.config);
  EXPECT_EQ(p.config->relay.socket_send_buffer_bytes, 256u << 10);
  EXPECT_EQ(p.config->heap_trim.every, std::chrono::milliseconds(10'000));
  EXPECT_EQ(p.config->heap_trim.min_free_bytes, 16u << 20);
  EXPECT_TRUE(p.config->id_secret_random) << "no secret given: random per process";
  EXPECT_EQ(p.config->retention.ended_ttl, std::chrono::hours(24 * 30))
      << "an ended panel waits for its forum follow-up as long as on Redis";
  EXPECT_EQ(p.config->retention.idle_ttl, std::chrono::minutes(30));
  EXPECT_EQ(p.config->retention.max_panels, 2'000u);
}

TEST(ServerConfig, PanelsAreKeptOnDiskUnlessInMemoryIsAsked) {
  auto p = parse({});
  ASSERT_TRUE(p.config);
  EXPECT_EQ(p.config->data_dir, "panelwire-data") << "beside the working directory";
  EXPECT_EQ(p.config->data_max_bytes, 0u);
  auto d = parse({"--data-dir", "/var/lib/pw", "--data-max-bytes", "1048576"});
  ASSERT_TRUE(d.config);
  EXPECT_EQ(d.config->data_dir, "/var/lib/pw");
  EXPECT_EQ(d.config->data_max_bytes, 1048576u);
  auto m = parse({"--in-memory"});
  ASSERT_TRUE(m.config);
  EXPECT_TRUE(m.config->data_dir.empty());
  auto empty = parse({"--data-dir", ""});
  EXPECT_FALSE(empty.config) << "an empty directory is a mistake, not a way to say in memory";
  EXPECT_EQ(empty.exit_code, 2);
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

std::string ini_file(const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("panelwire-config-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(dir);
  const auto path = (dir / "relay.ini").string();
  std::ofstream(path) << text;
  return path;
}

// The documented precedence: the command line over the environment
// (PANELWIRE_<NAME>) over the INI file, option by option.
TEST(ServerConfig, TheCommandLineOverridesTheEnvironmentWhichOverridesTheFile) {
  const auto path =
      ini_file("history-events = 111\nmax-question-chars = 222\nmax-chat-chars = 333\n");
  ScopedEnv question("PANELWIRE_MAX_QUESTION_CHARS", "444");
  ScopedEnv chat("PANELWIRE_MAX_CHAT_CHARS", "555");
  // Not an option: other PANELWIRE_ variables are left alone.
  ScopedEnv stray("PANELWIRE_NOT_AN_OPTION", "1");
  auto p = parse({"--config", path, "--max-chat-chars", "666"});
  ASSERT_TRUE(p.config) << "exit code " << p.exit_code;
  EXPECT_EQ(p.config->relay.panel.history_events, 111u) << "from the file";
  EXPECT_EQ(p.config->relay.questions.max_question_chars, 444u) << "the environment over the file";
  EXPECT_EQ(p.config->relay.chat.max_chat_chars, 666u) << "the command line over both";
}

TEST(ServerConfig, AFileOrAVariableThatCannotBeTakenIsRefused) {
  auto unknown = parse({"--config", ini_file("no-such-option = 1\n")});
  EXPECT_FALSE(unknown.config);
  EXPECT_EQ(unknown.exit_code, 2) << "an unknown key in the file";
  auto missing = parse({"--config", "/nonexistent/panelwire.ini"});
  EXPECT_FALSE(missing.config);
  EXPECT_EQ(missing.exit_code, 2) << "a file that cannot be read";
  ScopedEnv bad("PANELWIRE_MAX_CHAT_CHARS", "many");
  auto p = parse({});
  EXPECT_FALSE(p.config);
  EXPECT_EQ(p.exit_code, 2) << "a value that is not a number";
}

TEST(ServerConfig, RatesAndBurstsThatCannotWorkAreRefused) {
  for (const char* flag : {"--chat-burst", "--question-burst", "--vote-burst",
                           "--join-burst-per-address", "--frame-burst"}) {
    for (const char* value : {"nan", "0.5", "-1"}) {
      auto p = parse({flag, value});
      EXPECT_FALSE(p.config) << flag << " " << value;
      EXPECT_EQ(p.exit_code, 2) << flag << " " << value;
    }
  }
  for (const char* flag : {"--chat-per-minute", "--questions-per-minute", "--votes-per-minute",
                           "--joins-per-address-per-minute", "--frames-per-second"}) {
    for (const char* value : {"nan", "-1", "inf"}) {
      auto p = parse({flag, value});
      EXPECT_FALSE(p.config) << flag << " " << value;
      EXPECT_EQ(p.exit_code, 2) << flag << " " << value;
    }
    EXPECT_TRUE(parse({flag, "0"}).config) << flag << " 0 turns the limit off";
  }
}

// A drain that ends before a silent client's close timeout exits with the
// session still open.
TEST(ServerConfig, TheDrainOutlastsTheCloseTimeout) {
  EXPECT_TRUE(parse({}).config) << "the defaults: 8 s against 5 s";
  EXPECT_FALSE(parse({"--drain-timeout-ms", "5000"}).config) << "as long as the close timeout";
  EXPECT_FALSE(parse({"--close-timeout-ms", "9000"}).config);
  EXPECT_TRUE(parse({"--close-timeout-ms", "9000", "--handshake-timeout-ms", "4000"}).config)
      << "the handshake timeout cuts a close sooner";
}

TEST(ServerConfig, BatchingHasBoundsAndCanBeTurnedOff) {
  auto d = parse({});
  ASSERT_TRUE(d.config);
  EXPECT_EQ(d.config->relay.batch_interval, std::chrono::milliseconds(30));
  EXPECT_EQ(d.config->relay.batch_above_deliveries_per_second, 20000);
  EXPECT_TRUE(d.config->relay.tcp_nodelay);
  auto off = parse({"--batch-interval-ms", "0"});
  ASSERT_TRUE(off.config);
  EXPECT_EQ(off.config->relay.batch_interval.count(), 0);
  EXPECT_TRUE(parse({"--batch-above-deliveries-per-second", "0"}).config) << "0: batch every frame";
  auto nagle = parse({"--tcp-nodelay", "false"});
  ASSERT_TRUE(nagle.config);
  EXPECT_FALSE(nagle.config->relay.tcp_nodelay);
  for (auto args :
       std::vector<std::vector<std::string>>{{"--batch-interval-ms", "-1"},
                                             {"--batch-interval-ms", "1001"},
                                             {"--batch-above-deliveries-per-second", "-1"},
                                             {"--batch-above-deliveries-per-second", "nan"},
                                             {"--batch-above-deliveries-per-second", "inf"}}) {
    auto p = parse(args);
    EXPECT_FALSE(p.config) << args[0] << " " << args[1];
    EXPECT_EQ(p.exit_code, 2) << args[0] << " " << args[1];
  }
}

TEST(ServerConfig, HeapTrimCanBeTurnedOffNotMadeNegative) {
  auto off = parse({"--heap-trim-every-ms", "0"});
  ASSERT_TRUE(off.config);
  EXPECT_EQ(off.config->heap_trim.every.count(), 0);
  auto negative = parse({"--heap-trim-every-ms", "-5"});
  EXPECT_FALSE(negative.config);
  EXPECT_EQ(negative.exit_code, 2);
}

TEST(ServerConfig, ShortSecretsAndPlaceholdersAreRefused) {
  EXPECT_FALSE(parse({"--token-secret", "dev-secret"}).config);
  EXPECT_FALSE(parse({"--id-secret", "short"}).config);
  auto placeholder = parse({"--threads=%value%"});
  EXPECT_FALSE(placeholder.config);
  EXPECT_EQ(placeholder.exit_code, 2);
  auto derived = parse({"--token-secret", std::string(32, 's')});
  ASSERT_TRUE(derived.config);
  EXPECT_FALSE(derived.config->id_secret_random) << "ids follow the token secret";
  EXPECT_FALSE(derived.config->relay.id_secret.empty());
}

}  // namespace
}  // namespace panelwire::app
