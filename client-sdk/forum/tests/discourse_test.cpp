// Who a Discourse post is from, and what Discourse's answers ask of the
// importer: accounts by participant id only (never by a name a guest may
// take), "too fast" as a wait, a forum's wait capped, its answer made safe
// for a log line.

#include <gtest/gtest.h>

#include <regex>

#include "panelwire/forum/answer_receiver.h"
#include "panelwire/forum/discourse_api.h"
#include "panelwire/forum/discourse_sink.h"
#include "panelwire/forum/render.h"
#include "panelwire/forum/webhook_sink.h"
#include "panelwire/v1/participant_id.h"

namespace panelwire::forum {
namespace {

const std::string kIdSecret = "id-secret-of-the-relays-0123456789abcdef";

v1::Leftover asked_by(const std::string& id, const std::string& name, bool anonymous = false) {
  v1::Leftover l;
  l.set_leftover_id("p/1/1");
  l.set_anonymous(anonymous);
  if (!anonymous) {
    l.set_asker_name(name);
    l.add_credited_names(name);
    auto* p = l.add_credited();
    p->set_id(id);
    p->set_display_name(name);
    p->set_role(v1::ATTENDEE);
  }
  return l;
}

HttpResponse answer(long status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

DiscourseSink sink() {
  DiscourseOptions o;
  o.api_username = "panel-bot";
  o.accounts = accounts_by_subject({{"jackie@example.org", "jwheeler"}}, kIdSecret);
  return DiscourseSink(o);
}

TEST(DiscourseAuthor, ATokenUserIsFoundByTheIdOfTheirSubject) {
  const auto jackie = v1::user_id("jackie@example.org", kIdSecret);
  EXPECT_EQ(sink().author_of(asked_by(jackie, "Jackie Wheeler")), "jwheeler");
  // Whatever name they took in the room.
  EXPECT_EQ(sink().author_of(asked_by(jackie, "JW")), "jwheeler");
}

TEST(DiscourseAuthor, AGuestNamedLikeAMemberIsNeverPostedAsThem) {
  const auto guest = v1::participant_id('g', "client-7", kIdSecret);
  EXPECT_EQ(sink().author_of(asked_by(guest, "Jackie Wheeler")), "panel-bot");
  // Nor a token user of another subject, nor an id forged to look like one.
  EXPECT_EQ(sink().author_of(asked_by(v1::user_id("eve", kIdSecret), "Jackie Wheeler")),
            "panel-bot");
  EXPECT_EQ(sink().author_of(asked_by("g:" + v1::user_id("jackie@example.org", kIdSecret).substr(2),
                                      "Jackie Wheeler")),
            "panel-bot");
}

TEST(DiscourseAuthor, AnAnonymousAskerIsPostedByTheConfiguredAccount) {
  v1::Leftover l = asked_by("", "", /*anonymous=*/true);
  EXPECT_EQ(sink().author_of(l), "panel-bot");
}

TEST(DiscourseWait, TooFastIsAWaitAndOtherRefusalsAreNot) {
  using std::chrono::milliseconds;
  const milliseconds fallback(60'000);
  EXPECT_EQ(discourse_wait(answer(429, "{}"), fallback), fallback);
  EXPECT_EQ(discourse_wait(answer(422, R"({"errors":["You're creating posts too quickly."],)"
                                       R"("extras":{"wait_seconds":7}})"),
                           fallback),
            milliseconds(7'000));
  EXPECT_EQ(discourse_wait(answer(422, R"({"errors":["Title is too short"]})"), fallback),
            std::nullopt);
  EXPECT_EQ(discourse_wait(answer(403, "{}"), fallback), std::nullopt);
  // A wait past the cap is the forum misbehaving: the fallback instead.
  EXPECT_EQ(discourse_wait(answer(429, R"({"extras":{"wait_seconds":99999999}})"), fallback),
            fallback);
}

TEST(HttpAnswers, ARetryAfterPastTheCapIsCappedAndABodyIsMadeSafe) {
  HttpResponse r;
  r.status = 429;
  r.retry_after = "99999999";
  auto d = delivery_of(r, [](const std::string&) { return std::string(); });
  EXPECT_EQ(d.outcome, Delivery::Outcome::retry);
  EXPECT_EQ(d.retry_after, std::chrono::milliseconds(kMaxRetryAfter));
  r.status = 400;
  r.body = "bad\nevent=posted leftover=forged\r\x1b[31m";
  d = delivery_of(r, [](const std::string&) { return std::string(); });
  EXPECT_EQ(d.outcome, Delivery::Outcome::refused);
  EXPECT_EQ(d.reason.find('\n'), std::string::npos) << d.reason;
  EXPECT_EQ(d.reason.find('\x1b'), std::string::npos) << d.reason;
}

// The marker is an HTML comment that stays one: no "--" inside, whatever
// the panel id holds.
TEST(DiscourseMarker, ItNamesTheLeftoverAndNeverHoldsADoubleDash) {
  EXPECT_EQ(leftover_marker("nov/1764763200000/3"),
            "<!-- panelwire leftover nov/1764763200000/3 -->");
  const auto m = leftover_marker("a--b.c-d/1/2");
  EXPECT_EQ(m, "<!-- panelwire leftover a%2D%2Db.c%2Dd/1/2 -->");
  EXPECT_EQ(m.substr(4, m.size() - 7).find("--"), std::string::npos) << m;
  EXPECT_NE(leftover_marker("p/1/2"), leftover_marker("p/1/20")) << "the end is part of it";
}

TEST(DiscourseRawDump, MarkedPostsAreCandidatesByTheirHeader) {
  const auto marker = leftover_marker("p/9/2");
  const std::string page =
      "panel-bot | 2026-12-03 12:00:00 UTC | #1\n\nThe panel's questions.\n\n"
      "-------------------------\n\n"
      "panel-bot | 2026-12-03 12:00:00 UTC | #2\n\nA question.\n\n" +
      marker +
      "\n\n-------------------------\n\n"
      // A member's reply that forges a header and pastes the marker: a
      // candidate too, which the post itself (its author) rules out.
      "mallory | 2026-12-03 12:01:00 UTC | #3\n\nhi\npanel-bot | x | #7\n" +
      marker + "\n\n-------------------------\n\n";
  const auto scanned = scan_raw_page(page, marker);
  EXPECT_EQ(scanned.marked, (std::vector<std::uint64_t>{2, 7}));
  EXPECT_EQ(scanned.posts, 4u) << "forged headers count too: at worst one page more is read";
  EXPECT_TRUE(scan_raw_page(page, leftover_marker("p/9/1")).marked.empty());
  EXPECT_EQ(scan_raw_page("", marker).posts, 0u);
  EXPECT_TRUE(scan_raw_page(marker + "\n", marker).marked.empty()) << "before any header";
  // A header has its date: "name | #2" alone is text (found by fuzzing).
  EXPECT_TRUE(scan_raw_page("<UTC | #2\n" + marker + "\n", marker).marked.empty());
}

TEST(DiscourseTopic, TheExternalIdNamesThePanelsLifeWithinDiscoursesRule) {
  v1::Leftover a, b, again;
  a.set_leftover_id("nov.2026/1764763200000/3");
  b.set_leftover_id("nov.2026/1764763200000/9");
  again.set_leftover_id("nov.2026/1767441600000/3");
  const auto id = panel_external_id(a);
  EXPECT_TRUE(std::regex_match(id, std::regex("[A-Za-z0-9_-]{1,50}"))) << id;
  EXPECT_EQ(id, panel_external_id(b)) << "one topic per panel";
  EXPECT_NE(id, panel_external_id(again)) << "the panel id used again gets a topic of its own";
}

TEST(DiscourseTopic, AThreadIsNamedByItsIdOrItsAddress) {
  EXPECT_EQ(thread_topic_id("42"), "42");
  EXPECT_EQ(thread_topic_id("https://forum.example/t/mentoring-in-research/42"), "42");
  EXPECT_EQ(thread_topic_id("https://forum.example/t/mentoring-in-research/42/7?u=ann"), "42");
  EXPECT_EQ(thread_topic_id("https://forum.example/t/42/7"), "42");
  EXPECT_EQ(thread_topic_id("https://forum.example/t/42#reply"), "42");
  EXPECT_EQ(thread_topic_id("https://forum.example/c/panels/5"), std::nullopt) << "a category";
  EXPECT_EQ(thread_topic_id("https://forum.example/t/slug/other/42"), std::nullopt);
  EXPECT_EQ(thread_topic_id("https://forum.example/t/"), std::nullopt);
  EXPECT_EQ(thread_topic_id("/t/mentoring/42"), "42") << "a path alone";
  EXPECT_EQ(thread_topic_id("forty-two"), std::nullopt);
}

TEST(DiscourseTopic, ARedirectIsFollowedOnlyOnTheForumItself) {
  const std::string base = "https://forum.example.org";
  EXPECT_EQ(same_origin_path("/t/follow-up/42.json", base), "/t/follow-up/42.json");
  EXPECT_EQ(same_origin_path("https://forum.example.org/t/x/42.json", base), "/t/x/42.json");
  EXPECT_EQ(same_origin_path("https://forum.example.org.evil.net/t/x/42.json", base), std::nullopt);
  EXPECT_EQ(same_origin_path("//evil.net/t/x/42.json", base), std::nullopt);
  EXPECT_EQ(same_origin_path("https://forum.example.org//evil.net/x", base), std::nullopt)
      << "found by fuzzing";
  EXPECT_EQ(same_origin_path("/t/x\x01.json", base), std::nullopt);
  EXPECT_EQ(same_origin_path("http://forum.example.org/t/x/42.json", base), std::nullopt)
      << "not down to plain http";
  EXPECT_EQ(same_origin_path("/t/x\r\nApi-Key: stolen", base), std::nullopt);
}

TEST(DiscourseTopic, TitleAndOpeningFollowTheTemplatesAndEscapeThePanelTitle) {
  v1::Leftover l;
  l.set_panel_id("nov");
  l.set_panel_title("Mentoring *in* Research\n");
  l.set_asked_at_ms(1'764'763'200'000);  // December 3, 2025
  RenderOptions o;
  auto t = render_topic(l, o);
  EXPECT_EQ(t.title, "Mentoring *in* Research , December 3, 2025: the questions we had no time for")
      << "plain text, control characters made spaces";
  EXPECT_NE(t.opening.find("Mentoring \\*in\\* Research"), std::string::npos) << t.opening;
  EXPECT_NE(t.opening.find("December 3, 2025"), std::string::npos) << t.opening;
  o.topic_title_template = "Follow-up: {panel_title}";
  o.topic_opening_template = "<p>{panel_title} {link_line}</p>";
  o.format = PostFormat::html;
  o.link = "https://example.org/p/{panel}";
  l.set_panel_title("A & B");
  t = render_topic(l, o);
  EXPECT_EQ(t.title, "Follow-up: A & B");
  EXPECT_EQ(t.opening,
            "<p>A &amp; B <p><a href=\"https://example.org/p/nov\">The panel's page</a></p>\n</p>");
}

TEST(DiscourseAnswers, AMarkerNamesItsLeftoverBackAndItsPanelAndQuestion) {
  for (const std::string id : {"nov/1764763200000/3", "a--b.c-d/1/2", "old-form/7"})
    EXPECT_EQ(marked_leftover("An answer?\n\n" + leftover_marker(id)), id);
  EXPECT_EQ(marked_leftover("no marker here"), std::nullopt);
  EXPECT_EQ(marked_leftover("<!-- panelwire leftover a%2 -->"), std::nullopt) << "cut escape";
  EXPECT_EQ(marked_leftover("<!-- panelwire leftover a%zz -->"), std::nullopt);
  auto ref = parse_leftover_id("nov.2026/1764763200000/3");
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->panel_id, "nov.2026");
  EXPECT_EQ(ref->question_id, 3u);
  EXPECT_EQ(parse_leftover_id("old/7")->question_id, 7u) << "the form before the start";
  for (const char* bad : {"", "/1/2", "p/1/", "p/1/x", "p", "p/1/0", "p/1/99999999999999999999"})
    EXPECT_EQ(parse_leftover_id(bad), std::nullopt) << bad;
}

TEST(DiscourseAnswers, APostCreatedWebhookIsReadAndItsSignatureChecked) {
  const std::string body =
      R"({"post":{"id":1051,"name":"Bruce Alberts","username":"balberts","topic_id":101,)"
      R"("post_number":5,"reply_to_post_number":2,"raw":"An answer."}})";
  auto p = parse_post_created(body);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->topic_id, "101");
  EXPECT_EQ(p->post_number, 5u);
  EXPECT_EQ(p->reply_to_post_number, 2u);
  EXPECT_EQ(p->username, "balberts");
  EXPECT_EQ(p->name, "Bruce Alberts");
  auto top = parse_post_created(
      R"({"post":{"username":"a","topic_id":1,"post_number":3,"reply_to_post_number":null}})");
  ASSERT_TRUE(top.has_value());
  EXPECT_EQ(top->reply_to_post_number, 0u) << "not a reply";
  for (const char* bad : {"", "[]", R"({"post":1})", R"({"post":{"topic_id":1,"post_number":1}})",
                          R"({"post":{"username":"a","topic_id":"1","post_number":1}})"})
    EXPECT_EQ(parse_post_created(bad), std::nullopt) << bad;

  const auto sig = "sha256=" + hmac_sha256_hex("hook-secret", body);
  EXPECT_TRUE(discourse_signature_matches("hook-secret", body, sig));
  EXPECT_FALSE(discourse_signature_matches("other", body, sig));
  EXPECT_FALSE(discourse_signature_matches("hook-secret", body + " ", sig));
  EXPECT_FALSE(discourse_signature_matches("hook-secret", body, ""));
  EXPECT_FALSE(discourse_signature_matches("hook-secret", body, sig.substr(7)));
}

}  // namespace
}  // namespace panelwire::forum
