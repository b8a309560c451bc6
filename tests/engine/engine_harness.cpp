#include "engine_harness.h"

#include <array>
#include <stdexcept>
#include <thread>

#include <cstdlib>
#include <filesystem>

#include "memory_engine.h"
#include "redis_engine.h"
#include "redis_process.h"
#include "sqlite_panel_store.h"

namespace panelwire::engine {
namespace {

// Two owner shards, so panels spread over threads as in a server.
class MemoryHarness final : public EngineHarness {
 public:
  MemoryHarness(const core::PanelLimits& limits, const core::PanelCatalog& catalog)
      : engine_({owners_[0].executor(), owners_[1].executor()}, limits, clock_, catalog, outbox_) {}
  ~MemoryHarness() override {
    // The owners' threads stop before the engine they run goes away.
    for (auto& o : owners_) o.stop();
  }
  Engine& engine() override { return engine_; }
  RecordingOutbox& outbox() override { return outbox_; }

 private:
  core::SystemClock clock_;
  std::array<IoThread, 2> owners_;
  RecordingOutbox outbox_;
  MemoryEngine engine_;
};

// The embedded engine with its store in a fresh directory, with the suite's
// limits: the suite's tests resume from seq 0 under load, which a short
// history would refuse. The store's snapshots and trimming are tested in
// durable_engine_test.cpp and, under SIGKILLs, in durability_test.cpp.
class DurableHarness final : public EngineHarness {
 public:
  DurableHarness(const core::PanelLimits& limits, const core::PanelCatalog& catalog)
      : dir_(TempDir::make()),
        store_(open(dir_.path)),
        engine_({owners_[0].executor(), owners_[1].executor()}, limits, clock_, catalog, outbox_,
                {}, store_.get()) {
    if (auto r = engine_.restore(); !r) throw std::runtime_error(r.error().message);
  }
  ~DurableHarness() override {
    for (auto& o : owners_) o.stop();
  }
  Engine& engine() override { return engine_; }
  RecordingOutbox& outbox() override { return outbox_; }

 private:
  static std::unique_ptr<SqlitePanelStore> open(const std::string& dir) {
    auto store = SqlitePanelStore::open(dir);
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(*store);
  }

  TempDir dir_;
  core::SystemClock clock_;
  std::array<IoThread, 2> owners_;
  RecordingOutbox outbox_;
  // After the owners: it drains into their stopped contexts before they go.
  std::unique_ptr<SqlitePanelStore> store_;
  MemoryEngine engine_;
};

// One node on a redis-server of its own, with a short history so that
// trimming and snapshots take part in the suite too.
class RedisHarness final : public EngineHarness {
 public:
  RedisHarness(const core::PanelLimits& limits, const core::PanelCatalog& catalog)
      : engine_({owners_[0].executor(), owners_[1].executor()}, options(redis_), limits, clock_,
                catalog, outbox_) {
    engine_.start();
    for (int i = 0; i < 500 && !engine_.ready(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!engine_.ready()) throw std::runtime_error("the Redis engine did not connect");
  }
  ~RedisHarness() override {
    for (auto& o : owners_) o.stop();
  }
  Engine& engine() override { return engine_; }
  RecordingOutbox& outbox() override { return outbox_; }

 private:
  static RedisEngineOptions options(const RedisProcess& redis) {
    RedisEngineOptions o;
    o.endpoint = *parse_redis_url(redis.url());
    o.replica.snapshot_every = 50;
    o.connection.reconnect_min = std::chrono::milliseconds(20);
    o.connection.reconnect_max = std::chrono::milliseconds(200);
    return o;
  }

  RedisProcess redis_;
  core::SystemClock clock_;
  std::array<IoThread, 2> owners_;
  RecordingOutbox outbox_;
  RedisEngine engine_;
};

}  // namespace

TempDir TempDir::make() {
  char dir[] = "/tmp/panelwire-engine-XXXXXX";
  if (!mkdtemp(dir)) throw std::runtime_error("mkdtemp");
  return TempDir{dir};
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path.empty()) std::filesystem::remove_all(path, ec);
}

std::vector<EngineKind> engine_kinds() {
  return {EngineKind::memory, EngineKind::durable, EngineKind::redis};
}

std::string_view name_of(EngineKind kind) {
  switch (kind) {
    case EngineKind::memory:
      return "memory";
    case EngineKind::durable:
      return "durable";
    case EngineKind::redis:
      return "redis";
  }
  return "unknown";
}

std::unique_ptr<EngineHarness> make_harness(EngineKind kind, const core::PanelLimits& limits,
                                            const core::PanelCatalog& catalog) {
  switch (kind) {
    case EngineKind::memory:
      return std::make_unique<MemoryHarness>(limits, catalog);
    case EngineKind::durable:
      return std::make_unique<DurableHarness>(limits, catalog);
    case EngineKind::redis:
      return std::make_unique<RedisHarness>(limits, catalog);
  }
  return nullptr;
}

}  // namespace panelwire::engine
