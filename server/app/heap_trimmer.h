#pragma once
// Gives the C heap's free pages back to the system from time to time.
//
// glibc hands memory back only from the top of a heap. Once thousands of
// panels or sessions have come and gone, the pages they freed in the middle
// stay resident for good (100,000 short-lived panels: 374 MiB after every
// one was evicted). malloc_trim(0) releases them.
//
// It runs on the main thread, never on an io thread. While it walks an
// arena it holds that arena's lock, so an io thread allocating from it
// waits: it runs only when the free bytes are worth that.

#include <chrono>
#include <cstddef>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace panelwire::app {

struct HeapTrimPolicy {
  // How often the free bytes are looked at (0: never trim). Eviction sweeps
  // run every few seconds to a minute; ten seconds follows them closely
  // enough, and looking costs a walk of the free lists.
  std::chrono::milliseconds every{10'000};
  // Bytes freed since the last trim (beyond the top of the heap, which glibc
  // trims itself) worth a trim: a few hundred evicted panels, far above the
  // churn of a steady panel, so a steady node never trims.
  std::size_t min_free_bytes = 16u << 20;
};

class HeapTrimmer {
 public:
  HeapTrimmer(boost::asio::io_context& ioc, HeapTrimPolicy policy);

  // Looks now and then every `policy.every` until stop().
  void start();
  void stop();

 private:
  void look();

  HeapTrimPolicy policy_;
  // The least free bytes seen since the last trim.
  std::size_t low_free_bytes_ = 0;
  boost::asio::steady_timer timer_;
};

}  // namespace panelwire::app
