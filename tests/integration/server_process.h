#pragma once
// Starts the real panelwire-server binary on a free loopback port for a test
// and stops it afterwards.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace panelwire::test {

class ServerProcess {
 public:
  // Starts the server with `--listen 127.0.0.1:0` (unless `args` give
  // --listen) plus `args` and waits for
  // the line that names its port. Unless `args` say otherwise, rate limits
  // and the per-address and per-connection limits are off (most tests send
  // faster than a person, all from one address) and the outbox and the
  // data directory are fresh, of this test's own.
  explicit ServerProcess(std::vector<std::string> args = {});
  ~ServerProcess();

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string ws_url() const;
  // The leftover outbox the server writes.
  const std::string& outbox_path() const { return outbox_; }
  // Where the embedded engine keeps its panels: give it to a restarted
  // server (`--data-dir`) and it finds them there.
  const std::string& data_dir() const { return data_dir_; }
  // What the server wrote to stderr (its log) so far. A test that failed
  // prints its end when the process is destroyed.
  std::string log() const;
  // Waits until `needle` is in the log `times` times. The relay logs
  // through a thread of its own, so a line may land after the reply that
  // followed it: tests wait for it, never read once.
  bool log_shows(const std::string& needle, std::size_t times = 1,
                 std::chrono::milliseconds within = std::chrono::seconds(10)) const;
  // The server's resident memory now, in KiB (VmRSS), 0 once it is gone.
  long rss_kib() const;

  // Sends `signo` and waits for the exit; returns the exit status (or
  // 128 + signal), -1 on timeout.
  int stop(int signo, int timeout_ms = 10'000);

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::string outbox_;
  std::string data_dir_;
  std::string log_;
};

// How many times `needle` is in `text`.
std::size_t count_of(const std::string& text, const std::string& needle);

// A fresh path in a fresh temporary directory.
std::string temp_path(const std::string& name);

}  // namespace panelwire::test
