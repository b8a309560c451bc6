#include "panel.h"

#include <algorithm>

namespace panelwire::core {

Panel::Panel(std::string id, const PanelLimits& limits, const Clock& clock)
    : id_(std::move(id)), limits_(limits), clock_(clock), commands_(limits.command_window) {}

Result<Appended> Panel::append(Draft draft) {
  if (!draft.dedup_key.empty()) {
    if (auto seq = commands_.find(draft.dedup_key)) return Appended{*seq, true, nullptr};
  }
  if (auto ok = check(draft.event); !ok) return ok.error();

  draft.event.set_seq(head_ + 1);
  draft.event.set_at_ms(clock_.now_ms());
  auto ev = make_event(id_, std::move(draft.event));
  head_ = ev->seq();
  remember(ev);
  if (!draft.dedup_key.empty()) commands_.remember(std::move(draft.dedup_key), head_);
  return Appended{head_, false, std::move(ev)};
}

Result<void> Panel::check(const v1::Event& ev) const {
  switch (ev.kind_case()) {
    case v1::Event::kChatPosted:
      return {};
    case v1::Event::kChatDeleted: {
      auto target = ev.chat_deleted().chat_seq();
      if (history_.empty() || target < history_.front()->seq() || target > head_)
        return fail(v1::NOT_FOUND, "no chat message with seq " + std::to_string(target));
      const auto& e = history_[target - history_.front()->seq()]->event();
      if (!e.has_chat_posted())
        return fail(v1::NOT_FOUND, "event " + std::to_string(target) + " is not a chat message");
      if (deleted_.contains(target))
        return fail(v1::NOT_FOUND,
                    "chat message " + std::to_string(target) + " is already deleted");
      return {};
    }
    default:
      return fail(v1::INTERNAL, "event without a kind");
  }
}

void Panel::remember(const EventPtr& ev) {
  if (ev->event().has_chat_deleted()) deleted_.insert(ev->event().chat_deleted().chat_seq());
  history_.push_back(ev);
  history_bytes_ += ev->weight();
  while (!history_.empty() &&
         (history_.size() > limits_.history_events || history_bytes_ > limits_.history_bytes))
    forget_oldest();
}

void Panel::forget_oldest() {
  const auto& ev = history_.front();
  deleted_.erase(ev->seq());
  history_bytes_ -= ev->weight();
  history_.pop_front();
}

Result<Backlog> Panel::backlog(std::optional<std::uint64_t> resume_after,
                               std::size_t chat_count) const {
  Backlog b;
  b.head = head_;
  if (resume_after) {
    auto after = *resume_after;
    if (after > head_)
      return fail(v1::INVALID_ARGUMENT, "resume_after " + std::to_string(after) +
                                            " is past the panel's seq " + std::to_string(head_));
    // Events after..head must all still be in history.
    auto oldest = history_.empty() ? head_ + 1 : history_.front()->seq();
    if (after + 1 >= oldest) {
      b.resume = v1::RESUMED;
      auto first = history_.size() - (head_ - after);
      b.missed.assign(history_.begin() + static_cast<std::ptrdiff_t>(first), history_.end());
      return b;
    }
    b.resume = v1::RESUME_TOO_OLD;
  }
  for (auto it = history_.rbegin(); it != history_.rend() && b.recent_chat.size() < chat_count;
       ++it) {
    if ((*it)->event().has_chat_posted() && !deleted_.contains((*it)->seq()))
      b.recent_chat.push_back(*it);
  }
  std::reverse(b.recent_chat.begin(), b.recent_chat.end());
  return b;
}

}  // namespace panelwire::core
