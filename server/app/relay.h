#pragma once
// The whole node: shards and their threads, the engine, the listener, and
// the drain on SIGTERM.

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "config.h"
#include "engine.h"
#include "heap_trimmer.h"
#include "leftover_outbox.h"
#include "listener.h"
#include "memory_engine.h"
#include "panel_store.h"
#include "shard.h"
#include "tls_certificate.h"

namespace panelwire::app {

class Relay {
 public:
  // Throws std::runtime_error when the outbox or the data directory cannot
  // be opened or the stored panels do not load.
  explicit Relay(ServerConfig config);
  ~Relay();

  // Binds the listening socket. On failure says why and returns false.
  bool bind();
  boost::asio::ip::tcp::endpoint endpoint() const { return listener_->local_endpoint(); }

  // Serves until SIGTERM or SIGINT, then closes every session with 1001 and
  // returns once they are gone or the drain timeout passed. SIGHUP reads
  // the TLS certificate and key again.
  void run();

 private:
  void drain();
  void reload_tls();
  bool bind_metrics();

  ServerConfig config_;
  core::SystemClock clock_;
  std::atomic<std::size_t> live_sessions_{0};
  // Before the io_contexts: sessions they still hold release their leases.
  std::unique_ptr<net::ConnectionGate> gate_;
  std::vector<std::unique_ptr<boost::asio::io_context>> iocs_;
  // Before the engine, which writes to it until it goes.
  std::unique_ptr<engine::PanelStore> store_;
  std::unique_ptr<engine::LeftoverOutbox> outbox_;
  std::unique_ptr<engine::Engine> engine_;
  std::vector<std::unique_ptr<net::Shard>> shards_;
  // With --tls-cert: before the listener, which reads it on each accept.
  std::unique_ptr<net::TlsCertificate> tls_;
  std::shared_ptr<net::Listener> listener_;
  // With --metrics-listen: the figures and the port that serves them.
  std::unique_ptr<net::MetricsSource> metrics_;
  std::shared_ptr<net::Listener> metrics_listener_;
  std::vector<std::thread> threads_;
  boost::asio::io_context main_;
  // Made with the relay, so a signal sent as soon as it says it listens is
  // held for run() rather than taking the default action (SIGHUP's ends
  // the process).
  boost::asio::signal_set stop_signals_{main_, SIGTERM, SIGINT};
  boost::asio::signal_set hangup_{main_, SIGHUP};
  // On the main thread, out of the io threads' way.
  HeapTrimmer trimmer_{main_, config_.heap_trim};
};

unsigned available_cpus();

}  // namespace panelwire::app
