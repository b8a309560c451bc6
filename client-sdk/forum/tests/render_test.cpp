// Rendering leftovers into forum posts: attribution in the manner of a
// moderator's re-post, and hostile question text shown as text in both
// Markdown and HTML.

#include <gtest/gtest.h>

#include "panelwire/forum/render.h"

namespace panelwire::forum {
namespace {

v1::Leftover question(const std::string& text) {
  v1::Leftover l;
  l.set_leftover_id("dec-panel/7");
  l.set_panel_id("dec-panel");
  l.set_panel_title("Teacher Leadership");
  l.set_question_id(7);
  l.set_kind(v1::QUESTION);
  l.set_text(text);
  l.set_asker_name("Jackie Wheeler");
  l.add_credited_names("Jackie Wheeler");
  l.set_votes(3);
  l.set_asked_at_ms(1764950400000);  // December 5, 2025
  return l;
}

TEST(Render, AQuestionReadsLikeAModeratorsRepost) {
  auto l = question("What suggestions do you all have?");
  l.set_addressed_to("Dr. Alberts");
  l.add_credited_names("Beth Heidemann");
  RenderOptions o;
  o.link = "https://example.org/panels/{panel}";
  auto post = render(l, o);
  EXPECT_EQ(post,
            "Here is a question the Teacher Leadership panel on December 5, 2025 had no time for, "
            "posed by Jackie Wheeler (addressing Dr\\. Alberts):\n\n"
            "> What suggestions do you all have\\?\n\n"
            "3 attendees voted for it.\n\n"
            "Also asked by Beth Heidemann.\n\n"
            "[The panel's page](https://example.org/panels/dec-panel)");
}

TEST(Render, AnonymousAskersAreAnAttendeeAndCommentsReadAsComments) {
  auto l = question("Secret?");
  l.set_anonymous(true);
  l.set_asker_name("");
  l.clear_credited_names();
  l.set_votes(1);
  auto post = render(l, {});
  EXPECT_NE(post.find("posed by an attendee (addressing the panelists)"), std::string::npos)
      << post;
  EXPECT_NE(post.find("1 attendee voted for it."), std::string::npos) << post;

  auto c = question("Push back on the busy work.\nI had to learn when to bring my A game.");
  c.set_kind(v1::CHAT_COMMENT);
  c.set_votes(0);
  auto comment = render(c, {});
  EXPECT_EQ(comment,
            "Here is a comment Jackie Wheeler posted to the chat during the Teacher Leadership "
            "panel on December 5, 2025:\n\n"
            "> Push back on the busy work\\.\n"
            "> I had to learn when to bring my A game\\.");
}

const char* const kHostile[] = {
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "@everyone look",
    "![tracker](https://evil.example/p.png)",
    "[click](javascript:alert(1))",
    "# Heading\n---\n* list",
    "`code` **bold** _it_ ~~gone~~ | table |",
    "&lt;script&gt; already escaped?",
};

TEST(Render, HostileTextIsInertInMarkdown) {
  for (const char* text : kHostile) {
    auto post = render(question(text), {});
    auto quote_at = post.find("\n\n> ");
    ASSERT_NE(quote_at, std::string::npos) << post;
    auto quote = post.substr(quote_at + 2, post.find("\n\n", quote_at + 2) - quote_at - 2);
    // Every ASCII punctuation character in the quote is escaped: nothing
    // in it can open a tag, an image, a link, a mention or a heading.
    for (std::size_t i = 0; i < quote.size(); ++i) {
      if (quote[i] == '\n') {
        ASSERT_EQ(quote.compare(i + 1, 2, "> "), 0) << "every line stays quoted: " << quote;
        i += 2;
        continue;
      }
      if (std::ispunct(static_cast<unsigned char>(quote[i])) && !(i == 0 && quote[i] == '>')) {
        ASSERT_EQ(quote[i], '\\') << "unescaped '" << quote[i] << "' in " << quote;
        ++i;  // the escaped character
      }
    }
  }
  EXPECT_NE(render(question("@everyone look"), {}).find("\\@everyone"), std::string::npos);
}

TEST(Render, HostileTextIsInertInHtml) {
  RenderOptions o;
  o.format = PostFormat::html;
  for (const char* text : kHostile) {
    auto l = question(text);
    l.set_asker_name("<b>Mallory</b>");
    auto post = render(l, o);
    EXPECT_EQ(post.find("<script"), std::string::npos) << post;
    EXPECT_EQ(post.find("<img"), std::string::npos) << post;
    EXPECT_EQ(post.find("<b>"), std::string::npos) << post;
    EXPECT_NE(post.find("&lt;b&gt;Mallory&lt;/b&gt;"), std::string::npos) << post;
  }
  auto post = render(question("<img src=x onerror=alert(1)>"), o);
  EXPECT_NE(post.find("<blockquote>&lt;img src=x onerror=alert(1)&gt;</blockquote>"),
            std::string::npos)
      << post;
}

TEST(Render, EveryLineEndingStaysInTheQuote) {
  // CommonMark ends a line at a lone "\r" too; found by tests/fuzz/forum_render.
  auto l = question("one\rtwo\r\n\rthree");
  RenderOptions o;
  o.question_template = "{quote}";
  EXPECT_EQ(render(l, o), "> one\n> two\n>\n> three");
  o.format = PostFormat::html;
  EXPECT_EQ(render(l, o), "<blockquote>one<br>two<br><br>three</blockquote>");
}

TEST(Render, TemplatesAreTheOperatorsAndValuesStayEscaped) {
  RenderOptions o;
  o.question_template = "**{asker}** asked: {text} ({votes} votes) {unknown}";
  auto post = render(question("*really*?"), o);
  EXPECT_EQ(post, "**Jackie Wheeler** asked: \\*really\\*\\? (3 votes) {unknown}");
}

}  // namespace
}  // namespace panelwire::forum
