#include "server_watch.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "probe_conn.h"
#include "process_stats.h"

namespace panelwire::probe {

bool ServerWatch::alive() const {
  std::error_code ec;
  return std::filesystem::exists("/proc/" + std::to_string(pid_) + "/status", ec);
}

std::uint64_t ServerWatch::rss_kib() const {
  return bench::rss_kib(pid_).value_or(0);
}

std::uint64_t ServerWatch::peak_rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  return 0;
}

bool ServerWatch::reset_peak() const {
  std::ofstream out("/proc/" + std::to_string(pid_) + "/clear_refs");
  out << "5";
  out.flush();
  return out.good();
}

std::size_t ServerWatch::open_fds() const {
  std::error_code ec;
  std::size_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid_) + "/fd", ec), end;
       !ec && it != end; it.increment(ec))
    ++n;
  return n;
}

Task<void> ServerWatch::sample_peak(std::shared_ptr<Peak> peak, pid_t pid,
                                    std::chrono::milliseconds every) {
  while (peak->on) {
    co_await sleep_for(every);
    if (!peak->on) break;
    peak->samples++;
    peak->rss_kib = std::max(peak->rss_kib, bench::rss_kib(pid).value_or(0));
    peak->tcp_kib = std::max(peak->tcp_kib, tcp_buffers_kib());
  }
}

std::uint64_t ServerWatch::tcp_buffers_kib() {
  // "TCP: inuse 3 orphan 0 tw 12 alloc 5 mem 42", mem in pages.
  std::ifstream in("/proc/net/sockstat");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("TCP:", 0) != 0) continue;
    std::istringstream fields(line.substr(4));
    std::string key;
    std::uint64_t value = 0;
    while (fields >> key >> value)
      if (key == "mem") return value * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)) / 1024;
  }
  return 0;
}

void ServerWatch::start_peak(boost::asio::any_io_executor ex, std::chrono::milliseconds every) {
  if (peak_) peak_->on = false;
  peak_ = std::make_shared<Peak>();
  peak_->rss_kib = rss_kib();
  peak_->tcp_kib = tcp_buffers_kib();
  peak_->exact = reset_peak();
  boost::asio::co_spawn(ex, sample_peak(peak_, pid_, every), boost::asio::detached);
}

ServerWatch::Peak ServerWatch::stop_peak() {
  Peak out{false, rss_kib(), tcp_buffers_kib()};
  if (!peak_) return out;
  peak_->on = false;
  out.rss_kib = std::max(out.rss_kib, peak_->rss_kib);
  out.tcp_kib = std::max(out.tcp_kib, peak_->tcp_kib);
  out.samples = peak_->samples;
  out.exact = peak_->exact;
  if (out.exact) out.rss_kib = std::max(out.rss_kib, peak_rss_kib());
  peak_.reset();
  return out;
}

std::string mib(std::uint64_t kib) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(kib) / 1024.0);
  return buf;
}

}  // namespace panelwire::probe
