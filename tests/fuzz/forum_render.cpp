// Forum posts rendered from a leftover (the input, a panelwire.v1.Leftover)
// in Markdown and HTML, checking what render.h promises: values from the
// leftover show as text. In HTML no markup but the templates' own; in
// Markdown no unescaped punctuation from a value, and a question quoted on
// every line it has.

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <google/protobuf/stubs/logging.h>

#include "fuzz_check.h"
#include "panelwire/forum/render.h"

namespace {

using namespace panelwire;
using forum::PostFormat;
using forum::RenderOptions;

constexpr std::string_view kLink = "https://forum.example/panels/{panel}?from=fuzz&x=\"y\"";

bool starts(std::string_view s, std::size_t at, std::string_view prefix) {
  return s.substr(at, prefix.size()) == prefix;
}

// The characters escape_html replaces, found only as entities it writes.
std::size_t html_text_ok(std::string_view s, std::size_t i) {
  if (s[i] == '<' || s[i] == '>' || s[i] == '"' || s[i] == '\'') return 0;
  if (s[i] != '&') return 1;
  for (std::string_view e : {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"})
    if (starts(s, i, e)) return e.size();
  return 0;
}

// Every '<' opens a tag the templates write; the href of the link is
// escaped text; anything else is escaped text (the templates' apostrophes
// aside, so only the fields are checked for quotes).
void check_html(std::string_view post) {
  static constexpr std::string_view kTags[] = {"<p>",           "</p>", "<blockquote>",
                                               "</blockquote>", "<br>", "</a>"};
  constexpr std::string_view kHref = "<a href=\"";
  for (std::size_t i = 0; i < post.size();) {
    if (post[i] == '<') {
      if (starts(post, i, kHref)) {
        i += kHref.size();
        while (i < post.size() && post[i] != '"') {
          auto n = html_text_ok(post, i);
          fuzz::check(n > 0, "an href holds escaped text");
          i += n;
        }
        fuzz::check(starts(post, i, "\">"), "an href ends its tag");
        i += 2;
        continue;
      }
      bool known = false;
      for (auto tag : kTags)
        if (starts(post, i, tag)) {
          i += tag.size();
          known = true;
          break;
        }
      fuzz::check(known, "every tag in an HTML post is the template's");
      continue;
    }
    fuzz::check(post[i] != '>' && post[i] != '"', "no markup characters outside the tags");
    if (post[i] == '&') {
      auto n = html_text_ok(post, i);
      fuzz::check(n > 0, "every & in an HTML post starts an entity");
      i += n;
      continue;
    }
    ++i;
  }
}

// One value alone in its template: every character escape_html replaces is
// an entity.
void check_html_value(std::string_view value) {
  for (std::size_t i = 0; i < value.size();) {
    auto n = html_text_ok(value, i);
    fuzz::check(n > 0, "an HTML value is escaped");
    i += n;
  }
}

// One value alone in its template: each ASCII punctuation character follows
// a backslash (CommonMark's escape), so none starts markup.
void check_markdown_value(std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\') {
      fuzz::check(i + 1 < value.size() && std::ispunct(static_cast<unsigned char>(value[i + 1])),
                  "a backslash in a Markdown value escapes punctuation");
      ++i;
      continue;
    }
    fuzz::check(!std::ispunct(static_cast<unsigned char>(value[i])),
                "punctuation in a Markdown value is escaped");
  }
}

// The quote alone: every line CommonMark sees (it ends lines at "\n", "\r\n"
// and a lone "\r") is inside the block quote.
void check_markdown_quote(std::string_view quote) {
  std::size_t start = 0;
  while (start <= quote.size()) {
    auto end = quote.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = quote.size();
    fuzz::check(starts(quote, start, ">"), "every line of a quoted question is quoted");
    start = end + (starts(quote, end, "\r\n") ? 2 : 1);
  }
}

std::string render_with(const v1::Leftover& l, PostFormat format, std::string_view tmpl) {
  RenderOptions o;
  o.format = format;
  o.question_template = o.comment_template = std::string(tmpl);
  return forum::render(l, o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Invalid UTF-8 in a string field is a parse failure protobuf also logs.
  [[maybe_unused]] static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  v1::Leftover l;
  if (!l.ParseFromArray(data, static_cast<int>(size))) return 0;

  for (auto format : {PostFormat::markdown, PostFormat::html}) {
    for (auto link : {std::string_view(), kLink}) {
      RenderOptions o;
      o.format = format;
      o.link = std::string(link);
      auto post = forum::render(l, o);
      if (format == PostFormat::html) check_html(post);
    }
  }

  for (std::string_view field :
       {"{asker}", "{addressed_to}", "{text}", "{panel_title}", "{leftover_id}"}) {
    check_markdown_value(render_with(l, PostFormat::markdown, field));
    check_html_value(render_with(l, PostFormat::html, field));
  }
  check_markdown_quote(render_with(l, PostFormat::markdown, "{quote}"));
  return 0;
}
