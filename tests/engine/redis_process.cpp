#include "redis_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace panelwire::engine {

namespace {
// spdlog's registry is a function-local static of its shared library, which
// ThreadSanitizer does not see: made here, before a test starts a thread,
// its construction is not taken for a race with the first line logged.
[[maybe_unused]] const auto kLoggerMadeFirst = spdlog::default_logger();
}  // namespace

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

RedisProcess::RedisProcess(unsigned short port, std::string password,
                           std::vector<std::string> extra_args)
    : port_(port ? port : free_port()),
      password_(std::move(password)),
      extra_args_(std::move(extra_args)) {
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
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
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

void RedisProcess::restart(std::vector<std::string> extra_args) {
  kill();
  extra_args_ = std::move(extra_args);
  spawn();
}

void RedisProcess::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisProcess::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

RedisProcess::Answer RedisProcess::call(const std::vector<std::string>& argv, int db) const {
  Answer a;
  a.error = true;
  redisContext* c = redisConnect("127.0.0.1", port_);
  if (!c || c->err) {
    a.text = c ? c->errstr : "out of memory";
    if (c) redisFree(c);
    return a;
  }
  auto one = [&](const std::vector<std::string>& args) {
    std::vector<const char*> ptrs;
    std::vector<std::size_t> lens;
    for (const auto& s : args) {
      ptrs.push_back(s.data());
      lens.push_back(s.size());
    }
    return static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(args.size()), ptrs.data(), lens.data()));
  };
  bool ok = true;
  if (!password_.empty()) {
    auto* r = one({"AUTH", password_});
    ok = r && r->type != REDIS_REPLY_ERROR;
    if (r) freeReplyObject(r);
  }
  if (ok && db != 0) {
    auto* r = one({"SELECT", std::to_string(db)});
    ok = r && r->type != REDIS_REPLY_ERROR;
    if (r) freeReplyObject(r);
  }
  if (auto* r = ok ? one(argv) : nullptr) {
    a.error = r->type == REDIS_REPLY_ERROR;
    a.integer = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
    if (r->str) a.text.assign(r->str, r->len);
    // Nested arrays flattened, depth first.
    auto flatten = [&](auto& self, const redisReply* x) -> void {
      for (std::size_t i = 0; i < x->elements; ++i) {
        const auto* e = x->element[i];
        if (e->type == REDIS_REPLY_ARRAY) {
          self(self, e);
        } else {
          a.items.push_back(e->type == REDIS_REPLY_INTEGER ? std::to_string(e->integer)
                            : e->str                       ? std::string(e->str, e->len)
                                                           : std::string());
        }
      }
    };
    if (r->type == REDIS_REPLY_ARRAY) flatten(flatten, r);
    freeReplyObject(r);
  } else if (c->err) {
    a.text = c->errstr;
  }
  redisFree(c);
  return a;
}

long long RedisProcess::info_number(const std::string& section, const std::string& field) const {
  auto info = call({"INFO", section});
  auto at = info.text.find("\n" + field + ":");
  if (info.error || at == std::string::npos) return -1;
  return std::stoll(info.text.substr(at + field.size() + 2));
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
