#pragma once
// Remembers the most recent commands applied in a panel, so that a command
// retried with the same id is applied once.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

namespace panelwire::core {

class CommandWindow {
 public:
  // Bounded by count; the oldest key is forgotten first. Keys are bounded in
  // length by the id checks, so this also bounds the bytes held.
  explicit CommandWindow(std::size_t capacity) : capacity_(capacity) {}

  std::optional<std::uint64_t> find(const std::string& key) const {
    auto it = seqs_.find(key);
    if (it == seqs_.end()) return std::nullopt;
    return it->second;
  }

  void remember(std::string key, std::uint64_t seq) {
    if (capacity_ == 0) return;
    if (order_.size() == capacity_) {
      seqs_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(key);
    seqs_.emplace(std::move(key), seq);
  }

  std::size_t size() const { return order_.size(); }

  // Calls f(key, seq) for each remembered command, oldest first.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& key : order_) f(key, seqs_.at(key));
  }

 private:
  std::size_t capacity_;
  std::unordered_map<std::string, std::uint64_t> seqs_;
  std::deque<std::string> order_;
};

}  // namespace panelwire::core
