// Who a Discourse post is from, end to end: a real relay (its token secret
// keys participants' ids) ends a panel, and the importer posts to a local
// receiver standing in for Discourse. A token holder mapped by subject is
// posted as their forum account, whatever name they took in the room; a
// guest who took a member's name, and an anonymous asker, are posted by
// the importer's account, credited (or not) in the text. A user's "too
// fast" waits and is tried again; a user the forum refuses is posted by
// the importer's account instead.

#include <atomic>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "client_commands.h"
#include "http_receiver.h"
#include "importer_support.h"
#include "raw_client.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

const std::string kSecret = "identity-test-secret-of-32-bytes-or-more";

std::string token_for(const std::string& role, const std::string& name, const std::string& subject,
                      const std::string& panel) {
  return mint_token(PANELWIRE_CLI_BIN, kSecret, role, name, panel, {"--subject", subject});
}

// The panel: a member, a guest who took the member's name, an anonymous
// member; then its end.
void run_panel(const ServerProcess& relay) {
  RawClient jackie(relay.port()), guest(relay.port()), sam(relay.port()), mo(relay.port());
  jackie.join("identity", "Jackie Wheeler", "", {},
              token_for("attendee", "Jackie Wheeler", "jackie@example.org", "identity"));
  guest.join("identity", "Jackie Wheeler");
  sam.join("identity", "Sam", "", {}, token_for("attendee", "Sam", "sam@example.org", "identity"));
  mo.join("identity", "Mo", "", {}, token_for("moderator", "Mo", "mo@example.org", "identity"));
  ASSERT_FALSE(jackie.command(with_id(ask("From the member?"), "q1")).has_error());
  ASSERT_FALSE(guest.command(with_id(ask("From the impostor?"), "q2")).has_error());
  ASSERT_FALSE(sam.command(with_id(ask("From nobody named?", true), "q3")).has_error());
  ASSERT_FALSE(mo.command(with_id(end_panel(), "end")).has_error());
}

// Each post's poster, by a word of its question.
std::map<std::string, std::string> posters(const std::vector<ReceivedRequest>& posts) {
  std::map<std::string, std::string> out;
  for (const auto& p : posts) {
    const std::string raw(boost::json::parse(p.body).as_object().at("raw").as_string());
    for (const char* word : {"member", "impostor", "nobody"})
      if (raw.find(word) != std::string::npos) out[word] = p.headers.at("api-username");
  }
  return out;
}

struct Importer {
  std::string users = temp_path("users.json");
  std::string secret = temp_path("token-secret");
  Importer() {
    std::ofstream(users) << R"({"jackie@example.org": "jwheeler", "sam@example.org": "sam"})";
    std::ofstream(secret) << kSecret << "\n";
  }
  ToolResult run(const ServerProcess& relay, const HttpReceiver& forum) const {
    return run_tool(PANELWIRE_IMPORT_BIN,
                    discourse_import_args(relay.outbox_path(), forum.url(""),
                                          {"--topic", "42", "--usernames", users,
                                           "--token-secret-file", secret, "--once"}),
                    {}, std::chrono::seconds(60));
  }
};

TEST(ForumIdentity, OnlyAMappedTokenHolderIsPostedAsAForumUser) {
  ServerProcess relay({"--token-secret", kSecret});
  ASSERT_NO_FATAL_FAILURE(run_panel(relay));
  HttpReceiver forum;
  const auto r = Importer().run(relay, forum);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto posts = forum.created();
  ASSERT_EQ(posts.size(), 3u);
  auto by = posters(posts);
  EXPECT_EQ(by["member"], "jwheeler") << "the token holder, found by subject";
  EXPECT_EQ(by["impostor"], "panel-bot") << "a guest who took a member's name is never them";
  EXPECT_EQ(by["nobody"], "panel-bot") << "an anonymous asker is not named by the account either";
  for (const auto& p : posts) {
    const std::string raw(boost::json::parse(p.body).as_object().at("raw").as_string());
    const bool impostor = raw.find("impostor") != std::string::npos;
    const bool nobody = raw.find("nobody") != std::string::npos;
    if (impostor) {
      EXPECT_NE(raw.find("posed by Jackie Wheeler"), std::string::npos)
          << "credited by the name they gave, in the text: " << raw;
    }
    if (nobody) {
      EXPECT_NE(raw.find("posed by an attendee"), std::string::npos) << raw;
    }
  }
}

TEST(ForumIdentity, AUsersTooFastWaitsAndAUserRefusedIsPostedByTheAccount) {
  ServerProcess relay({"--token-secret", kSecret});
  ASSERT_NO_FATAL_FAILURE(run_panel(relay));
  // Counted on the receiver's thread, read here; declared before the
  // receiver so it outlives the receiver's thread.
  std::atomic<int> jwheeler_tries = 0;
  HttpReceiver forum;
  // jwheeler's first post: too fast (as Discourse's per-user interval
  // answers); the second goes in. Everything else as usual.
  forum.set_policy([&](const ReceivedRequest& r, int) -> std::optional<CannedResponse> {
    if (r.headers.at("api-username") != "jwheeler" || ++jwheeler_tries > 1) return std::nullopt;
    return CannedResponse{
        422,
        R"({"errors":["You're creating posts too quickly."],"extras":{"wait_seconds":1}})",
        {}};
  });
  auto r = Importer().run(relay, forum);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(jwheeler_tries, 2) << "waited and tried again, not dead-lettered";
  EXPECT_EQ(posters(forum.created())["member"], "jwheeler");

  // A forum that refuses the user (suspended, silenced): the text credits
  // them, so it goes out from the account.
  ServerProcess second({"--token-secret", kSecret});
  ASSERT_NO_FATAL_FAILURE(run_panel(second));
  HttpReceiver strict;
  strict.set_policy([](const ReceivedRequest& r, int) -> std::optional<CannedResponse> {
    if (r.headers.at("api-username") != "jwheeler") return std::nullopt;
    return CannedResponse{
        403, R"({"errors":["You are not permitted to view the requested resource."]})", {}};
  });
  r = Importer().run(second, strict);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto posts = strict.created();
  ASSERT_EQ(posts.size(), 3u) << "nothing dead-lettered";
  EXPECT_EQ(posters(posts)["member"], "panel-bot");
}

// Consent: anonymous in the room, credited in the forum (posted as their
// own account when mapped); named in the room, not in the forum.
TEST(ForumIdentity, TheForumFollowsEachAskersChoiceForTheForum) {
  ServerProcess relay({"--token-secret", kSecret});
  RawClient sam(relay.port()), jackie(relay.port()), mo(relay.port());
  sam.join("consent", "Sam", "", {}, token_for("attendee", "Sam", "sam@example.org", "consent"));
  jackie.join("consent", "Jackie Wheeler", "", {},
              token_for("attendee", "Jackie Wheeler", "jackie@example.org", "consent"));
  mo.join("consent", "Mo", "", {}, token_for("moderator", "Mo", "mo@example.org", "consent"));
  auto asked = [](const std::string& text, bool anonymous, v1::ForumCredit credit) {
    auto m = ask(text, anonymous);
    m.mutable_ask_question()->set_forum_credit(credit);
    return m;
  };
  ASSERT_FALSE(sam.command(with_id(asked("From nobody named here?", true, v1::FORUM_NAMED), "q1"))
                   .has_error());
  ASSERT_FALSE(jackie.command(with_id(asked("From the member?", false, v1::FORUM_UNNAMED), "q2"))
                   .has_error());
  ASSERT_FALSE(mo.command(with_id(end_panel(), "end")).has_error());
  HttpReceiver forum;
  const auto r = Importer().run(relay, forum);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto posts = forum.created();
  ASSERT_EQ(posts.size(), 2u);
  auto by = posters(posts);
  EXPECT_EQ(by["nobody"], "sam") << "anonymous in the room, named (as themselves) in the forum";
  EXPECT_EQ(by["member"], "panel-bot") << "named in the room, not in the forum";
  for (const auto& p : posts) {
    const std::string raw(boost::json::parse(p.body).as_object().at("raw").as_string());
    if (raw.find("nobody") != std::string::npos) {
      EXPECT_NE(raw.find("posed by Sam"), std::string::npos) << raw;
    } else {
      EXPECT_NE(raw.find("posed by an attendee"), std::string::npos) << raw;
      EXPECT_EQ(raw.find("Jackie"), std::string::npos) << raw;
    }
  }
}

TEST(ForumIdentity, UsernamesWithoutTheRelaysSecretIsAUsageError) {
  Importer importer;
  auto r = run_tool(PANELWIRE_IMPORT_BIN,
                    {"--outbox", temp_path("none.jsonl"), "--sink", "discourse", "--discourse-url",
                     "http://127.0.0.1:9", "--api-key", "k", "--api-username", "panel-bot",
                     "--usernames", importer.users, "--once"});
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_NE(r.err.find("id secret"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace panelwire::test
