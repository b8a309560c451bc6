// Who a Discourse post is from, and what Discourse's answers ask of the
// importer: accounts by participant id only (never by a name a guest may
// take), "too fast" as a wait, a forum's wait capped, its answer made safe
// for a log line.

#include <gtest/gtest.h>

#include "panelwire/forum/discourse_sink.h"
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
  EXPECT_EQ(discourse_wait({429, "{}", "", ""}, fallback), fallback);
  EXPECT_EQ(discourse_wait({422,
                            R"({"errors":["You're creating posts too quickly."],)"
                            R"("extras":{"wait_seconds":7}})",
                            "", ""},
                           fallback),
            milliseconds(7'000));
  EXPECT_EQ(discourse_wait({422, R"({"errors":["Title is too short"]})", "", ""}, fallback),
            std::nullopt);
  EXPECT_EQ(discourse_wait({403, "{}", "", ""}, fallback), std::nullopt);
  // A wait past the cap is the forum misbehaving: the fallback instead.
  EXPECT_EQ(discourse_wait({429, R"({"extras":{"wait_seconds":99999999}})", "", ""}, fallback),
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

}  // namespace
}  // namespace panelwire::forum
