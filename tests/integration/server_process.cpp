#include "server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

extern char** environ;

namespace panelwire::test {

namespace {

// PANELWIRE_TEST_SERVER_BIN runs these tests against another build of the
// relay (deploy/test.sh: the ThreadSanitizer one); else this build's.
std::string server_binary() {
  const char* other = std::getenv("PANELWIRE_TEST_SERVER_BIN");
  return other && *other ? other : PANELWIRE_SERVER_BIN;
}

// The first report a sanitizer wrote into the log, empty when none did.
std::string sanitizer_report(const std::string& log) {
  for (const char* mark : {"WARNING: ThreadSanitizer", "ERROR: AddressSanitizer",
                           "ERROR: LeakSanitizer", "runtime error:"}) {
    if (auto at = log.find(mark); at != std::string::npos) {
      auto from = log.rfind('\n', at);
      return log.substr(from == std::string::npos ? 0 : from + 1, 4000);
    }
  }
  return {};
}

}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> args) {
  std::vector<std::string> argv_s = {server_binary()};
  auto given = [&](const std::string& flag) {
    return std::find(args.begin(), args.end(), flag) != args.end();
  };
  if (!given("--threads")) argv_s.insert(argv_s.end(), {"--threads", "2"});
  if (!given("--listen")) argv_s.insert(argv_s.end(), {"--listen", "127.0.0.1:0"});
  for (const char* flag :
       {"--chat-per-minute", "--questions-per-minute", "--votes-per-minute",
        "--max-connections-per-address", "--joins-per-address-per-minute", "--frames-per-second"})
    if (!given(flag)) argv_s.insert(argv_s.end(), {flag, "0"});
  if (given("--outbox")) {
    outbox_ = *(std::find(args.begin(), args.end(), "--outbox") + 1);
  } else {
    outbox_ = temp_path("outbox.jsonl");
    argv_s.insert(argv_s.end(), {"--outbox", outbox_});
  }
  if (given("--data-dir")) {
    data_dir_ = *(std::find(args.begin(), args.end(), "--data-dir") + 1);
  } else {
    data_dir_ = temp_path("data");
    argv_s.insert(argv_s.end(), {"--data-dir", data_dir_});
  }
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  log_ = temp_path("server.log");
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot start " + argv_s[0]);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);

  // Read the "listening on HOST:PORT" line, with a deadline.
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    pollfd p{out[0], POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[256];
    auto n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  close(out[0]);
  auto colon = line.rfind(':');
  if (line.find("listening on") == std::string::npos || colon == std::string::npos) {
    stop(SIGKILL);
    throw std::runtime_error("server did not start: '" + line + "'\n" + log());
  }
  port_ = static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) stop(SIGKILL);
  // A race or a memory error in the relay fails the test that ran into it,
  // whatever the test itself saw.
  if (auto report = sanitizer_report(log()); !report.empty())
    ADD_FAILURE() << "the relay's sanitizer reported (" << log_ << "):\n" << report;
  if (::testing::Test::HasFailure()) {
    auto text = log();
    auto from = text.size() > 6000 ? text.size() - 6000 : 0;
    std::cerr << "--- end of the server's log (" << log_ << ") ---\n" << text.substr(from);
  }
}

std::string ServerProcess::log() const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ServerProcess::log_shows(const std::string& needle, std::size_t times,
                              std::chrono::milliseconds within) const {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (count_of(log(), needle) < times) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

long ServerProcess::rss_kib() const {
  if (pid_ <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

std::string temp_path(const std::string& name) {
  char dir[] = "/tmp/panelwire-test-XXXXXX";
  if (!mkdtemp(dir)) throw std::runtime_error("mkdtemp");
  return std::string(dir) + "/" + name;
}

std::string ServerProcess::ws_url() const {
  return "ws://127.0.0.1:" + std::to_string(port_) + "/v1/ws";
}

int ServerProcess::stop(int signo, int timeout_ms) {
  if (pid_ <= 0) return -1;
  kill(pid_, signo);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (true) {
    auto r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace panelwire::test
