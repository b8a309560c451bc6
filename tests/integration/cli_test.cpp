// The `panelwire` command-line client against the real server: what people
// type reaches everyone in one order, and its exit code tells scripts what
// happened.

#include <fstream>

#include <gtest/gtest.h>

#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

ToolResult chat(const ServerProcess& server, std::vector<std::string> args,
                const std::string& input) {
  std::vector<std::string> all = {"chat", "--url", server.ws_url()};
  all.insert(all.end(), args.begin(), args.end());
  return run_tool(PANELWIRE_CLI_BIN, all, input);
}

// The lines without their "[HH:MM:SS] " stamps, which depend on the clock.
std::string unstamped(const std::string& out) {
  std::string result;
  std::size_t pos = 0;
  while (pos < out.size()) {
    auto end = out.find('\n', pos);
    auto line = out.substr(pos, end - pos);
    auto open = line.find(" [");
    auto close = line.find("] ");
    if (open != std::string::npos && close != std::string::npos)
      line = line.substr(0, open) + " " + line.substr(close + 2);
    result += line + "\n";
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return result;
}

TEST(Cli, LinesFromStdinReachTheNextReaderInOrder) {
  ServerProcess server;
  auto ann = chat(server, {"--panel", "cli", "--name", "Ann"}, "hello there\nsecond line\n");
  ASSERT_EQ(ann.exit_code, 0) << ann.err;
  EXPECT_EQ(unstamped(ann.out), "#1 Ann: hello there\n#2 Ann: second line\n");

  auto bob = chat(server, {"--panel", "cli", "--name", "Bob", "--json"}, "from bob\n");
  ASSERT_EQ(bob.exit_code, 0) << bob.err;
  EXPECT_EQ(unstamped(bob.out), "#1 Ann: hello there\n#2 Ann: second line\n#3 Bob: from bob\n")
      << "the snapshot first, then its own message";
  EXPECT_NE(bob.err.find("joined cli as Bob at seq 2 (FRESH)"), std::string::npos) << bob.err;
}

TEST(Cli, ResumeAfterPrintsOnlyWhatCameLater) {
  ServerProcess server;
  ASSERT_EQ(chat(server, {"--panel", "r", "--name", "Ann"}, "one\ntwo\nthree\n").exit_code, 0);
  auto late = chat(server, {"--panel", "r", "--name", "Cid", "--resume-after", "1"}, "");
  ASSERT_EQ(late.exit_code, 0) << late.err;
  EXPECT_EQ(unstamped(late.out), "#2 Ann: two\n#3 Ann: three\n");
  EXPECT_NE(late.err.find("(RESUMED)"), std::string::npos) << late.err;
}

TEST(Cli, ControlCharactersCannotForgeALine) {
  ServerProcess server;
  auto r = chat(server, {"--panel", "esc", "--name", "Eve"}, "a\tb\x1b[31m\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(unstamped(r.out), "#1 Eve: a\\x09b\\x1b[31m\n");
}

TEST(Cli, ExitCodesSayWhatWentWrong) {
  ServerProcess server({"--max-chat-chars", "10"});
  auto refused = chat(server, {"--panel", "x", "--name", "Ann"}, "short\nthis is far too long\n");
  EXPECT_EQ(refused.exit_code, 1) << "a refused message";
  EXPECT_NE(refused.err.find("TOO_LONG"), std::string::npos) << refused.err;
  EXPECT_EQ(unstamped(refused.out), "#1 Ann: short\n") << "the rest still went through";

  auto bad_panel = chat(server, {"--panel", "no spaces", "--name", "Ann"}, "hi\n");
  EXPECT_EQ(bad_panel.exit_code, 2) << "the join was refused";
  EXPECT_NE(bad_panel.err.find("INVALID_ARGUMENT"), std::string::npos) << bad_panel.err;

  auto usage = run_tool(PANELWIRE_CLI_BIN, {"chat", "--name", "Ann"});
  EXPECT_EQ(usage.exit_code, 64) << "missing --panel";
}

TEST(Cli, ATokenSecretFileSignsWithTheSecretLessItsLineEnd) {
  const std::string secret = "cli-test-secret-of-32-bytes-or-more";
  auto token = [&](std::vector<std::string> how) {
    std::vector<std::string> args = {"token", "--name",       "Ann",       "--panel",
                                     "p",     "--expires-at", "2000000000"};
    args.insert(args.end(), how.begin(), how.end());
    auto r = run_tool(PANELWIRE_CLI_BIN, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  auto on_argv = token({"--secret", secret});
  for (auto [line_end, name] : {std::pair{"\n", "LF"}, std::pair{"\r\n", "CRLF"}}) {
    auto file = temp_path("token.secret");
    std::ofstream(file, std::ios::binary) << secret << line_end;
    EXPECT_EQ(token({"--secret-file", file}), on_argv) << "a file ending in " << name;
  }
}

}  // namespace
}  // namespace panelwire::test

namespace panelwire::test {
namespace {

// The bench is a tool, not a test: this only checks that it runs, counts and
// reports (no timing is asserted).
TEST(Bench, SmallRunReportsEveryDelivery) {
  ServerProcess server;
  auto r = run_tool(PANELWIRE_BENCH_BIN, {"--url", server.ws_url(), "--subscribers", "20",
                                          "--publishers", "2", "--rate", "200", "--duration", "1",
                                          "--server-pid", std::to_string(server.pid()), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto last = r.out.substr(r.out.rfind('{'));
  for (auto key : {"\"connections\":22", "\"sent\":200", "\"expected\":4000", "\"delivered\":4000",
                   "\"lost\":0", "\"duplicates\":0",
                   "\"p99_us\":", "\"server_cpu_us_per_delivery\":", "\"server_rss_kib\":"})
    EXPECT_NE(last.find(key), std::string::npos) << key << " in " << last;
}

TEST(Bench, IdleModeReportsMemoryPerConnection) {
  ServerProcess server;
  auto r = run_tool(PANELWIRE_BENCH_BIN, {"--url", server.ws_url(), "--idle", "50", "--server-pid",
                                          std::to_string(server.pid()), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"connections\":50"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"rss_per_conn_kib\":"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace panelwire::test

namespace panelwire::test {
namespace {

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

TEST(CliQa, AskVoteModerateListEnd) {
  ServerProcess server({"--token-secret", "cli-test-secret-of-32-bytes-or-more"});
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--url", server.ws_url(), "--panel", "qa"});
    return run_tool(PANELWIRE_CLI_BIN, args);
  };
  auto token = [&](const std::string& role, const std::string& name) {
    auto r =
        run_tool(PANELWIRE_CLI_BIN, {"token", "--secret", "cli-test-secret-of-32-bytes-or-more",
                                     "--role", role, "--name", name, "--panel", "qa"});
    EXPECT_EQ(r.exit_code, 0);
    return first_line(r.out);
  };
  auto mod = token("moderator", "Mo"), ann = token("attendee", "Jackie Wheeler");

  auto asked = cli({"ask", "--token", ann, "--to", "Dr. Alberts", "What comes after the panel?"});
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  const auto id = first_line(asked.out);
  EXPECT_EQ(id, "1");
  ASSERT_EQ(cli({"ask", "--name", "Guest", "--anonymous", "A quiet one"}).exit_code, 0);

  EXPECT_EQ(first_line(cli({"vote", "--name", "Bob", "--client-id", "bob", id}).out), "counted");
  EXPECT_EQ(first_line(cli({"vote", "--name", "Bob", "--client-id", "bob", id}).out), "unchanged")
      << "one vote per participant";

  auto refused = cli({"moderate", "--token", ann, "highlight", id});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("FORBIDDEN"), std::string::npos) << refused.err;
  auto done = cli({"moderate", "--token", mod, "highlight", id});
  EXPECT_EQ(done.exit_code, 0) << done.err;

  auto listed = cli({"questions", "--order", "recent"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(
      listed.out,
      "2\tOPEN\t0 votes\tan attendee\tA quiet one\n"
      "1\tANSWERING\t1 votes\tJackie Wheeler (to Dr. Alberts)\tWhat comes after the panel?\n");

  auto ended = cli({"end", "--token", mod});
  EXPECT_EQ(ended.exit_code, 0) << ended.err;
  auto twice = cli({"end", "--token", mod});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("PANEL_ENDED"), std::string::npos) << twice.err;

  auto bad = cli({"moderate", "--token", mod, "explode", id});
  EXPECT_EQ(bad.exit_code, 64);
}

}  // namespace
}  // namespace panelwire::test
