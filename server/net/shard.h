#pragma once
// A shard: one io_context run by one thread. Every socket belongs to one
// shard and is only touched there; shards talk by posting immutable data.

#include <atomic>
#include <limits>
#include <memory>
#include <span>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "connection_gate.h"
#include "engine.h"
#include "panel_hub.h"
#include "rate_limiter.h"
#include "relay_config.h"
#include "session_list.h"
#include "shard_stats.h"

namespace panelwire::net {

// A socket typed to its shard's io_context: every operation on the
// per-message path then skips the type-erased executor.
using ShardExecutor = boost::asio::io_context::executor_type;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, ShardExecutor>;

// Something on the shard that must be told when the server drains.
class Drainable : public SessionHook<Drainable> {
 public:
  virtual void drain() = 0;
  // Ends it at once: the socket closed, nothing more sent. For what is
  // left when the drain runs out, so it ends while its shard still exists.
  virtual void abort() = 0;
  // Adds what it holds now (a connection, queued bytes) to a scrape's copy
  // of the shard's figures.
  virtual void count(ShardStats& into) const = 0;

 protected:
  ~Drainable() = default;
};

// A session whose frames wait for the shard's next flush.
class Flushable : public SessionHook<Flushable> {
 public:
  virtual void flush() = 0;

 protected:
  ~Flushable() = default;
};

// A session the shard looks in on while it is silent.
class Keepalive : public SessionHook<Keepalive> {
 public:
  // Every quarter of the idle timeout (see RelayConfig::idle_timeout).
  virtual void keepalive_tick() = 0;

 protected:
  ~Keepalive() = default;
};

class Shard {
 public:
  // One socket read takes at most this much. The buffer is the shard's,
  // shared by its sessions (a read is parsed before the next starts), so a
  // session holds no read buffer of its own while its client is silent;
  // 64 KiB takes a busy client's commands, or a long message, in few reads.
  static constexpr std::size_t kReadChunkBytes = 64u << 10;

  // `ioc` is run by exactly one thread.
  Shard(std::size_t index, boost::asio::io_context& ioc, const RelayConfig& config,
        const core::Clock& clock, engine::Engine& engine, ConnectionGate& gate,
        std::atomic<std::size_t>& live_sessions)
      : index_(index),
        ioc_(ioc),
        config_(config),
        clock_(clock),
        engine_(engine),
        gate_(gate),
        hub_(engine, ioc.get_executor(), clock,
             config.batch_interval.count() > 0 ? config.batch_above_deliveries_per_second
                                               : std::numeric_limits<double>::infinity(),
             stats_),
        live_sessions_(live_sessions),
        tick_(ioc),
        keepalive_tick_(ioc) {}

  std::size_t index() const { return index_; }
  boost::asio::io_context& ioc() { return ioc_; }
  const RelayConfig& config() const { return config_; }
  const core::Clock& clock() const { return clock_; }
  engine::Engine& engine() { return engine_; }
  ConnectionGate& gate() { return gate_; }
  PanelHub& hub() { return hub_; }

  // Logs a line about a client's misbehaviour, within a budget: a flood of
  // bad frames must not flood the log queue (whose overflow drops other
  // lines). Lines past the budget are counted, and the count goes with the
  // next line logged. Formatted only when logged.
  template <class... Args>
  void log_abuse(spdlog::level::level_enum level, fmt::format_string<Args...> format,
                 Args&&... args) {
    if (!abuse_log_.take(clock_.now_ms())) {
      ++abuse_suppressed_;
      return;
    }
    spdlog::log(level, "{} suppressed_before={}", fmt::format(format, std::forward<Args>(args)...),
                std::exchange(abuse_suppressed_, 0));
  }

  void add(Drainable& d) {
    drainables_.push_back(d);
    ++live_sessions_;
  }
  // Called by a Drainable's destructor (its hook has already unlinked it).
  void removed() { --live_sessions_; }

  // On this shard's thread: tells every session to close.
  void drain() {
    draining_ = true;
    for (auto it = drainables_.begin(); it != drainables_.end();) (it++)->drain();
  }
  bool draining() const { return draining_; }
  // On this shard's thread: ends every session at once.
  void abort() {
    for (auto it = drainables_.begin(); it != drainables_.end();) (it++)->abort();
  }

  // The shard's figures, counted on its thread (see ShardStats).
  ShardStats& stats() { return stats_; }
  // On this shard's thread: a copy of them, with the gauges counted now.
  ShardStats snapshot() const;

  // Where a session reads its socket into; see kReadChunkBytes.
  std::span<char> read_chunk() { return {read_chunk_.get(), kReadChunkBytes}; }

  // Calls `k` every quarter of the idle timeout until it is destroyed.
  void watch(Keepalive& k);

  // Flushes `f` at the shard's next tick (core::next_batch_tick), at most
  // batch_interval from now; once however often it is asked.
  void flush_later(Flushable& f);

 private:
  std::size_t index_;
  boost::asio::io_context& ioc_;
  const RelayConfig& config_;
  const core::Clock& clock_;
  engine::Engine& engine_;
  ConnectionGate& gate_;
  // Before the hub, which counts into it.
  ShardStats stats_;
  PanelHub hub_;
  // 10 lines a second per shard, 100 at once.
  core::TokenBucket abuse_log_{core::RateRule{10, 100}};
  std::size_t abuse_suppressed_ = 0;
  std::atomic<std::size_t>& live_sessions_;
  bool draining_ = false;
  // Overflow rule of these three lists: see SessionList.
  SessionList<Drainable> drainables_;
  using FlushList = SessionList<Flushable>;
  FlushList to_flush_;
  boost::asio::steady_timer tick_;
  void on_tick();
  SessionList<Keepalive> watched_;
  // Armed while anyone is watched.
  boost::asio::steady_timer keepalive_tick_;
  void arm_keepalive();
  std::unique_ptr<char[]> read_chunk_ = std::make_unique<char[]>(kReadChunkBytes);
};

}  // namespace panelwire::net
