// panelwire-server: relays live panel chat in one gap-free order.

#include <sys/resource.h>

#include <cstdio>

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "codec.h"
#include "config.h"
#include "relay.h"

namespace {

// Each connection is a file descriptor; the usual soft limit of 1024 would
// cap a relay far below what it can hold, so take what the hard limit allows.
// Returns the limit now in force.
std::size_t raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  return static_cast<std::size_t>(lim.rlim_cur);
}

// Descriptors kept for what is not a client: Redis connections, the
// outbox, the log, accept itself.
constexpr std::size_t kReservedFds = 256;

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  auto config = panelwire::app::parse_config(argc, argv, exit_code);
  if (!config) return exit_code;
  auto fds = raise_fd_limit();
  auto& limits = config->relay.addresses;
  if (limits.max_connections == 0)
    limits.max_connections = fds > 2 * kReservedFds ? fds - kReservedFds : fds / 2;

  // Log lines are formatted on the io threads and written by one background
  // thread. The queue holds 8192 lines; when full the oldest is dropped
  // rather than blocking an io thread.
  spdlog::init_thread_pool(8192, 1);
  auto logger = std::make_shared<spdlog::async_logger>(
      "panelwire", std::make_shared<spdlog::sinks::stderr_color_sink_mt>(), spdlog::thread_pool(),
      spdlog::async_overflow_policy::overrun_oldest);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  logger->set_level(spdlog::level::from_str(config->log_level));
  spdlog::set_default_logger(logger);
  panelwire::core::route_protobuf_logs();

  std::unique_ptr<panelwire::app::Relay> relay;
  try {
    relay = std::make_unique<panelwire::app::Relay>(*config);
  } catch (const std::exception& e) {
    spdlog::error("event=start_failed error=\"{}\"", e.what());
    spdlog::shutdown();
    return 1;
  }
  int code = 1;
  if (relay->bind()) {
    // Tests and scripts started with port 0 read the chosen port here.
    auto ep = relay->endpoint();
    std::printf("panelwire-server listening on %s:%u\n", ep.address().to_string().c_str(),
                static_cast<unsigned>(ep.port()));
    std::fflush(stdout);
    relay->run();
    code = 0;
  }
  // The relay logs while it stops: before the logger goes.
  relay.reset();
  spdlog::shutdown();
  return code;
}
