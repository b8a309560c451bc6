#pragma once
// A real haproxy for a test, configured from deploy/haproxy.cfg.in (the
// configuration deploy/cluster.sh renders) in front of the given relays, on
// a free loopback port; killed when the test ends.

#include <sys/types.h>

#include <string>
#include <vector>

namespace panelwire::test {

class HaproxyProcess {
 public:
  // Starts haproxy and waits until it answers GET /readyz with 200.
  explicit HaproxyProcess(const std::vector<unsigned short>& relay_ports);
  ~HaproxyProcess();
  HaproxyProcess(const HaproxyProcess&) = delete;
  HaproxyProcess& operator=(const HaproxyProcess&) = delete;

  unsigned short port() const { return port_; }

 private:
  unsigned short port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace panelwire::test
