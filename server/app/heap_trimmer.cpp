#include "heap_trimmer.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <spdlog/spdlog.h>

namespace panelwire::app {

namespace {

// Resident memory, from /proc (0 where there is none).
long rss_kib() {
  long pages = 0, resident = 0;
  std::ifstream statm("/proc/self/statm");
  if (!(statm >> pages >> resident)) return 0;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

}  // namespace

HeapTrimmer::HeapTrimmer(boost::asio::io_context& ioc, HeapTrimPolicy policy)
    : policy_(policy), timer_(ioc) {}

void HeapTrimmer::start() {
  if (policy_.every.count() <= 0) return;
  timer_.expires_after(policy_.every);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    look();
    start();
  });
}

void HeapTrimmer::stop() {
  timer_.cancel();
}

void HeapTrimmer::look() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
  const auto info = mallinfo2();
  // The top chunk (keepcost) goes back on its own past M_TRIM_THRESHOLD.
  const std::size_t free_bytes = info.fordblks - info.keepcost;
  // Free chunks stay free when trimmed (their pages are handed back), so
  // what counts is what was freed since: bytes above the least free seen
  // after the last trim may be resident again.
  low_free_bytes_ = std::min(low_free_bytes_, free_bytes);
  if (free_bytes - low_free_bytes_ < policy_.min_free_bytes) return;
  low_free_bytes_ = free_bytes;
  const auto rss_before = rss_kib();
  const auto start = std::chrono::steady_clock::now();
  malloc_trim(0);
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  spdlog::info("event=heap_trimmed free_kib={} rss_kib_before={} rss_kib_after={} took_us={}",
               free_bytes >> 10, rss_before, rss_kib(), took.count());
#endif
}

}  // namespace panelwire::app
