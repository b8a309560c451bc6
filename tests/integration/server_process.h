#pragma once
// Starts the real panelwire-server binary on a free loopback port for a test
// and stops it afterwards.

#include <sys/types.h>

#include <string>
#include <vector>

namespace panelwire::test {

class ServerProcess {
 public:
  // Starts the server with `--listen 127.0.0.1:0` plus `args` and waits for
  // the line that names its port.
  explicit ServerProcess(std::vector<std::string> args = {});
  ~ServerProcess();

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string ws_url() const;

  // Sends `signo` and waits for the exit; returns the exit status (or
  // 128 + signal), -1 on timeout.
  int stop(int signo, int timeout_ms = 10'000);

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

}  // namespace panelwire::test
