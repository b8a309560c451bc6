#include "panelwire/client/command_queue.h"

#include "panelwire/client/codec.h"

namespace panelwire::client {

bool CommandQueue::add(v1::ClientMessage msg, AckHandler done) {
  if (entries_.size() >= max_ || by_id_.contains(msg.id())) return false;
  auto order = next_++;
  by_id_.emplace(msg.id(), order);
  entries_.emplace(order, Entry{std::move(msg), std::move(done)});
  return true;
}

bool CommandQueue::complete(const v1::Ack& ack) {
  auto it = by_id_.find(ack.id());
  if (it == by_id_.end()) return false;
  auto node = entries_.extract(it->second);
  by_id_.erase(it);
  // Called last: the handler may add commands.
  if (node.mapped().done) node.mapped().done(ack);
  return true;
}

void CommandQueue::fail_all(const std::string& why) {
  auto entries = std::move(entries_);
  entries_.clear();
  by_id_.clear();
  for (auto& [order, e] : entries)
    if (e.done) e.done(local_error(e.msg.id(), v1::UNAVAILABLE, why));
}

}  // namespace panelwire::client
