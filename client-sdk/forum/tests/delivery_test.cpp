// What a forum's answer means for a post, the webhook signature, and the
// drip rule's syntax.

#include <gtest/gtest.h>

#include "panelwire/forum/drip_schedule.h"
#include "panelwire/forum/http_post.h"
#include "panelwire/forum/webhook_sink.h"

namespace panelwire::forum {
namespace {

Delivery answer(long status, std::string body = {}, std::string retry_after = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.retry_after = std::move(retry_after);
  return delivery_of(r, [](const std::string& b) { return post_id_in(b, "fallback"); });
}

TEST(Delivery, EachAnswerHasItsOutcome) {
  auto ok = answer(200, R"({"id": 4711, "topic_id": 42})");
  EXPECT_EQ(ok.outcome, Delivery::Outcome::posted);
  EXPECT_EQ(ok.post_id, "4711");
  EXPECT_EQ(answer(201, "created").post_id, "fallback");
  EXPECT_EQ(answer(200, R"({"post_id":"p-9"})").post_id, "p-9");

  auto limited = answer(429, "", "7");
  EXPECT_EQ(limited.outcome, Delivery::Outcome::retry);
  EXPECT_EQ(limited.retry_after, std::chrono::seconds(7));
  EXPECT_EQ(answer(429).retry_after, std::chrono::seconds(60)) << "no Retry-After: a minute";
  EXPECT_EQ(answer(429, "", "Wed, 21 Oct 2026 07:28:00 GMT").retry_after, std::chrono::seconds(60));

  for (long s : {500L, 502L, 503L}) {
    auto d = answer(s, "oops");
    EXPECT_EQ(d.outcome, Delivery::Outcome::retry) << s;
    EXPECT_EQ(d.retry_after.count(), 0) << "the importer's own backoff";
  }
  HttpResponse down;
  down.error = "Couldn't connect to server";
  auto net = delivery_of(down, [](auto&) { return std::string(); });
  EXPECT_EQ(net.outcome, Delivery::Outcome::retry);
  EXPECT_EQ(net.reason, "Couldn't connect to server");

  for (long s : {400L, 403L, 404L, 422L}) {
    auto d = answer(s, R"({"errors":["nope"]})");
    EXPECT_EQ(d.outcome, Delivery::Outcome::refused) << s;
    EXPECT_EQ(d.reason, "HTTP " + std::to_string(s) + R"(: {"errors":["nope"]})");
  }
}

TEST(Webhook, SignatureIsHmacSha256) {
  // RFC 4231, test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// A receiver's check: a signature made for another body, another moment or
// with another secret fails, and so does an old request replayed.
TEST(Webhook, TheSignatureCoversTheTimestampAndAReplayLaterFails) {
  const std::string body = R"({"leftover_id":"p/1/2"})";
  const std::int64_t sent = 1'764'763'200;
  const auto sig = webhook_signature("s3cret", sent, body);
  EXPECT_EQ(sig, "sha256=" + hmac_sha256_hex("s3cret", "1764763200." + body));
  EXPECT_TRUE(verify_webhook("s3cret", "1764763200", sig, body, sent + 10));
  EXPECT_TRUE(verify_webhook("s3cret", "1764763200", sig, body, sent - 10)) << "clocks differ";
  EXPECT_FALSE(verify_webhook("s3cret", "1764763200", sig, body, sent + 301)) << "replayed later";
  EXPECT_FALSE(verify_webhook("s3cret", "1764763260", sig, body, sent)) << "a new timestamp";
  EXPECT_FALSE(verify_webhook("s3cret", "1764763200", sig, body + " ", sent)) << "another body";
  EXPECT_FALSE(verify_webhook("other", "1764763200", sig, body, sent)) << "another secret";
  EXPECT_FALSE(verify_webhook("s3cret", "", sig, body, sent));
  EXPECT_FALSE(verify_webhook("s3cret", "-1764763200", sig, body, sent));
  EXPECT_FALSE(verify_webhook("s3cret", "99999999999999999999", sig, body, sent));
  EXPECT_FALSE(verify_webhook("s3cret", "1764763200", sig.substr(0, 20), body, sent));
}

TEST(Drip, RulesParse) {
  auto r = parse_drip("1/24h");
  EXPECT_EQ(r.per_period, 1);
  EXPECT_EQ(r.period, std::chrono::hours(24));
  EXPECT_EQ(parse_drip("3/2d").period, std::chrono::hours(48));
  EXPECT_EQ(parse_drip("2/30m").period, std::chrono::minutes(30));
  EXPECT_EQ(parse_drip("1/1.5s").period, std::chrono::milliseconds(1500));
  for (const char* bad : {"1", "0/1h", "1/0h", "1/5y", "x/1h"})
    EXPECT_ANY_THROW(parse_drip(bad)) << bad;
}

}  // namespace
}  // namespace panelwire::forum
