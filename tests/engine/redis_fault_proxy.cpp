#include "redis_fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

#include "redis_process.h"

namespace panelwire::engine {

namespace {

sockaddr_in loopback(unsigned short port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

int listen_on(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto addr = loopback(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    auto w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// One client's connection and the proxy's own to Redis.
struct Pair {
  int client = -1, server = -1;
  // The request bytes' tail, so a marker split across reads is found.
  std::string tail;
  bool drop_next_reply = false;
  void close() {
    if (client >= 0) ::close(client);
    if (server >= 0) ::close(server);
    client = server = -1;
  }
};

}  // namespace

RedisFaultProxy::RedisFaultProxy(unsigned short redis_port) : redis_port_(redis_port) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  port_ = free_port();
  thread_ = std::jthread([this](std::stop_token stop) { loop(stop); });
  for (int i = 0; i < 500 && !accepts(port_); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!accepts(port_)) throw std::runtime_error("the proxy did not start");
}

RedisFaultProxy::~RedisFaultProxy() {
  thread_.request_stop();
  wake();
  thread_.join();
  ::close(wake_fd_);
}

void RedisFaultProxy::wake() {
  std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void RedisFaultProxy::cut_at(std::string marker, Cut how) {
  std::lock_guard lock(m_);
  marker_ = std::move(marker);
  how_ = how;
  cut_done_ = false;
}

void RedisFaultProxy::set_down(bool down) {
  {
    std::lock_guard lock(m_);
    down_ = down;
  }
  wake();
  // Back up: wait until the port takes connections again.
  for (int i = 0; !down && i < 500 && !accepts(port_); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void RedisFaultProxy::loop(std::stop_token stop) {
  int listener = -1;
  std::vector<Pair> pairs;
  auto go_down = [&] {
    // Under m_.
    down_ = true;
    for (auto& p : pairs) p.close();
    pairs.clear();
    if (listener >= 0) ::close(listener);
    listener = -1;
  };
  while (!stop.stop_requested()) {
    {
      std::lock_guard lock(m_);
      if (down_) go_down();
      if (!down_ && listener < 0) listener = listen_on(port_);
    }
    std::vector<pollfd> fds{{wake_fd_, POLLIN, 0}, {listener, POLLIN, 0}};
    for (auto& p : pairs) {
      fds.push_back({p.client, POLLIN, 0});
      fds.push_back({p.server, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), 1000) <= 0) continue;
    if (fds[0].revents) {
      std::uint64_t n;
      (void)!::read(wake_fd_, &n, sizeof n);
    }
    std::lock_guard lock(m_);
    if (down_) continue;
    // Only the pairs in `fds`: one accepted below waits for the next poll.
    const std::size_t polled = pairs.size();
    if (listener >= 0 && (fds[1].revents & POLLIN)) {
      int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        auto addr = loopback(redis_port_);
        if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
          ::close(server);
          ::close(client);
        } else {
          pairs.push_back({client, server, {}, false});
        }
      }
    }
    char buf[64 * 1024];
    for (std::size_t i = 0; i < polled && !down_; ++i) {
      auto& p = pairs[i];
      const auto& from_client = fds[2 + 2 * i];
      const auto& from_server = fds[3 + 2 * i];
      if (from_client.revents) {
        auto n = ::recv(p.client, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EAGAIN) continue;
        if (n <= 0) {
          p.close();
          continue;
        }
        std::string_view chunk(buf, static_cast<std::size_t>(n));
        const bool marked =
            !marker_.empty() && (p.tail + std::string(chunk)).find(marker_) != std::string::npos;
        p.tail = std::string(chunk.substr(chunk.size() > 256 ? chunk.size() - 256 : 0));
        if (marked && how_ == Cut::before_request) {
          marker_.clear();
          cut_done_ = true;
          go_down();
          break;
        }
        if (marked) {
          marker_.clear();
          p.drop_next_reply = true;
        }
        if (!write_all(p.server, chunk.data(), chunk.size())) {
          p.close();
          continue;
        }
      }
      if (from_server.revents && p.server >= 0) {
        auto n = ::recv(p.server, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EAGAIN) continue;
        if (n <= 0) {
          p.close();
          continue;
        }
        if (p.drop_next_reply) {
          cut_done_ = true;
          go_down();
          break;
        }
        if (!write_all(p.client, buf, static_cast<std::size_t>(n))) p.close();
      }
    }
    std::erase_if(pairs, [](const Pair& p) { return p.client < 0; });
  }
  for (auto& p : pairs) p.close();
  if (listener >= 0) ::close(listener);
}

}  // namespace panelwire::engine
