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
  // refuse clients until they AUTH with it (requirepass). `extra_args` come
  // after the usual ones, so they override them (`--appendonly no`).
  explicit RedisProcess(unsigned short port = 0, std::string password = {},
                        std::vector<std::string> extra_args = {});
  ~RedisProcess();

  unsigned short port() const { return port_; }
  // Without the password: tests give it as they mean to.
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  // SIGKILL, as a crash would.
  void kill();
  // Starts again on the same port, in the same directory (its AOF), with
  // `extra_args` after the usual ones this time.
  void restart(std::vector<std::string> extra_args = {});
  // SIGSTOP, SIGCONT: a Redis that stops answering without closing a socket.
  void pause();
  void resume();

  // One command on a connection of its own (AUTH first when the server has
  // a password, then SELECT `db` unless 0), synchronously, for assertions.
  struct Answer {
    bool error = false;  // an error reply, or no connection
    long long integer = 0;
    std::string text;                // a string, status or error reply
    std::vector<std::string> items;  // an array's strings and integers, flattened
  };
  Answer call(const std::vector<std::string>& argv, int db = 0) const;
  // A field of INFO's answer, as a number (-1 when it is not there).
  long long info_number(const std::string& section, const std::string& field) const;

  // Synchronous reads for test assertions (never on a server's path): the
  // field/value pairs of each entry of a stream, oldest first.
  std::vector<std::vector<std::string>> stream(const std::string& key) const;

 private:
  void spawn();
  unsigned short port_ = 0;
  std::string password_;
  std::vector<std::string> extra_args_;
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace panelwire::engine
