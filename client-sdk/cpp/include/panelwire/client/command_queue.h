#pragma once
// Commands waiting for their ack. They stay here across reconnects and are
// sent again, with the same id, on every new join until acked: the server
// applies an id once, so a retry cannot double a message.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::client {

using AckHandler = std::function<void(const v1::Ack&)>;

class CommandQueue {
 public:
  // Bounded by count: add() refuses past `max` and the caller fails the
  // command locally with UNAVAILABLE.
  explicit CommandQueue(std::size_t max) : max_(max) {}

  [[nodiscard]] bool add(v1::ClientMessage msg, AckHandler done);

  // Calls `f(msg)` for every unacked command, oldest first.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [order, e] : entries_) f(e.msg);
  }

  // Hands the ack to its command's handler; false when no command has its id.
  bool complete(const v1::Ack& ack);

  // Fails every command with UNAVAILABLE and `why`.
  void fail_all(const std::string& why);

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    v1::ClientMessage msg;
    AckHandler done;
  };
  std::size_t max_;
  std::uint64_t next_ = 0;
  std::map<std::uint64_t, Entry> entries_;
  std::unordered_map<std::string, std::uint64_t> by_id_;
};

}  // namespace panelwire::client
