#pragma once
// What the engine contract suite needs from each engine: a way to build one
// on threads of its own, by name.

#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "engine.h"

namespace panelwire::engine {

// One io_context run by one thread, like a server shard.
class IoThread {
 public:
  IoThread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~IoThread() { stop(); }
  // Idempotent; handlers not yet run are dropped.
  void stop() {
    guard_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  Executor executor() { return io_.get_executor(); }
  bool running_here() { return io_.get_executor().running_in_this_thread(); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

class EngineHarness {
 public:
  virtual ~EngineHarness() = default;
  virtual Engine& engine() = 0;
};

enum class EngineKind { memory };

std::vector<EngineKind> engine_kinds();
std::string_view name_of(EngineKind kind);
std::unique_ptr<EngineHarness> make_harness(EngineKind kind, const core::PanelLimits& limits);

}  // namespace panelwire::engine
