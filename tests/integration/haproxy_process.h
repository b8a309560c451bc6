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
  // Starts haproxy and waits until it answers GET /readyz with 200. With
  // `tls`, it also terminates wss:// on tls_port() with a self-signed
  // certificate for 127.0.0.1 made for it (certificate(): its PEM file).
  explicit HaproxyProcess(const std::vector<unsigned short>& relay_ports, bool tls = false);
  ~HaproxyProcess();
  HaproxyProcess(const HaproxyProcess&) = delete;
  HaproxyProcess& operator=(const HaproxyProcess&) = delete;

  unsigned short port() const { return port_; }
  unsigned short tls_port() const { return tls_port_; }
  const std::string& certificate() const { return certificate_; }

 private:
  unsigned short port_ = 0;
  unsigned short tls_port_ = 0;
  std::string dir_;
  std::string certificate_;
  pid_t pid_ = -1;
};

}  // namespace panelwire::test
