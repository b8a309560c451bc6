#pragma once
// What the bench reads about another process (the server) from /proc, and
// the summary statistics it prints.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace panelwire::bench {

// User + system CPU time the process has used, in microseconds.
std::optional<std::uint64_t> cpu_time_us(pid_t pid);
// Resident set size in KiB.
std::optional<std::uint64_t> rss_kib(pid_t pid);

// Raises this process's open-file limit to its hard maximum: thousands of
// sockets need more than the usual 1024.
void raise_fd_limit();

struct Percentiles {
  std::uint64_t p50 = 0, p90 = 0, p99 = 0, max = 0;
};
// Nearest-rank percentiles; reorders `samples`.
Percentiles percentiles(std::vector<std::uint32_t>& samples);

}  // namespace panelwire::bench
