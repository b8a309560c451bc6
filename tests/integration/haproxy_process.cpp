#include "haproxy_process.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "raw_client.h"
#include "redis_process.h"
#include "tls_support.h"

extern char** environ;

namespace panelwire::test {

namespace {

void replace_all(std::string& text, const std::string& what, const std::string& with) {
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}

}  // namespace

HaproxyProcess::HaproxyProcess(const std::vector<unsigned short>& relay_ports, bool tls)
    : port_(engine::free_port()) {
  char dir[] = "/tmp/panelwire-haproxy-XXXXXX";
  if (!mkdtemp(dir)) throw std::runtime_error("mkdtemp");
  dir_ = dir;
  std::string tls_bind;
  if (tls) {
    tls_port_ = engine::free_port();
    // As deploy/cluster.sh makes one for local use: self-signed, for the
    // loopback address; haproxy takes the key beside it in one file.
    const auto made = make_certificate(dir_, "localhost");
    std::ofstream(dir_ + "/tls.pem")
        << std::ifstream(made.cert).rdbuf() << std::ifstream(made.key).rdbuf();
    certificate_ = made.cert;
    tls_bind = "  bind 127.0.0.1:" + std::to_string(tls_port_) + " ssl crt " + dir_ +
               "/tls.pem alpn http/1.1";
  }
  std::ifstream in(PANELWIRE_SOURCE_DIR "/deploy/haproxy.cfg.in");
  std::string cfg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (cfg.empty()) throw std::runtime_error("cannot read deploy/haproxy.cfg.in");
  std::ostringstream servers;
  for (std::size_t i = 0; i < relay_ports.size(); ++i)
    servers << (i ? "\n" : "") << "  server node" << i + 1 << " 127.0.0.1:" << relay_ports[i]
            << " check inter 1s fall 2 rise 1";
  replace_all(cfg, "@BIND@", "127.0.0.1:" + std::to_string(port_));
  replace_all(cfg, "@TLS_BIND@", tls_bind);
  replace_all(cfg, "@SERVERS@", servers.str());
  const auto path = dir_ + "/haproxy.cfg";
  std::ofstream(path) << cfg;
  std::vector<std::string> args = {"haproxy", "-db", "-q", "-f", path};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawnp(&pid_, "haproxy", nullptr, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot start haproxy (deploy/install-deps.sh installs it)");
  for (int i = 0; i < 500; ++i) {
    if (engine::accepts(port_) && RawClient::http_get(port_, "/readyz").first == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("haproxy did not start");
}

HaproxyProcess::~HaproxyProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::system(("rm -rf '" + dir_ + "'").c_str());
}

}  // namespace panelwire::test
