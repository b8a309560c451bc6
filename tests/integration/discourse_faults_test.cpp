// A Discourse that answers what the importer must not follow: a topic
// lookup redirected off the forum (the API key would go with it), another
// importer making the panel's topic first, a key that may post but not
// read; and the importer's options that only make sense together, refused
// before anything runs.

#include <atomic>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "http_receiver.h"
#include "importer_support.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> discourse_args(const std::string& outbox, const HttpReceiver& forum,
                                        std::vector<std::string> extra = {}) {
  extra.push_back("--once");
  return discourse_import_args(outbox, forum.url(""), std::move(extra));
}

// The dead letters of `outbox`: each one's reason.
std::vector<std::string> dead_reasons(const std::string& outbox) {
  std::vector<std::string> out;
  for (const auto& line : lines_of(outbox + ".dead.jsonl"))
    out.emplace_back(line.at("reason").as_string());
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

TEST(DiscourseFaults, ATopicLookupRedirectedOffTheForumIsNeverFollowed) {
  const auto outbox = outbox_of({leftover("away", 1, "Where does this go?", "Ann")});
  HttpReceiver forum;
  forum.set_policy([](const ReceivedRequest& r, int) -> std::optional<CannedResponse> {
    if (starts_with(r.target, "/t/external_id/"))
      return CannedResponse{301, "", {{"Location", "https://collector.example/t/away/9.json"}}};
    return CannedResponse{500, "not expected", {}};
  });
  const auto r = run_tool(PANELWIRE_IMPORT_BIN, discourse_args(outbox, forum), {}, 30s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(forum.requests().size(), 1u) << "the lookup, and nothing after it";
  const auto reasons = dead_reasons(outbox);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("redirected the topic lookup off the forum"), std::string::npos)
      << reasons[0];
}

TEST(DiscourseFaults, AnotherImporterMakingTheTopicFirstIsFoundAndPostedInto) {
  const auto outbox = outbox_of({leftover("race", 1, "Who made the topic?", "Ann")});
  std::atomic<int> lookups = 0;  // on the receiver's thread, which ends before it
  HttpReceiver forum;
  forum.set_policy([&](const ReceivedRequest& r, int) -> std::optional<CannedResponse> {
    if (starts_with(r.target, "/t/external_id/"))
      // None yet; by the second lookup the other importer's topic is there.
      return ++lookups == 1 ? CannedResponse{404, R"({"errors":["not found"]})", {}}
                            : CannedResponse{301, "", {{"Location", "/t/race/77.json"}}};
    if (r.target == "/t/race/77.json") return CannedResponse{200, R"({"id": 77})", {}};
    if (r.target == "/posts.json" && r.body.find("external_id") != std::string::npos)
      return CannedResponse{422, R"({"errors":["External ID has already been taken"]})", {}};
    if (r.target == "/posts.json")
      return CannedResponse{200, R"({"id": 901, "topic_id": 77, "post_number": 2})", {}};
    return CannedResponse{500, "not expected", {}};
  });
  const auto r = run_tool(PANELWIRE_IMPORT_BIN, discourse_args(outbox, forum), {}, 30s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> seen;
  for (const auto& req : forum.requests()) seen.push_back(req.method + " " + req.target);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_TRUE(starts_with(seen[0], "GET /t/external_id/")) << seen[0];
  EXPECT_EQ(seen[1], "POST /posts.json") << "made: refused, the id is taken";
  EXPECT_TRUE(starts_with(seen[2], "GET /t/external_id/")) << seen[2];
  EXPECT_EQ(seen[3], "GET /t/race/77.json");
  EXPECT_EQ(seen[4], "POST /posts.json");
  EXPECT_EQ(boost::json::parse(forum.requests()[4].body).at("topic_id").as_int64(), 77);
  EXPECT_TRUE(dead_reasons(outbox).empty());
}

TEST(DiscourseFaults, AKeyThatMayNotReadSetsTheLeftoverAsideInsteadOfPostingBlind) {
  const auto outbox = outbox_of({leftover("blind", 1, "Was I posted?", "Ann")});
  // An earlier run attempted it and never learned the outcome.
  std::ofstream(outbox + ".posted.jsonl")
      << R"({"leftover_id":"blind/1764763200000/1","attempt":true})"
      << "\n";
  HttpReceiver forum;
  forum.set_policy([](const ReceivedRequest& r, int) -> std::optional<CannedResponse> {
    if (starts_with(r.target, "/raw/"))
      return CannedResponse{403, R"({"errors":["You are not permitted to view that."]})", {}};
    return CannedResponse{500, "not expected", {}};
  });
  const auto r =
      run_tool(PANELWIRE_IMPORT_BIN, discourse_args(outbox, forum, {"--topic", "12"}), {}, 30s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(forum.requests().size(), 1u) << "looked, and posted nothing it could not check";
  EXPECT_EQ(forum.requests()[0].target, "/raw/12?page=1");
  const auto reasons = dead_reasons(outbox);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("looking for an earlier attempt"), std::string::npos) << reasons[0];
}

TEST(DiscourseFaults, OptionsThatOnlyWorkTogetherAreRefusedBeforeAnythingRuns) {
  const auto outbox = outbox_of({leftover("opts", 1, "Never posted?", "Ann")});
  HttpReceiver forum;
  const auto secret = temp_path("token-secret");
  std::ofstream(secret) << "a-relay-token-secret-of-32-bytes-or-more\n";
  const std::string relay = "ws://127.0.0.1:" + std::to_string(closed_port()) + "/v1/ws";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--relay", relay}, "--relay needs the relays' token secret"},
      {{"--answers-listen", "127.0.0.1:0"}, "--answers-listen needs"},
      {{"--relay", relay, "--token-secret-file", secret, "--answers-listen", "127.0.0.1:0"},
       "--answers-listen needs"},  // no answers' secret for Discourse
      {{"--relay", relay, "--token-secret-file", secret, "--answers-listen", "127.0.0.1:0",
        "--answers-secret", "short"},
       "the answers' secret needs at least 16 bytes"},
      {{"--relay", relay, "--token-secret-file", secret, "--answers-listen", "127.0.0.1",
        "--answers-secret", "a-webhook-secret-of-32-bytes-and-more"},
       "--answers-listen is HOST:PORT"},
      {{"--relay", relay, "--token-secret-file", secret, "--answers-listen", "127.0.0.1:99999",
        "--answers-secret", "a-webhook-secret-of-32-bytes-and-more"},
       "--answers-listen is HOST:PORT"},
  };
  for (const auto& [extra, why] : cases) {
    const auto r = run_tool(PANELWIRE_IMPORT_BIN, discourse_args(outbox, forum, extra));
    EXPECT_EQ(r.exit_code, 64) << why;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
  }
  const auto jsonl = run_tool(PANELWIRE_IMPORT_BIN,
                              {"--outbox", outbox, "--sink", "jsonl", "--out", temp_path("o.jsonl"),
                               "--relay", relay, "--token-secret-file", secret, "--answers-listen",
                               "127.0.0.1:0", "--answers-secret", "s", "--once"});
  EXPECT_EQ(jsonl.exit_code, 64) << "a file has nobody to answer from";
  EXPECT_NE(jsonl.err.find("--sink discourse or webhook"), std::string::npos) << jsonl.err;
  EXPECT_TRUE(forum.requests().empty());
  EXPECT_TRUE(lines_of(outbox + ".posted.jsonl").empty()) << "nothing ran";
}

}  // namespace
}  // namespace panelwire::test
