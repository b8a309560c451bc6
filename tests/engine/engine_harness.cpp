#include "engine_harness.h"

#include <array>

#include "memory_engine.h"

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

}  // namespace

std::vector<EngineKind> engine_kinds() {
  return {EngineKind::memory};
}

std::string_view name_of(EngineKind kind) {
  switch (kind) {
    case EngineKind::memory:
      return "memory";
  }
  return "unknown";
}

std::unique_ptr<EngineHarness> make_harness(EngineKind kind, const core::PanelLimits& limits,
                                            const core::PanelCatalog& catalog) {
  switch (kind) {
    case EngineKind::memory:
      return std::make_unique<MemoryHarness>(limits, catalog);
  }
  return nullptr;
}

}  // namespace panelwire::engine
