#pragma once
// What the probe reads about the relay under test, from /proc: its resident
// memory, its open descriptors, and the peak of its resident memory over a
// stretch of time (sampled on the probe's io_context).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

namespace panelwire::probe {

class ServerWatch {
 public:
  explicit ServerWatch(pid_t pid) : pid_(pid) {}

  bool alive() const;
  // Resident set in KiB; 0 when it cannot be read (the process is gone).
  std::uint64_t rss_kib() const;
  // Open file descriptors: the listener, log and outbox, and one per socket.
  std::size_t open_fds() const;

  // Memory the kernel holds in TCP socket buffers, in KiB: for every socket
  // of this network namespace (other programs' too), not only the relay's.
  static std::uint64_t tcp_buffers_kib();

  struct Peak {
    bool on = true;
    std::uint64_t rss_kib = 0;
    std::uint64_t tcp_kib = 0;
  };
  // Samples both every `every` until stop_peak(), which returns the largest
  // samples (counting one taken then).
  void start_peak(boost::asio::any_io_executor ex, std::chrono::milliseconds every);
  Peak stop_peak();

 private:
  pid_t pid_;
  std::shared_ptr<Peak> peak_;
};

// "27.4 MiB"
std::string mib(std::uint64_t kib);

}  // namespace panelwire::probe
