#pragma once
// What engine tests share: a sink that keeps what it delivered, and
// commands drafted as a client's would be.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "command_drafts.h"
#include "engine.h"

namespace panelwire::engine {

using namespace std::chrono_literals;

class Sink final : public EventSink {
 public:
  void on_event(const core::EventPtr& ev) override {
    std::lock_guard lock(m_);
    events_.push_back(ev);
    cv_.notify_all();
  }
  bool wait_for_count(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }
  std::vector<std::uint64_t> seqs() {
    std::lock_guard lock(m_);
    std::vector<std::uint64_t> out;
    for (auto& e : events_) out.push_back(e->seq());
    return out;
  }
  std::vector<core::EventPtr> events() {
    std::lock_guard lock(m_);
    return events_;
  }
  // What a client would receive, byte for byte.
  std::vector<std::string> frames() {
    std::lock_guard lock(m_);
    std::vector<std::string> out;
    for (auto& e : events_) out.push_back(e->event().SerializeAsString());
    return out;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<core::EventPtr> events_;
};

inline core::Draft command(const v1::ClientMessage& m, const v1::Participant& who,
                           std::string key = {}) {
  auto d = core::draft_command(m, who, core::CommandLimits{});
  EXPECT_TRUE(d.has_value());
  d->dedup_key = std::move(key);
  return std::move(*d);
}

inline v1::Participant person(const std::string& id, v1::Role role = v1::ATTENDEE) {
  v1::Participant p;
  p.set_id(id);
  p.set_display_name(id);
  p.set_role(role);
  return p;
}

}  // namespace panelwire::engine
