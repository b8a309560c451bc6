#include "panelwire/forum/render.h"

#include <cctype>
#include <ctime>
#include <map>
#include <vector>

namespace panelwire::forum {

namespace {

constexpr std::string_view kQuestionMarkdown =
    "Here is a question the {panel_title} panel on {panel_date} had no time for, posed by "
    "{asker}{addressing}:\n\n{quote}{votes_line}{also_asked}{answer_line}{link_line}";
constexpr std::string_view kCommentMarkdown =
    "Here is a comment {asker} posted to the chat during the {panel_title} panel on "
    "{panel_date}:\n\n{quote}{link_line}";
constexpr std::string_view kQuestionHtml =
    "<p>Here is a question the {panel_title} panel on {panel_date} had no time for, posed by "
    "{asker}{addressing}:</p>\n{quote}{votes_line}{also_asked}{answer_line}{link_line}";
constexpr std::string_view kCommentHtml =
    "<p>Here is a comment {asker} posted to the chat during the {panel_title} panel on "
    "{panel_date}:</p>\n{quote}{link_line}";

// Dated: Discourse refuses a title already used (unless the forum allows
// duplicate titles), and a monthly panel keeps its title.
constexpr std::string_view kTopicTitle =
    "{panel_title}, {panel_date}: the questions we had no time for";
constexpr std::string_view kTopicMarkdown =
    "The {panel_title} panel on {panel_date} ended with questions nobody got to. Each follows "
    "below, credited to whoever asked it: panelists and members, please answer them here.\n\n"
    "{link_line}";
constexpr std::string_view kTopicHtml =
    "<p>The {panel_title} panel on {panel_date} ended with questions nobody got to. Each follows "
    "below, credited to whoever asked it: panelists and members, please answer them here.</p>\n"
    "{link_line}";

// Lines where CommonMark ends them ("\n", "\r\n" and a lone "\r"), so
// no line of a question leaves its quote.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + (text.substr(end, 2) == "\r\n" ? 2 : 1);
  }
  return out;
}

std::string date_of(std::int64_t ms) {
  if (ms <= 0) return "an earlier date";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%B %e, %Y", &tm);
  std::string s(buf);
  // "%e" pads single-digit days with a space.
  if (auto pos = s.find("  "); pos != std::string::npos) s.erase(pos, 1);
  return s;
}

std::string names(const std::vector<std::string>& all) {
  std::string out;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i > 0) out += i + 1 == all.size() ? " and " : ", ";
    out += all[i];
  }
  return out;
}

std::string fill(std::string_view tmpl, const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{') {
      auto close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        auto it = values.find(std::string(tmpl.substr(i + 1, close - i - 1)));
        if (it != values.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += tmpl[i++];
  }
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

}  // namespace

namespace {

// A paragraph of its own, or nothing.
std::string paragraph(const std::string& escaped, bool md) {
  if (escaped.empty()) return {};
  return md ? escaped + "\n\n" : "<p>" + escaped + "</p>\n";
}

// The link to the panel's page, as a paragraph, or nothing.
std::string link_line(const v1::Leftover& l, const RenderOptions& o) {
  const bool md = o.format == PostFormat::markdown;
  std::string link = o.link;
  if (auto pos = link.find("{panel}"); pos != std::string::npos) link.replace(pos, 7, l.panel_id());
  if (link.empty()) return {};
  return paragraph(md ? "[The panel's page](" + link + ")"
                      : "<a href=\"" + escape_html(link) + "\">The panel's page</a>",
                   md);
}

}  // namespace

std::string escape_markdown(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for (char c : text) {
    if (std::ispunct(static_cast<unsigned char>(c))) out += '\\';
    out += c;
  }
  return out;
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string_view default_question_template(PostFormat f) {
  return f == PostFormat::markdown ? kQuestionMarkdown : kQuestionHtml;
}
std::string_view default_comment_template(PostFormat f) {
  return f == PostFormat::markdown ? kCommentMarkdown : kCommentHtml;
}

TopicText render_topic(const v1::Leftover& l, const RenderOptions& o) {
  const bool md = o.format == PostFormat::markdown;
  const auto& title = l.panel_title().empty() ? l.panel_id() : l.panel_title();
  std::string plain;
  for (char c : title) plain += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  const auto date = date_of(l.asked_at_ms());
  TopicText out;
  out.title = fill(o.topic_title_template.empty() ? kTopicTitle : o.topic_title_template,
                   {{"panel_title", plain}, {"panel_date", date}});
  out.opening = fill(o.topic_opening_template.empty() ? (md ? kTopicMarkdown : kTopicHtml)
                                                      : o.topic_opening_template,
                     {{"panel_title", md ? escape_markdown(title) : escape_html(title)},
                      {"panel_date", date},
                      {"link_line", link_line(l, o)}});
  return out;
}

std::string render(const v1::Leftover& l, const RenderOptions& o) {
  const bool md = o.format == PostFormat::markdown;
  auto esc = [&](std::string_view s) { return md ? escape_markdown(s) : escape_html(s); };

  std::string quote;
  for (auto part : lines_of(l.text())) {
    if (md) {
      quote += part.empty() ? ">\n" : "> " + escape_markdown(part) + "\n";
    } else {
      if (!quote.empty()) quote += "<br>";
      quote += escape_html(part);
    }
  }
  quote = md ? quote + "\n" : "<blockquote>" + quote + "</blockquote>\n";

  const auto asker =
      l.anonymous() || l.asker_name().empty() ? std::string("an attendee") : esc(l.asker_name());
  std::vector<std::string> others;
  for (const auto& n : l.credited_names())
    if (n != l.asker_name()) others.push_back(esc(n));
  std::string votes_line;
  if (l.votes() > 0)
    votes_line = std::to_string(l.votes()) + (l.votes() == 1 ? " attendee" : " attendees") +
                 " voted for it.";

  std::map<std::string, std::string> values = {
      {"asker", asker},
      {"addressed_to", esc(l.addressed_to())},
      {"addressing", l.addressed_to().empty() ? std::string(" (addressing the panelists)")
                                              : " (addressing " + esc(l.addressed_to()) + ")"},
      {"quote", quote},
      {"text", esc(l.text())},
      {"votes", std::to_string(l.votes())},
      {"votes_line", paragraph(votes_line, md)},
      {"also_asked", paragraph(others.empty() ? "" : "Also asked by " + names(others) + ".", md)},
      {"answer_line", paragraph(l.answer_text().empty()
                                    ? ""
                                    : "Answered in brief during the panel: " + esc(l.answer_text()),
                                md)},
      {"panel_title", esc(l.panel_title().empty() ? l.panel_id() : l.panel_title())},
      {"panel_date", date_of(l.asked_at_ms())},  // ours, not the asker's
      {"link_line", link_line(l, o)},
      {"leftover_id", esc(l.leftover_id())},
  };
  const bool comment = l.kind() == v1::CHAT_COMMENT;
  const auto& custom = comment ? o.comment_template : o.question_template;
  auto tmpl = !custom.empty() ? std::string_view(custom)
              : comment       ? default_comment_template(o.format)
                              : default_question_template(o.format);
  return fill(tmpl, values);
}

}  // namespace panelwire::forum
