#include "engine_harness.h"

#include <array>
#include <stdexcept>
#include <thread>

#include <cstdlib>
#include <filesystem>

#include <fstream>

#include <google/protobuf/util/json_util.h>

#include "file_outbox.h"
#include "memory_engine.h"
#include "redis_engine.h"
#include "redis_leftover_outbox.h"
#include "redis_process.h"
#include "sqlite_panel_store.h"

namespace panelwire::engine {
namespace {

// The embedded engine's outbox, a file of JSON lines in the test's own
// directory, read back as the importer reads it.
class FileOutboxAt {
 public:
  FileOutboxAt() : dir_(TempDir::make()), path_(dir_.path + "/outbox.jsonl") {}
  std::unique_ptr<LeftoverOutbox> open() { return std::make_unique<FileOutbox>(path_); }
  std::vector<v1::Leftover> read() const {
    std::vector<v1::Leftover> out;
    std::ifstream in(path_);
    for (std::string line; std::getline(in, line);) {
      if (!google::protobuf::util::JsonStringToMessage(line, &out.emplace_back()).ok())
        throw std::runtime_error("an outbox line that does not parse: " + line);
    }
    return out;
  }

 private:
  TempDir dir_;
  std::string path_;
};

// Two owner shards, so panels spread over threads as in a server.
class MemoryHarness final : public EngineHarness {
 public:
  MemoryHarness(const core::PanelLimits& limits, const core::PanelCatalog& catalog)
      : outbox_(file_.open()),
        engine_({owners_[0].executor(), owners_[1].executor()}, limits, clock_, catalog, outbox_) {}
  ~MemoryHarness() override {
    // The owners' threads stop before the engine they run goes away.
    for (auto& o : owners_) o.stop();
  }
  Engine& engine() override { return engine_; }
  GatedOutbox& outbox() override { return outbox_; }
  std::vector<v1::Leftover> stored_leftovers() override { return file_.read(); }

 private:
  core::SystemClock clock_;
  std::array<IoThread, 2> owners_;
  FileOutboxAt file_;
  GatedOutbox outbox_;
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
        outbox_(file_.open()),
        store_(open(dir_.path)),
        engine_({owners_[0].executor(), owners_[1].executor()}, limits, clock_, catalog, outbox_,
                {}, store_.get()) {
    if (auto r = engine_.restore(); !r) throw std::runtime_error(r.error().message);
  }
  ~DurableHarness() override {
    for (auto& o : owners_) o.stop();
  }
  Engine& engine() override { return engine_; }
  GatedOutbox& outbox() override { return outbox_; }
  std::vector<v1::Leftover> stored_leftovers() override { return file_.read(); }

 private:
  static std::unique_ptr<SqlitePanelStore> open(const std::string& dir) {
    auto store = SqlitePanelStore::open(dir);
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(*store);
  }

  TempDir dir_;
  core::SystemClock clock_;
  std::array<IoThread, 2> owners_;
  FileOutboxAt file_;
  GatedOutbox outbox_;
  // After the owners: it drains into their stopped contexts before they go.
  std::unique_ptr<SqlitePanelStore> store_;
  MemoryEngine engine_;
};

// One node on a redis-server of its own, with a short history so that
// trimming and snapshots take part in the suite too.
class RedisHarness final : public EngineHarness {
 public:
  RedisHarness(const core::PanelLimits& limits, const core::PanelCatalog& catalog)
      : outbox_(real_outbox(redis_, outbox_thread_)),
        engine_({owners_[0].executor(), owners_[1].executor()}, options(redis_), limits, clock_,
                catalog, outbox_) {
    engine_.start();
    for (int i = 0; i < 500 && !engine_.ready(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!engine_.ready()) throw std::runtime_error("the Redis engine did not connect");
  }
  ~RedisHarness() override {
    for (auto& o : owners_) o.stop();
    // No confirmation of the stream's script runs after this.
    outbox_thread_.stop();
  }
  Engine& engine() override { return engine_; }
  GatedOutbox& outbox() override { return outbox_; }
  std::vector<v1::Leftover> stored_leftovers() override {
    std::vector<v1::Leftover> out;
    for (const auto& fields : redis_.stream(RedisLeftoverKeys::stream)) {
      if (fields.size() != 4 || fields[2] != "leftover" ||
          !out.emplace_back().ParseFromString(fields[3]))
        throw std::runtime_error("a leftovers stream entry that does not parse");
    }
    return out;
  }

 private:
  static std::unique_ptr<LeftoverOutbox> real_outbox(const RedisProcess& redis, IoThread& on) {
    auto o = std::make_unique<RedisLeftoverOutbox>(on.executor(), *parse_redis_url(redis.url()),
                                                   RedisConnection::Options{});
    o->start();
    return o;
  }

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
  IoThread outbox_thread_;
  GatedOutbox outbox_;
  RedisEngine engine_;
};

}  // namespace

void GatedOutbox::publish(v1::LeftoverBatch batch, std::function<void(core::Result<void>)> done) {
  if (fail_) return done(core::fail(v1::UNAVAILABLE, "the leftover outbox cannot be written"));
  real_->publish(std::move(batch), [this, done = std::move(done)](core::Result<void> r) mutable {
    std::unique_lock lock(m_);
    if (r) ++confirmed_;
    if (!held_) {
      lock.unlock();
      return done(std::move(r));
    }
    waiting_.push_back(
        [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
  });
}

void GatedOutbox::hold() {
  std::lock_guard lock(m_);
  held_ = true;
}

void GatedOutbox::release() {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(m_);
    held_ = false;
    ready.swap(waiting_);
  }
  for (auto& f : ready) f();
}

std::size_t GatedOutbox::confirmed() {
  std::lock_guard lock(m_);
  return confirmed_;
}

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
