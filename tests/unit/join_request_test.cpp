// A Hello checked into a join: the ids' form, guest or token holder, the
// name admitted against the names the caller reserves, the Welcome's
// options; every refusal with the code and message the client gets.

#include <vector>

#include <gtest/gtest.h>

#include "test_support.h"
#include "test_tokens.h"

#include "identity.h"
#include "join_request.h"

namespace panelwire::core {
namespace {

using testing_support::Claims;
using testing_support::kIds;
using testing_support::kNow;
using testing_support::kSecret;
using testing_support::ok;
using testing_support::sign;

const std::string kPanelIdForm = "panel_id must be 1 to 64 characters of [A-Za-z0-9._-]";
const std::string kClientIdForm = "client_id must be 1 to 64 visible ASCII characters (no spaces)";

v1::Hello hello(const std::string& name = "Ann", const std::string& client_id = "client-1") {
  v1::Hello h;
  h.set_panel_id("expert-panel");
  h.set_client_id(client_id);
  h.set_display_name(name);
  return h;
}

v1::Hello with_token(const Claims& claims) {
  auto h = hello("", "client-1");
  h.set_token(sign(claims));
  return h;
}

// A context as the session builds it; counts the client ids it mints.
struct Relay {
  std::string token_secret = kSecret;
  ReservedNames reserved;
  std::int64_t now_s = kNow;
  int minted = 0;

  HelloContext context() {
    return {.token_secret = token_secret,
            .id_secret = kIds,
            .now_s = now_s,
            .reserved = reserved,
            .new_client_id = [this] { return "minted-" + std::to_string(++minted); }};
  }
  Result<JoinRequest> check(const v1::Hello& h) { return check_hello(h, context()); }
  Failure refusal(const v1::Hello& h) {
    auto r = check(h);
    if (r) {
      ADD_FAILURE() << "accepted";
      return {};
    }
    return r.error();
  }
};

TEST(JoinRequest, APanelIdOutOfFormIsRefused) {
  for (const auto& bad :
       std::vector<std::string>{"", "has space", "a/b", "ünï", std::string(65, 'p')}) {
    auto h = hello();
    h.set_panel_id(bad);
    Relay relay;
    auto f = relay.refusal(h);
    EXPECT_EQ(f.code, v1::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(f.message, kPanelIdForm) << bad;
    ASSERT_FALSE(check_hello_ids(h).has_value()) << bad;
    EXPECT_EQ(check_hello_ids(h).error().message, kPanelIdForm);
    EXPECT_EQ(relay.minted, 0);
  }
  auto longest = hello();
  longest.set_panel_id(std::string(64, 'p'));
  EXPECT_TRUE(check_hello_ids(longest).has_value());
}

TEST(JoinRequest, AClientIdOutOfFormIsRefused) {
  for (const auto& bad :
       std::vector<std::string>{"has space", "tab\there", "\x01", std::string(65, 'c')}) {
    Relay relay;
    auto f = relay.refusal(hello("Ann", bad));
    EXPECT_EQ(f.code, v1::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(f.message, kClientIdForm) << bad;
    EXPECT_EQ(check_hello_ids(hello("Ann", bad)).error().message, kClientIdForm);
  }
  EXPECT_TRUE(check_hello_ids(hello("Ann", "")).has_value()) << "empty asks for one";
  EXPECT_TRUE(check_hello_ids(hello("Ann", std::string(64, 'c'))).has_value());
}

TEST(JoinRequest, ThePanelIdIsCheckedFirst) {
  auto h = hello("", "has space");
  h.set_panel_id("");
  h.set_token("not a token");
  EXPECT_EQ(Relay{}.refusal(h).message, kPanelIdForm);
  EXPECT_EQ(Relay{}.refusal(hello("", "has space")).message, kClientIdForm)
      << "the client id before the name";
}

TEST(JoinRequest, AGuestIsKeyedByItsClientId) {
  Relay relay;
  auto join = ok(relay.check(hello("Ann", "client-1")));
  EXPECT_EQ(join.panel_id, "expert-panel");
  EXPECT_EQ(join.client_id, "client-1");
  EXPECT_TRUE(join.guest);
  EXPECT_EQ(join.you.id(), participant_id('g', "client-1", kIds));
  EXPECT_EQ(join.you.display_name(), "Ann");
  EXPECT_EQ(join.you.role(), v1::ATTENDEE);
  EXPECT_EQ(relay.minted, 0) << "a client id sent is kept";
  EXPECT_EQ(ok(relay.check(hello("Ann again", "client-1"))).you.id(), join.you.id())
      << "the same guest on a reconnect";
}

TEST(JoinRequest, AGuestWithoutAClientIdGetsAFreshOne) {
  Relay relay;
  auto first = ok(relay.check(hello("Ann", "")));
  auto second = ok(relay.check(hello("Ann", "")));
  EXPECT_EQ(relay.minted, 2);
  EXPECT_EQ(first.client_id, "minted-1");
  EXPECT_EQ(second.client_id, "minted-2");
  EXPECT_EQ(first.you.id(), participant_id('g', "minted-1", kIds));
  EXPECT_NE(first.you.id(), second.you.id()) << "a new guest each time";
}

TEST(JoinRequest, AGuestsNameIsCleanedOrRefused) {
  Relay relay;
  EXPECT_EQ(ok(relay.check(hello("  Ann \u200b  Lee "))).you.display_name(), "Ann Lee");
  auto f = relay.refusal(hello("\u200b "));
  EXPECT_EQ(f.code, v1::INVALID_ARGUMENT);
  EXPECT_EQ(f.message, "display_name has no visible characters");
  f = relay.refusal(hello("Moderator"));
  EXPECT_EQ(f.code, v1::NAME_RESERVED) << "the role words are always reserved";
  EXPECT_NE(f.message.find("display_name \"Moderator\" is reserved for the panel's hosts"),
            std::string::npos)
      << f.message;
}

TEST(JoinRequest, AGuestMayNotTakeANameTheCallerReserves) {
  Relay relay;
  EXPECT_TRUE(relay.check(hello("Dr Alberts")).has_value()) << "not reserved yet";
  ASSERT_TRUE(relay.reserved.add("Dr. Alberts").has_value());
  auto f = relay.refusal(hello("Dr Alberts"));
  EXPECT_EQ(f.code, v1::NAME_RESERVED);
  EXPECT_EQ(f.message,
            "display_name \"Dr Alberts\" is reserved for the panel's hosts (it reads as \"Dr. "
            "Alberts\"): choose another name, or join with your invitation link");
}

TEST(JoinRequest, ATokenNamesTheParticipant) {
  Relay relay;
  auto join = ok(relay.check(with_token({})));
  EXPECT_FALSE(join.guest);
  EXPECT_EQ(join.client_id, "client-1");
  EXPECT_EQ(join.you.id(), participant_id('u', "u-17", kIds));
  EXPECT_EQ(join.you.display_name(), "Jackie Wheeler");
  EXPECT_EQ(join.you.role(), v1::MODERATOR);

  auto no_client_id = with_token({});
  no_client_id.clear_client_id();
  join = ok(relay.check(no_client_id));
  EXPECT_EQ(join.client_id, "minted-1") << "commands are de-duplicated by client id";
  EXPECT_EQ(join.you.id(), participant_id('u', "u-17", kIds)) << "the id follows the token";
}

TEST(JoinRequest, ATokenHolderKeepsAReservedName) {
  Relay relay;
  ASSERT_TRUE(relay.reserved.add("Dr. Alberts").has_value());
  auto join = ok(relay.check(with_token({.name = "Dr. Alberts"})));
  EXPECT_EQ(join.you.display_name(), "Dr. Alberts") << "the token's issuer vouches for it";
  join = ok(relay.check(with_token({.name = "\u200b", .role = "panelist"})));
  EXPECT_EQ(join.you.display_name(), "Panelist") << "nothing visible: the role's name";
}

TEST(JoinRequest, ARefusedTokenSaysWhy) {
  auto refused = [](Relay relay, const v1::Hello& h) {
    auto f = relay.refusal(h);
    EXPECT_EQ(f.code, v1::UNAUTHENTICATED) << f.message;
    return f.message;
  };
  EXPECT_EQ(refused({}, with_token({.exp = kNow})), "token has expired");
  Relay later;
  later.now_s = kNow + 3600;
  EXPECT_EQ(refused(later, with_token({})), "token has expired") << "the time passed in counts";
  EXPECT_EQ(refused({}, with_token({.secret = "another-secret-of-at-least-32-bytes"})),
            "token is malformed or its signature does not match");
  auto elsewhere = with_token({});
  elsewhere.set_panel_id("another-panel");
  EXPECT_EQ(refused({}, elsewhere), "token is not valid for panel another-panel");
  Relay no_secret;
  no_secret.token_secret.clear();
  EXPECT_EQ(refused(no_secret, with_token({})),
            "token not accepted: this server has no token secret");
}

TEST(JoinRequest, OnlyATokenIsRefusedAsUnauthenticated) {
  // The session logs refused tokens, told apart by this code alone.
  Relay relay;
  EXPECT_EQ(relay.refusal(with_token({.exp = kNow})).code, v1::UNAUTHENTICATED);
  EXPECT_NE(relay.refusal(hello("")).code, v1::UNAUTHENTICATED);
  EXPECT_NE(relay.refusal(hello("Moderator")).code, v1::UNAUTHENTICATED);
  EXPECT_NE(relay.refusal(hello("Ann", "has space")).code, v1::UNAUTHENTICATED);
}

TEST(JoinRequest, QuestionOrderAndResumePointAreCarried) {
  Relay relay;
  auto fresh = ok(relay.check(hello()));
  EXPECT_EQ(fresh.question_order, v1::QUESTION_ORDER_UNSPECIFIED)
      << "the Welcome reads it as POPULAR";
  EXPECT_EQ(fresh.resume_after, std::nullopt) << "absent: a fresh Welcome";

  auto h = hello();
  h.set_question_order(v1::RECENT);
  h.set_resume_after(42);
  auto resumed = ok(relay.check(h));
  EXPECT_EQ(resumed.question_order, v1::RECENT);
  EXPECT_EQ(resumed.resume_after, std::optional<std::uint64_t>(42));

  h.set_resume_after(0);
  EXPECT_EQ(ok(relay.check(h)).resume_after, std::optional<std::uint64_t>(0))
      << "0 is a resume point, not its absence";
}

}  // namespace
}  // namespace panelwire::core
