#include "leftover.h"

#include <algorithm>

namespace panelwire::core {

std::string panel_life_id(const std::string& panel_id, std::int64_t started_at_ms,
                          std::uint64_t n) {
  if (started_at_ms == 0) return panel_id + "/" + std::to_string(n);
  return panel_id + "/" + std::to_string(started_at_ms) + "/" + std::to_string(n);
}

bool unnamed_in_forum(const v1::Question& q) {
  switch (q.forum_credit()) {
    case v1::FORUM_NAMED:
      return false;
    case v1::FORUM_UNNAMED:
      return true;
    default:
      return q.anonymous();
  }
}

v1::Leftover make_leftover(const std::string& panel_id, std::int64_t started_at_ms,
                           const PanelSettings& settings, const v1::Question& q,
                           v1::LeftoverReason reason, std::int64_t published_at_ms) {
  v1::Leftover l;
  l.set_leftover_id(panel_life_id(panel_id, started_at_ms, q.id()));
  l.set_panel_id(panel_id);
  l.set_panel_title(settings.title);
  l.set_forum_thread(settings.forum_thread);
  l.set_question_id(q.id());
  l.set_kind(q.kind());
  l.set_text(q.text());
  // The forum names whom each asker chose to have named there.
  const bool unnamed = unnamed_in_forum(q);
  l.set_anonymous(unnamed);
  if (!unnamed) l.set_asker_name(q.asker().display_name());
  l.set_addressed_to(q.addressed_to());
  const auto& hidden = q.forum_unnamed_credited();
  for (const auto& c : q.credited()) {
    bool anonymous = (c.id() == q.asker().id() && unnamed) ||
                     std::find(hidden.begin(), hidden.end(), c.id()) != hidden.end();
    if (anonymous) continue;
    l.add_credited_names(c.display_name());
    *l.add_credited() = c;
  }
  l.set_votes(q.votes());
  l.set_asked_at_ms(q.asked_at_ms());
  l.set_reason(reason);
  l.set_published_at_ms(published_at_ms);
  if (q.state() == v1::ANSWERED) l.set_answer_text(q.answer_text());
  return l;
}

}  // namespace panelwire::core
