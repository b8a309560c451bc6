#include "panel.h"

#include <algorithm>
#include <tuple>

#include "identity.h"

namespace panelwire::core {

Panel::Panel(std::string id, PanelSettings settings, const PanelLimits& limits, const Clock& clock)
    : id_(std::move(id)),
      settings_(std::move(settings)),
      limits_(limits),
      clock_(clock),
      commands_(limits.command_window),
      rates_(limits.rates.max_tracked) {
  rules_.set_pre_moderation(settings_.pre_moderation);
  rules_.set_guest_questions(true);
  rules_.set_chat_slow_mode_ms(0);
}

Result<Prepared> Panel::prepare(Draft draft) const {
  if (!draft.dedup_key.empty()) {
    if (auto seq = commands_.find(draft.dedup_key)) return Prepared{*seq, true, std::nullopt, {}};
  }
  auto& ev = draft.event;
  if (auto ok = admit(ev); !ok) return ok.error();
  const auto seq = head_ + 1;
  const auto now = clock_.now_ms();
  auto outcome = resolve(ev, seq, now);
  if (!outcome) return outcome.error();
  if (*outcome == QuestionBoard::Outcome::unchanged) return Prepared{};
  if (auto limited = rate_failure(ev, now)) return *limited;
  ev.set_seq(seq);
  ev.set_at_ms(now);
  return Prepared{seq, false, std::move(ev), std::move(draft.dedup_key)};
}

Result<Appended> Panel::commit(v1::Event ev, std::string dedup_key) {
  if (ev.seq() != head_ + 1)
    return fail(v1::INTERNAL, "event " + std::to_string(ev.seq()) + " does not follow seq " +
                                  std::to_string(head_));
  auto made = make_event(id_, std::move(ev));
  head_ = made->seq();
  charge_rate(made->event());
  apply(made);
  remember(made);
  if (!dedup_key.empty()) commands_.remember(std::move(dedup_key), head_);
  return Appended{head_, false, made, leftovers_of(made->event())};
}

Result<Appended> Panel::append(Draft draft) {
  auto prepared = prepare(std::move(draft));
  if (!prepared) return prepared.error();
  if (!prepared->event) return Appended{prepared->seq, prepared->duplicate, nullptr, {}};
  return commit(std::move(*prepared->event), std::move(prepared->dedup_key));
}

Result<void> Panel::admit(const v1::Event& ev) const {
  const auto& actor = ev.actor();
  const bool moderator = actor.role() == v1::MODERATOR;
  // What happens in the forum follows the end; a moderator may still
  // delete a chat message.
  const bool follow_up =
      ev.has_questions_changed() && ev.questions_changed().change() == v1::CHANGE_FORUM_UPDATED;
  if (ended_ && !ev.has_chat_deleted() && !follow_up)
    return fail(v1::PANEL_ENDED, "the panel has ended");
  if (moderator) return {};
  const bool muted = muted_.contains(actor.id());
  if (ev.has_chat_posted()) {
    if (muted) return fail(v1::MUTED, "a moderator muted you in this panel");
    if (chat_locked_ && actor.role() != v1::PANELIST)
      return fail(v1::MUTED, "a moderator locked the chat");
  }
  if (ev.has_questions_changed() && muted)
    return fail(v1::MUTED, "a moderator muted you in this panel");
  if (ev.has_questions_changed() && ev.questions_changed().change() == v1::CHANGE_ASKED &&
      !rules_.guest_questions() && is_guest_id(actor.id()))
    return fail(v1::FORBIDDEN, "a moderator turned off questions from guests in this panel");
  return {};
}

Result<const v1::ChatPosted*> Panel::chat_at(std::uint64_t target) const {
  if (history_.empty() || target < history_.front()->seq() || target > head_)
    return fail(v1::NOT_FOUND, "no chat message with seq " + std::to_string(target));
  const auto& e = history_[target - history_.front()->seq()]->event();
  if (!e.has_chat_posted())
    return fail(v1::NOT_FOUND, "event " + std::to_string(target) + " is not a chat message");
  if (deleted_.contains(target))
    return fail(v1::NOT_FOUND, "chat message " + std::to_string(target) + " is deleted");
  return &e.chat_posted();
}

Result<QuestionBoard::Outcome> Panel::resolve(v1::Event& ev, std::uint64_t seq,
                                              std::int64_t now_ms) const {
  using Outcome = QuestionBoard::Outcome;
  switch (ev.kind_case()) {
    case v1::Event::kChatPosted:
      return Outcome::changed;
    case v1::Event::kChatDeleted: {
      if (auto chat = chat_at(ev.chat_deleted().chat_seq()); !chat) return chat.error();
      return Outcome::changed;
    }
    case v1::Event::kQuestionsChanged: {
      auto& change = *ev.mutable_questions_changed();
      const bool adds =
          change.change() == v1::CHANGE_ASKED || change.change() == v1::CHANGE_PROMOTED;
      if (adds && board_.questions().size() >= limits_.max_questions)
        return fail(
            v1::RESOURCE_EXHAUSTED,
            "this panel holds " + std::to_string(limits_.max_questions) + " questions, its most");
      if (change.change() == v1::CHANGE_PROMOTED && change.questions_size() == 1) {
        auto& q = *change.mutable_questions(0);
        auto chat = chat_at(q.chat_seq());
        if (!chat) return chat.error();
        q.set_text((*chat)->text());
        *q.mutable_asker() = (*chat)->author();
      }
      return board_.resolve(ev, seq, now_ms, rules_.pre_moderation());
    }
    case v1::Event::kParticipantMuted: {
      auto& m = *ev.mutable_participant_muted();
      const auto was = muted_.find(m.who().id());
      if ((was != muted_.end()) == m.muted()) return Outcome::unchanged;
      if (m.muted() && muted_.size() >= limits_.max_muted)
        return fail(v1::RESOURCE_EXHAUSTED,
                    "this panel has " + std::to_string(limits_.max_muted) +
                        " people muted, its most: unmute someone or lock the chat");
      if (was != muted_.end()) {
        *m.mutable_who() = was->second;
      } else {
        // Named by their latest chat message still in history: a moderator's
        // rare action, so one scan of the bounded history is fine.
        bool named = false;
        for (auto it = history_.rbegin(); it != history_.rend() && !named; ++it) {
          const auto& e = (*it)->event();
          if (e.has_chat_posted() && e.chat_posted().author().id() == m.who().id()) {
            *m.mutable_who() = e.chat_posted().author();
            named = true;
          }
        }
        // Else by a question they asked (muted from its card).
        for (auto q = board_.questions().begin(); !named && q != board_.questions().end(); ++q) {
          if (q->second.asker().id() == m.who().id()) {
            *m.mutable_who() = q->second.asker();
            named = true;
          }
        }
      }
      return Outcome::changed;
    }
    case v1::Event::kChatLocked:
      return ev.chat_locked().locked() == chat_locked_ ? Outcome::unchanged : Outcome::changed;
    case v1::Event::kPanelRules: {
      // Complete the requested change into the whole new rule set.
      auto next = rules_;
      next.MergeFrom(ev.panel_rules());
      const bool same = next.SerializeAsString() == rules_.SerializeAsString();
      *ev.mutable_panel_rules() = std::move(next);
      return same ? Outcome::unchanged : Outcome::changed;
    }
    case v1::Event::kPanelEnded:
      for (auto id : board_.leftovers()) ev.mutable_panel_ended()->add_leftover_ids(id);
      return Outcome::changed;
    default:
      return fail(v1::INTERNAL, "event without a kind");
  }
}

const RateRule* Panel::rate_rule(const v1::Event& ev, std::string& key) const {
  const auto& actor = ev.actor();
  if (actor.role() == v1::MODERATOR || actor.id().empty()) return nullptr;
  const RateRule* rule = nullptr;
  const char* kind = nullptr;
  if (ev.has_chat_posted()) {
    rule = &limits_.rates.chat;
    kind = "c/";
  } else if (ev.has_questions_changed()) {
    auto c = ev.questions_changed().change();
    if (c == v1::CHANGE_ASKED) {
      rule = &limits_.rates.question;
      kind = "q/";
    } else if (c == v1::CHANGE_VOTED || c == v1::CHANGE_UNVOTED) {
      rule = &limits_.rates.vote;
      kind = "v/";
    }
  }
  if (rule) key = kind + actor.id();
  return rule;
}

std::optional<RateRule> Panel::slow_rule(const v1::Event& ev, std::string& key) const {
  const auto role = ev.actor().role();
  if (!ev.has_chat_posted() || rules_.chat_slow_mode_ms() == 0 || role == v1::MODERATOR ||
      role == v1::PANELIST || ev.actor().id().empty())
    return std::nullopt;
  key = "s/" + ev.actor().id();
  return RateRule{1000.0 / rules_.chat_slow_mode_ms(), 1};
}

std::optional<Failure> Panel::rate_failure(const v1::Event& ev, std::int64_t now_ms) const {
  std::string key;
  const auto* rule = rate_rule(ev, key);
  std::uint32_t wait = rule ? rates_.wait(key, *rule, now_ms) : 0;
  std::string why = "too many commands";
  if (auto slow = slow_rule(ev, key)) {
    if (auto slow_wait = rates_.wait(key, *slow, now_ms); slow_wait > wait) {
      wait = slow_wait;
      why =
          "slow mode: one chat message every " + std::to_string(rules_.chat_slow_mode_ms()) + " ms";
    }
  }
  if (wait == 0) return std::nullopt;
  auto f = fail(v1::RATE_LIMITED, why + "; retry in " + std::to_string(wait) + " ms");
  f.retry_after_ms = wait;
  return f;
}

void Panel::charge_rate(const v1::Event& ev) {
  std::string key;
  if (const auto* rule = rate_rule(ev, key)) rates_.charge(key, *rule, ev.at_ms());
  if (auto slow = slow_rule(ev, key)) rates_.charge(key, *slow, ev.at_ms());
}

void Panel::apply(const EventPtr& made) {
  const auto& ev = made->event();
  if (made->seq() == 1) started_at_ms_ = ev.at_ms();
  switch (ev.kind_case()) {
    case v1::Event::kChatDeleted:
      deleted_.insert(ev.chat_deleted().chat_seq());
      break;
    case v1::Event::kParticipantMuted:
      if (ev.participant_muted().muted())
        muted_.insert_or_assign(ev.participant_muted().who().id(), ev.participant_muted().who());
      else
        muted_.erase(ev.participant_muted().who().id());
      break;
    case v1::Event::kChatLocked:
      chat_locked_ = ev.chat_locked().locked();
      break;
    case v1::Event::kPanelRules:
      rules_ = ev.panel_rules();
      rules_set_ = true;
      break;
    case v1::Event::kPanelEnded:
      ended_ = true;
      break;
    default:
      break;
  }
  board_.apply(ev);
}

std::optional<v1::LeftoverBatch> Panel::leftovers_of(const v1::Event& ev) const {
  v1::LeftoverBatch batch;
  auto add = [&](std::uint64_t id, v1::LeftoverReason reason) {
    if (const auto* q = board_.find(id))
      *batch.add_items() = make_leftover(id_, started_at_ms_, settings_, *q, reason, ev.at_ms());
  };
  if (ev.has_panel_ended()) {
    for (auto id : ev.panel_ended().leftover_ids()) {
      const auto* q = board_.find(id);
      add(id, q && q->for_forum() ? v1::SENT_BY_MODERATOR : v1::UNANSWERED);
    }
  } else if (ev.has_questions_changed()) {
    const auto& change = ev.questions_changed();
    const bool sent = change.change() == v1::CHANGE_SENT_TO_FORUM ||
                      (change.change() == v1::CHANGE_PROMOTED && change.questions(0).published());
    if (sent) add(change.questions(0).id(), v1::SENT_BY_MODERATOR);
  }
  // An end with nothing left still publishes an (empty) batch: the forum
  // learns the panel is over.
  if (batch.items_size() == 0 && !ev.has_panel_ended()) return std::nullopt;
  batch.set_panel_id(id_);
  batch.set_seq(ev.seq());
  batch.set_started_at_ms(started_at_ms_);
  batch.set_published_at_ms(ev.at_ms());
  return batch;
}

void Panel::remember(const EventPtr& ev) {
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

Result<Backlog> Panel::backlog(std::optional<std::uint64_t> resume_after, std::size_t chat_count,
                               const std::string& viewer_id) const {
  Backlog b;
  b.head = head_;
  b.info.set_title(settings_.title);
  b.info.set_guests_allowed(settings_.guests_allowed);
  b.info.set_pre_moderation(rules_.pre_moderation());
  *b.info.mutable_rules() = rules_;
  b.info.set_chat_locked(chat_locked_);
  b.info.set_ended(ended_);
  b.info.set_you_muted(muted_.contains(viewer_id));
  for (const auto& [id, who] : muted_) b.muted.push_back(who);
  std::sort(b.muted.begin(), b.muted.end(), [](const auto& x, const auto& y) {
    return std::tie(x.display_name(), x.id()) < std::tie(y.display_name(), y.id());
  });
  // The catalog let through only addresses a page may link.
  if (settings_.forum_thread.find("://") != std::string::npos)
    b.info.set_forum_thread_url(settings_.forum_thread);
  if (!viewer_id.empty()) b.your_votes = board_.votes_of(viewer_id);
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
  b.questions.reserve(board_.questions().size());
  for (const auto& [id, q] : board_.questions()) b.questions.push_back(q);
  return b;
}

}  // namespace panelwire::core
