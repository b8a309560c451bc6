#pragma once
// One forum post per leftover, in the manner of a moderator re-posting the
// questions a panel had no time for: who posed it ("an attendee" when
// anonymous), the question quoted, whom it addressed, its votes, who else
// asked it, the panel's title and date, a link back when configured. A
// promoted chat comment reads as a chat comment.
//
// Question text is untrusted: every value is escaped for the target format
// before it enters a template, so markup, mentions and image links in it
// show as text and do nothing. Templates are trusted (the operator's).

#include <string>
#include <string_view>

#include "panelwire/v1/leftover.pb.h"

namespace panelwire::forum {

enum class PostFormat { markdown, html };

struct RenderOptions {
  PostFormat format = PostFormat::markdown;
  // Placeholders: {asker} {addressing} {quote} {text} {addressed_to}
  // {votes} {votes_line} {also_asked} {answer_line} {panel_title}
  // {panel_date} {link_line} {leftover_id}. Empty: the default.
  std::string question_template;
  std::string comment_template;
  // The panel's page or recording; "{panel}" is replaced by the panel id.
  // Empty: no link.
  std::string link;
  // A panel's own follow-up topic (Discourse, for a panel without a
  // thread). Placeholders: {panel_title} {panel_date} {link_line}. Empty:
  // the default.
  std::string topic_title_template;
  std::string topic_opening_template;
};

struct TopicText {
  std::string title;  // plain text: forum titles are not markup
  std::string opening;
};

std::string render(const v1::Leftover& l, const RenderOptions& o);
// The follow-up topic of `l`'s panel.
TopicText render_topic(const v1::Leftover& l, const RenderOptions& o);

// Backslash before every ASCII punctuation character (CommonMark), so the
// text renders as itself.
std::string escape_markdown(std::string_view text);
std::string escape_html(std::string_view text);

// The templates used when none is configured.
std::string_view default_question_template(PostFormat f);
std::string_view default_comment_template(PostFormat f);

}  // namespace panelwire::forum
