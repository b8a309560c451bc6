#pragma once
// A real redis-server for a test, on a free loopback port, in a temporary
// directory; killed when the test ends.

#include <sys/types.h>

#include <string>
#include <vector>

namespace panelwire::engine {

// A loopback TCP port free at the time of asking.
unsigned short free_port();
// Whether something accepts connections on that loopback port.
bool accepts(unsigned short port);

class RedisProcess {
 public:
  // Starts redis-server; `port` 0 picks a free one. A `password` makes it
  // refuse clients until they AUTH with it (requirepass).
  explicit RedisProcess(unsigned short port = 0, std::string password = {});
  ~RedisProcess();

  unsigned short port() const { return port_; }
  // Without the password: tests give it as they mean to.
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  // SIGKILL, as a crash would.
  void kill();
  // Starts again on the same port.
  void restart();

  // Synchronous reads for test assertions (never on a server's path): the
  // field/value pairs of each entry of a stream, oldest first.
  std::vector<std::vector<std::string>> stream(const std::string& key) const;

 private:
  void spawn();
  unsigned short port_ = 0;
  std::string password_;
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace panelwire::engine
