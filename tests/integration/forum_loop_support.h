#pragma once
// The forum loop's shared steps: a real relay's panel ended with its
// questions left over, the importer's log read while it runs, and the
// panel's questions as the CLI lists them (what an attendee sees of the
// follow-up).

#include <chrono>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "client_commands.h"
#include "raw_client.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {

// The relays' token secret in these tests; the importer signs with it too.
inline const std::string kLoopSecret = "discourse-loop-secret-of-32-bytes-or-more";

inline std::string loop_token(const std::string& role, const std::string& name,
                              const std::string& panel) {
  return mint_token(PANELWIRE_CLI_BIN, kLoopSecret, role, name, panel);
}

// A guest asks `n` questions in `panel`; a moderator ends it.
inline void run_panel(const ServerProcess& relay, const std::string& panel, int n) {
  RawClient guest(relay.port()), mo(relay.port());
  guest.join(panel, "Pat Guest");
  mo.join(panel, "Mo", "", {}, loop_token("moderator", "Mo", panel));
  for (int i = 1; i <= n; ++i) {
    const auto id = "q" + std::to_string(i);
    ASSERT_FALSE(
        guest.command(with_id(ask("Question number " + std::to_string(i) + "?"), id)).has_error());
  }
  ASSERT_FALSE(mo.command(with_id(end_panel(), "end")).has_error());
}

// The leftover ids the relay published, from its outbox.
inline std::vector<std::string> published(const ServerProcess& relay) {
  std::vector<std::string> out;
  std::ifstream in(relay.outbox_path());
  for (std::string line; std::getline(in, line);)
    out.emplace_back(boost::json::parse(line).at("leftoverId").as_string());
  return out;
}

// The log's text, once `pattern` is in it (or what it holds after `within`).
inline std::string wait_for_log(const std::string& path, const std::regex& pattern,
                                std::chrono::milliseconds within = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + within;
  std::string text;
  do {
    std::ifstream in(path);
    text.assign(std::istreambuf_iterator<char>(in), {});
    if (std::regex_search(text, pattern)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < until);
  return text;
}

// The port the importer's answers endpoint took (it logs it); 0 when it
// never said.
inline unsigned short answers_port(const std::string& log) {
  const std::regex listening(R"(event=answers_listening address=127\.0\.0\.1:(\d+))");
  const auto text = wait_for_log(log, listening);
  std::smatch m;
  return std::regex_search(text, m, listening) ? static_cast<unsigned short>(std::stoul(m[1].str()))
                                               : 0;
}

// The panel's questions as `panelwire questions` lists them.
inline std::string questions_of(const ServerProcess& relay, const std::string& panel) {
  return run_tool(PANELWIRE_CLI_BIN, {"questions", "--url", relay.ws_url(), "--panel", panel}).out;
}

}  // namespace panelwire::test
