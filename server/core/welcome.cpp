#include "welcome.h"

#include <algorithm>

#include "visibility.h"

namespace panelwire::core {

v1::Welcome make_welcome(const WelcomeContext& ctx, const Backlog& b) {
  v1::Welcome w;
  w.set_panel_id(ctx.panel_id);
  *w.mutable_you() = ctx.you;
  w.set_seq(b.head);
  w.set_resume(b.resume);
  for (const auto& ev : b.recent_chat) *w.add_recent_chat() = ev->event();
  *w.mutable_limits() = ctx.limits;
  *w.mutable_panel() = b.info;
  for (auto id : b.your_votes) w.add_your_votes(id);
  if (ctx.you.role() == v1::MODERATOR)
    for (const auto& who : b.muted) *w.add_muted() = who;

  std::vector<const v1::Question*> shown;
  for (const auto& q : b.questions)
    if (visible_in_snapshot(ctx.you, q)) shown.push_back(&q);
  if (ctx.order == v1::RECENT) {
    std::sort(shown.begin(), shown.end(), [](auto* a, auto* b) { return a->id() > b->id(); });
  } else {
    std::stable_sort(shown.begin(), shown.end(),
                     [](auto* a, auto* b) { return a->votes() > b->votes(); });
  }
  for (const auto* q : shown) *w.add_questions() = question_for(ctx.you, *q);
  return w;
}

v1::Limits welcome_limits(const ChatLimits& chat, const QuestionLimits& questions,
                          std::size_t max_frame_bytes) {
  v1::Limits l;
  l.set_max_chat_chars(static_cast<std::uint32_t>(chat.max_chat_chars));
  l.set_max_frame_bytes(static_cast<std::uint32_t>(max_frame_bytes));
  l.set_max_question_chars(static_cast<std::uint32_t>(questions.max_question_chars));
  return l;
}

}  // namespace panelwire::core
