#include "redis_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace panelwire::engine {

unsigned short free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("no free port");
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

RedisProcess::RedisProcess(unsigned short port, std::string password)
    : port_(port ? port : free_port()), password_(std::move(password)) {
  char dir[] = "/tmp/panelwire-redis-XXXXXX";
  if (!mkdtemp(dir)) throw std::runtime_error("mkdtemp");
  dir_ = dir;
  spawn();
}

RedisProcess::~RedisProcess() {
  kill();
  std::system(("rm -rf '" + dir_ + "'").c_str());
}

void RedisProcess::spawn() {
  std::vector<std::string> args = {"redis-server", "--port",    std::to_string(port_),
                                   "--bind",       "127.0.0.1", "--dir",
                                   dir_,           "--save",    "",
                                   "--appendonly", "yes",       "--appendfsync",
                                   "always",       "--logfile", dir_ + "/redis.log"};
  if (!password_.empty()) args.insert(args.end(), {"--requirepass", password_});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot start redis-server (deploy/install-deps.sh installs it)");
  for (int i = 0; i < 500 && !accepts(port_); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!accepts(port_)) throw std::runtime_error("redis-server did not start");
}

void RedisProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void RedisProcess::restart() {
  kill();
  spawn();
}

std::vector<std::vector<std::string>> RedisProcess::stream(const std::string& key) const {
  std::vector<std::vector<std::string>> out;
  redisContext* c = redisConnect("127.0.0.1", port_);
  if (!c || c->err) {
    if (c) redisFree(c);
    throw std::runtime_error("cannot connect to the test's redis-server");
  }
  if (!password_.empty()) {
    const char* auth[] = {"AUTH", password_.c_str()};
    if (auto* r = redisCommandArgv(c, 2, auth, nullptr)) freeReplyObject(r);
  }
  const char* argv[] = {"XRANGE", key.c_str(), "-", "+"};
  auto* r = static_cast<redisReply*>(redisCommandArgv(c, 4, argv, nullptr));
  if (r && r->type == REDIS_REPLY_ARRAY) {
    for (std::size_t i = 0; i < r->elements; ++i) {
      const auto* fields = r->element[i]->element[1];
      auto& entry = out.emplace_back();
      for (std::size_t f = 0; f < fields->elements; ++f)
        entry.emplace_back(fields->element[f]->str, fields->element[f]->len);
    }
  }
  if (r) freeReplyObject(r);
  redisFree(c);
  return out;
}

}  // namespace panelwire::engine
