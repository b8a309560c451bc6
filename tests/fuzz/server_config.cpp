// panelwire-server's configuration. An input starting with "--" is a command
// line, one argument per line; any other input is the INI file given with
// --config. A configuration that parses must be one the server can run with.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "fuzz_check.h"
#include "rate_limiter.h"

namespace {

using namespace panelwire;

// One in-memory file per process, rewritten for every input and named by
// its descriptor: nothing is left behind, however the run ends.
class ConfigFile {
 public:
  ConfigFile() : fd_(memfd_create("panelwire-fuzz-config", 0)) {
    fuzz::check(fd_ >= 0, "an in-memory config file can be made");
  }
  std::string write(std::string_view content) {
    fuzz::check(ftruncate(fd_, 0) == 0 && pwrite(fd_, content.data(), content.size(), 0) ==
                                              static_cast<ssize_t>(content.size()),
                "the config file takes the input");
    return "/proc/self/fd/" + std::to_string(fd_);
  }

 private:
  int fd_;
};

// Files the input names are read as the operator's. Device and kernel files
// that never end (/dev/zero, stdin) would hang the run without finding a bug.
bool names_endless_file(std::string_view input) {
  for (std::string_view bad : {"/dev", "/proc", "/sys", "../"})
    if (input.find(bad) != std::string_view::npos) return true;
  return false;
}

std::vector<std::string> arguments(std::string_view input) {
  std::vector<std::string> args{"panelwire-server"};
  if (input.rfind("--", 0) == 0) {
    std::size_t start = 0;
    while (start <= input.size()) {
      auto end = input.find('\n', start);
      if (end == std::string_view::npos) end = input.size();
      args.emplace_back(input.substr(start, end - start));
      start = end + 1;
    }
  } else {
    static ConfigFile file;
    args.push_back("--config=" + file.write(input));
  }
  return args;
}

// The limiter takes every parsed rule: from a full bucket, then an empty one.
void use_rates(const core::RateLimits& limits) {
  core::RateLimiter limiter(limits.max_tracked);
  for (const auto* rule : {&limits.chat, &limits.question, &limits.vote}) {
    for (int i = 0; i < 3; ++i) limiter.take("p", *rule, 1'000);
    limiter.take("p", *rule, 2'000);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (names_endless_file(input)) return 0;
  auto args = arguments(input);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // Errors and --help go to the console; thousands of runs a second need not.
  std::ostringstream sink;
  auto* err = std::cerr.rdbuf(sink.rdbuf());
  auto* out = std::cout.rdbuf(sink.rdbuf());
  int exit_code = -1;
  auto config = app::parse_config(static_cast<int>(args.size()), argv.data(), exit_code);
  std::cerr.rdbuf(err);
  std::cout.rdbuf(out);

  if (!config) {
    fuzz::check(exit_code == 0 || exit_code == 2, "a refused configuration exits 0 or 2");
    return 0;
  }
  const auto& r = config->relay;
  fuzz::check(!config->listen_host.empty(), "a listen host");
  fuzz::check(r.chat.max_chat_chars > 0 && r.questions.max_question_chars > 0 &&
                  r.questions.max_answer_chars > 0,
              "text limits are positive");
  fuzz::check(r.max_frame_bytes >= 1024 && r.outbound_queue_bytes >= r.max_frame_bytes,
              "frames fit the outbound queue");
  fuzz::check(r.max_inflight_commands > 0, "commands can be in flight");
  for (auto t : {r.handshake_timeout, r.join_timeout, r.idle_timeout, r.close_timeout,
                 config->drain_timeout})
    fuzz::check(t.count() > 0, "timeouts are positive");
  const auto& rates = r.panel.rates;
  for (const auto* rule : {&rates.chat, &rates.question, &rates.vote})
    fuzz::check(rule->burst >= 1, "bursts are at least 1");
  use_rates(rates);
  return 0;
}
