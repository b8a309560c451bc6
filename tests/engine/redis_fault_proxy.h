#pragma once
// A TCP proxy on a free loopback port in front of a real redis-server, for
// the faults a Redis cannot be made to show on cue: the connection cut just
// after Redis answered a chosen command (it was applied, the reply is lost)
// or just before the command reaches Redis (never applied), and Redis out of
// reach for as long as a test wants (the port refuses connections).

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace panelwire::engine {

class RedisFaultProxy {
 public:
  explicit RedisFaultProxy(unsigned short redis_port);
  ~RedisFaultProxy();

  unsigned short port() const { return port_; }

  enum class Cut {
    // The request holding the marker is dropped: Redis never sees it.
    before_request,
    // The request goes through; Redis's next answer on that connection is
    // dropped instead: the command was applied, nobody hears it was.
    after_reply,
  };
  // Arms one cut at the first request whose bytes hold `marker`; with it
  // the proxy goes down (set_down(true)).
  void cut_at(std::string marker, Cut how);
  // The armed cut happened.
  bool cut_done() const { return cut_done_; }
  // Down: every connection closed and the port closed (connections are
  // refused, as by a dead Redis). Up again: forwards on the same port.
  void set_down(bool down);

 private:
  void loop(std::stop_token stop);
  void wake();

  unsigned short redis_port_;
  unsigned short port_ = 0;
  int wake_fd_ = -1;
  std::mutex m_;
  bool down_ = false;
  std::string marker_;
  Cut how_ = Cut::before_request;
  std::atomic<bool> cut_done_ = false;
  std::jthread thread_;
};

}  // namespace panelwire::engine
