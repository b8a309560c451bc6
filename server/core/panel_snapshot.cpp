// Panel::snapshot() and Panel::restore(): a panel's state in a form another
// node can load, so the Redis engine can trim a panel's log.

#include <algorithm>

#include "panel.h"

namespace panelwire::core {

v1::PanelSnapshot Panel::snapshot() const {
  v1::PanelSnapshot snap;
  snap.set_seq(head_);
  snap.set_started_at_ms(started_at_ms_);
  board_.save(snap);
  std::vector<const v1::Participant*> muted;
  for (const auto& [id, who] : muted_) muted.push_back(&who);
  std::sort(muted.begin(), muted.end(), [](auto* x, auto* y) { return x->id() < y->id(); });
  for (const auto* who : muted) {
    snap.add_muted(who->id());
    *snap.add_muted_people() = *who;
  }
  snap.set_chat_locked(chat_locked_);
  snap.set_ended(ended_);
  if (rules_set_) *snap.mutable_rules() = rules_;
  commands_.for_each([&](const std::string& key, std::uint64_t seq) {
    auto& c = *snap.add_commands();
    c.set_dedup_key(key);
    c.set_seq(seq);
  });
  std::vector<std::uint64_t> deleted(deleted_.begin(), deleted_.end());
  std::sort(deleted.begin(), deleted.end());
  for (auto seq : deleted) snap.add_deleted_chat(seq);
  return snap;
}

Result<void> Panel::restore(const v1::PanelSnapshot& snap, std::vector<v1::Event> earlier) {
  if (head_ != 0 || !history_.empty())
    return fail(v1::INTERNAL, "panel " + id_ + " already holds events");
  for (std::size_t i = 0; i < earlier.size(); ++i) {
    if (earlier[i].seq() != snap.seq() + 1 + i - earlier.size())
      return fail(v1::INTERNAL, "the history of panel " + id_ + " does not end at its snapshot");
  }
  head_ = snap.seq();
  started_at_ms_ = snap.started_at_ms();
  if (started_at_ms_ == 0 && !earlier.empty() && earlier.front().seq() == 1)
    started_at_ms_ = earlier.front().at_ms();
  board_.load(snap);
  muted_.clear();
  for (const auto& id : snap.muted()) muted_[id].set_id(id);
  for (const auto& who : snap.muted_people()) muted_.insert_or_assign(who.id(), who);
  chat_locked_ = snap.chat_locked();
  ended_ = snap.ended();
  if (snap.has_rules()) {
    rules_.MergeFrom(snap.rules());
    rules_set_ = true;
  }
  for (const auto& c : snap.commands()) commands_.remember(c.dedup_key(), c.seq());
  for (auto& ev : earlier) remember(make_event(id_, std::move(ev)));
  // Deletions of messages no longer in history would never be forgotten.
  for (auto seq : snap.deleted_chat())
    if (!history_.empty() && seq >= history_.front()->seq()) deleted_.insert(seq);
  return {};
}

}  // namespace panelwire::core
