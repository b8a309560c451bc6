// Token verification: every way a token can be wrong is refused with
// UNAUTHENTICATED and says why; a good one yields the participant.

#include <gtest/gtest.h>

#include "test_tokens.h"

#include "identity.h"

namespace panelwire::core {
namespace {

using testing_support::Claims;
using testing_support::kIds;
using testing_support::kNow;
using testing_support::kSecret;
using testing_support::sign;

std::string refusal(const Claims& c, const std::string& panel = "expert-panel") {
  auto r = verify_token(sign(c), kSecret, panel, kNow, kIds);
  if (r) return "accepted";
  EXPECT_EQ(r.error().code, v1::UNAUTHENTICATED);
  return r.error().message;
}

TEST(Identity, AGoodTokenNamesTheParticipant) {
  auto p = verify_token(sign({}), kSecret, "expert-panel", kNow, kIds);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->id(), participant_id('u', "u-17", kIds));
  EXPECT_EQ(p->display_name(), "Jackie Wheeler");
  EXPECT_EQ(p->role(), v1::MODERATOR);
  Claims any;
  any.panels = R"({"panels":["*"]})";
  any.role = "panelist";
  EXPECT_EQ(verify_token(sign(any), kSecret, "whatever", kNow, kIds)->role(), v1::PANELIST);
}

TEST(Identity, EveryFlawIsRefusedWithItsReason) {
  Claims c;
  c.exp = kNow;
  EXPECT_NE(refusal(c).find("expired"), std::string::npos);
  c = {};
  c.with_exp = false;
  EXPECT_NE(refusal(c).find("expiry"), std::string::npos);
  c = {};
  c.secret = "other";
  EXPECT_NE(refusal(c).find("signature"), std::string::npos);
  EXPECT_NE(refusal({}, "another-panel").find("not valid for panel"), std::string::npos);
  c = {};
  c.role = "admin";
  EXPECT_NE(refusal(c).find("role"), std::string::npos);
  c = {};
  c.name = "";
  EXPECT_NE(refusal(c).find("name"), std::string::npos);
  c = {};
  c.sub = "";
  EXPECT_NE(refusal(c).find("subject"), std::string::npos);
  c = {};
  c.panels = "";
  EXPECT_NE(refusal(c).find("not valid for panel"), std::string::npos);
  c = {};
  c.alg = JWT_ALG_HS512;
  EXPECT_NE(refusal(c), "accepted") << "only HS256";
  c = {};
  c.alg = JWT_ALG_NONE;
  EXPECT_NE(refusal(c), "accepted") << "an unsigned token is never accepted";
}

TEST(Identity, MalformedOrWithoutASecret) {
  for (auto bad : {"", "abc", "a.b.c", "....."}) {
    auto r = verify_token(bad, kSecret, "expert-panel", kNow, kIds);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, v1::UNAUTHENTICATED);
  }
  auto r = verify_token(sign({}), "", "expert-panel", kNow, kIds);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("no token secret"), std::string::npos);
}

TEST(Identity, GuestsKeepTheirIdAcrossReconnects) {
  auto a = guest("client-1", "Ann", kIds), b = guest("client-1", "Ann again", kIds),
       c = guest("client-2", "Ann", kIds);
  EXPECT_EQ(a.id(), b.id());
  EXPECT_NE(a.id(), c.id());
  EXPECT_EQ(a.role(), v1::ATTENDEE);
  EXPECT_EQ(a.id().rfind("g:", 0), 0u);
}

TEST(Identity, PublicIdsAreKeyedAndOpaque) {
  // The attack: a public id from a chat event, and client ids tried until
  // one hashes to it. Under a keyed hash the attacker cannot compute ids.
  const auto victim = participant_id('g', "victim-client", kIds);
  EXPECT_EQ(victim.size(), 34u) << "g: and 128 bits in hex";
  EXPECT_NE(participant_id('g', "victim-client", "another-secret-of-32-bytes-or-more"), victim)
      << "without the secret the id cannot be computed";
  EXPECT_NE(participant_id('u', "victim-client", kIds).substr(2), victim.substr(2))
      << "a guest's client id and a token subject never share an id";
  EXPECT_EQ(participant_id('g', "victim-client", kIds), victim) << "stable";
  // A token's subject (often an e-mail) never shows in the id.
  auto p = verify_token(sign({.sub = "jackie@example.org"}), kSecret, "expert-panel", kNow, kIds);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->id().find("jackie"), std::string::npos);
  EXPECT_EQ(p->id().rfind("u:", 0), 0u);
}

}  // namespace
}  // namespace panelwire::core
