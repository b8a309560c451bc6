#pragma once
// What the engine contract suite needs from each engine: a way to build one
// on threads of its own, by name.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <mutex>

#include "engine.h"
#include "leftover_outbox.h"
#include "panel_catalog.h"

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

// Keeps what was published, and when, so tests can check it came before
// the ack.
class RecordingOutbox final : public LeftoverOutbox {
 public:
  void publish(v1::LeftoverBatch batch, std::function<void(core::Result<void>)> done) override {
    {
      std::lock_guard lock(m_);
      batches_.push_back(std::move(batch));
    }
    done(fail_ ? core::Result<void>(core::fail(v1::UNAVAILABLE, "disk full"))
               : core::Result<void>{});
  }
  std::vector<v1::LeftoverBatch> batches() {
    std::lock_guard lock(m_);
    return batches_;
  }
  void fail_writes(bool f) { fail_ = f; }

 private:
  std::mutex m_;
  std::vector<v1::LeftoverBatch> batches_;
  std::atomic<bool> fail_ = false;
};

// The suite's outbox: each engine's real one (the file beside the embedded
// engine, the Redis stream beside the Redis engine) behind a gate the test
// holds, so that "durable before the ack" is shown against a slow outbox
// rather than assumed from one that answers at once.
class GatedOutbox final : public LeftoverOutbox {
 public:
  explicit GatedOutbox(std::unique_ptr<LeftoverOutbox> real) : real_(std::move(real)) {}
  // The real outbox goes first: its last confirmations still find this.
  ~GatedOutbox() override { real_.reset(); }

  void publish(v1::LeftoverBatch batch, std::function<void(core::Result<void>)> done) override;
  // While held, what the real outbox confirms waits here for release().
  void hold();
  void release();
  // Batches the real outbox confirmed, held or not.
  std::size_t confirmed();
  // Fails each publish without writing, as a full disk would after retries.
  void fail_writes(bool f) { fail_ = f; }

 private:
  std::unique_ptr<LeftoverOutbox> real_;
  std::mutex m_;
  bool held_ = false;
  std::size_t confirmed_ = 0;
  std::vector<std::function<void()>> waiting_;
  std::atomic<bool> fail_ = false;
};

class EngineHarness {
 public:
  virtual ~EngineHarness() = default;
  virtual Engine& engine() = 0;
  // Where the engine publishes leftovers.
  virtual GatedOutbox& outbox() = 0;
  // What the real outbox holds now, read from its file or stream, oldest
  // first: the importer's view.
  virtual std::vector<v1::Leftover> stored_leftovers() = 0;
};

// A fresh directory, removed with what is in it.
struct TempDir {
  static TempDir make();
  TempDir(std::string p) : path(std::move(p)) {}
  TempDir(TempDir&& o) noexcept : path(std::exchange(o.path, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  std::string path;
};

// memory: the embedded engine alone; durable: with its SQLite store.
enum class EngineKind { memory, durable, redis };

std::vector<EngineKind> engine_kinds();
std::string_view name_of(EngineKind kind);
// `catalog` outlives the harness.
std::unique_ptr<EngineHarness> make_harness(EngineKind kind, const core::PanelLimits& limits,
                                            const core::PanelCatalog& catalog);

}  // namespace panelwire::engine
