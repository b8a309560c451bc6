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
#include <boost/asio/awaitable.hpp>

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
    std::size_t samples = 0;
    bool exact = false;  // the resident peak is the kernel's, not sampled
  };
  // Peak resident set (VmHWM) since start or since the last reset_peak().
  std::uint64_t peak_rss_kib() const;
  // Restarts that peak from the present resident set (clear_refs 5); false
  // when this process may not.
  bool reset_peak() const;

  // From now until stop_peak(): the peak resident set (VmHWM, reset now;
  // where that cannot be reset, samples taken every `every`) and the peak of
  // the kernel's TCP buffers (samples).
  void start_peak(boost::asio::any_io_executor ex, std::chrono::milliseconds every);
  Peak stop_peak();

 private:
  static boost::asio::awaitable<void> sample_peak(std::shared_ptr<Peak> peak, pid_t pid,
                                                  std::chrono::milliseconds every);
  pid_t pid_;
  std::shared_ptr<Peak> peak_;
};

// "27.4 MiB"
std::string mib(std::uint64_t kib);

}  // namespace panelwire::probe
