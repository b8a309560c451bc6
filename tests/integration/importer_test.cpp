// panelwire-forum-import end to end: a real relay on a real redis-server
// ends a panel, and the importer posts each leftover to a local HTTP
// receiver standing in for the forum: once each, credited, through crashes,
// outages, rate limits and refusals; and from the embedded engine's outbox.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "../leftover_ids.h"
#include "http_receiver.h"
#include "importer_process.h"
#include "panelwire/forum/webhook_sink.h"
#include "redis_process.h"
#include "sdk_harness.h"
#include "server_process.h"
#include "tool_run.h"

extern char** environ;

namespace panelwire::test {
namespace {

using testing_support::without_start;

// The leftover a posted body is about, as "<panel>/<question>".
std::string leftover_of(const std::string& body) {
  return without_start(std::string(boost::json::parse(body).at("leftover_id").as_string()));
}

const std::string kSecret = "importer-test-secret-of-32-bytes-or-more";
const std::string kHookSecret = "hook-secret";

std::string token(const std::string& role, const std::string& name, const std::string& panel) {
  return mint_token(PANELWIRE_CLI_BIN, kSecret, role, name, panel);
}

struct Asked {
  std::string asker;  // empty: anonymous
  std::string text;
  std::string addressed_to;
  int votes = 0;  // from guests
};

// Runs a panel on `server` where each of `questions` is asked, then ends it.
void end_panel_with(const ServerProcess& server, const std::string& panel,
                    const std::vector<Asked>& questions) {
  IoThread io;
  std::vector<std::unique_ptr<SdkClient>> askers;
  for (const auto& q : questions) {
    client::Options o;
    o.urls = {server.ws_url()};
    o.panel_id = panel;
    o.display_name = q.asker.empty() ? "Someone" : q.asker;
    o.token = token("attendee", o.display_name, panel);
    auto& c = *askers.emplace_back(std::make_unique<SdkClient>(io, o));
    ASSERT_TRUE(c.wait_welcomes(1));
    v1::ClientMessage m;
    m.mutable_ask_question()->set_text(q.text);
    m.mutable_ask_question()->set_anonymous(q.asker.empty());
    m.mutable_ask_question()->set_addressed_to(q.addressed_to);
    auto a = c.send(m);
    ASSERT_FALSE(a.has_error()) << a.DebugString();
  }
  for (std::size_t i = 0; i < questions.size(); ++i) {
    for (int v = 0; v < questions[i].votes; ++v) {
      client::Options o;
      o.urls = {server.ws_url()};
      o.panel_id = panel;
      o.display_name = "Voter";
      SdkClient voter(io, o);
      ASSERT_TRUE(voter.wait_welcomes(1));
      v1::ClientMessage m;
      m.mutable_vote()->set_question_id(i + 1);
      ASSERT_FALSE(voter.send(m).has_error());
    }
  }
  client::Options o;
  o.urls = {server.ws_url()};
  o.panel_id = panel;
  o.display_name = "Moderator";
  o.token = token("moderator", "Moderator", panel);
  SdkClient mod(io, o);
  ASSERT_TRUE(mod.wait_welcomes(1));
  v1::ClientMessage end;
  end.mutable_end_panel();
  auto a = mod.send(end);
  ASSERT_FALSE(a.has_error()) << a.DebugString();
}

std::vector<Asked> numbered(int n) {
  std::vector<Asked> out;
  for (int i = 0; i < n; ++i)
    out.push_back({"Asker " + std::to_string(i), "Question number " + std::to_string(i) + "?", ""});
  return out;
}

class ImporterTest : public ::testing::Test {
 protected:
  std::vector<std::string> webhook_args(std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"--redis",
                                  redis_.url(),
                                  "--sink",
                                  "webhook",
                                  "--url",
                                  receiver_.url("/posts"),
                                  "--secret",
                                  kHookSecret,
                                  "--backoff-min-ms",
                                  "20",
                                  "--backoff-max-ms",
                                  "200"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  ToolResult import_once(std::vector<std::string> extra = {}) {
    auto args = webhook_args(std::move(extra));
    args.push_back("--once");
    return run_tool(PANELWIRE_IMPORT_BIN, args, {}, std::chrono::seconds(60));
  }
  // What the receiver created, as leftover ids.
  std::multiset<std::string> created_ids() {
    std::multiset<std::string> ids;
    for (const auto& r : receiver_.created()) ids.insert(leftover_of(r.body));
    return ids;
  }
  static std::multiset<std::string> ids(const std::string& panel, int from, int to) {
    std::multiset<std::string> out;
    for (int i = from; i <= to; ++i) out.insert(panel + "/" + std::to_string(i));
    return out;
  }

  engine::RedisProcess redis_;
  ServerProcess server_{{"--redis", redis_.url(), "--token-secret", kSecret}};
  HttpReceiver receiver_;
};

TEST_F(ImporterTest, EachLeftoverIsPostedOnceWithItsAttribution) {
  end_panel_with(
      server_, "nov",
      {{"Jackie Wheeler", "How do we support STEM resource teachers as leaders?", ""},
       {"", "An anonymous one?", ""},
       {"Bruce Alberts", "How do districts seek feedback from teachers?", "the panelists"}});
  auto r = import_once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto created = receiver_.created();
  ASSERT_EQ(created.size(), 3u);
  std::map<std::string, std::string> posts;
  for (const auto& req : created) {
    EXPECT_EQ(req.target, "/posts");
    EXPECT_TRUE(signed_with(kHookSecret, req)) << "signed with the shared secret, just now";
    auto body = boost::json::parse(req.body).as_object();
    EXPECT_EQ(req.headers.at("idempotency-key"), body.at("leftover_id").as_string());
    posts[without_start(std::string(body.at("leftover_id").as_string()))] =
        body.at("post").as_string();
  }
  EXPECT_NE(posts.at("nov/1").find("posed by Jackie Wheeler"), std::string::npos)
      << posts.at("nov/1");
  EXPECT_NE(posts.at("nov/1").find("> How do we support STEM resource teachers as leaders\\?"),
            std::string::npos)
      << "quoted, punctuation escaped";
  EXPECT_NE(posts.at("nov/2").find("posed by an attendee"), std::string::npos) << posts.at("nov/2");
  EXPECT_EQ(posts.at("nov/2").find("Someone"), std::string::npos) << "anonymous stays anonymous";
  EXPECT_NE(posts.at("nov/3").find("(addressing the panelists)"), std::string::npos);

  // Nothing left: a second run posts nothing.
  auto again = import_once();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(receiver_.requests().size(), 3u);
}

TEST_F(ImporterTest, KilledAtRandomPointsStillPostsEachExactlyOnce) {
  constexpr int kLeftovers = 12;
  end_panel_with(server_, "crash", numbered(kLeftovers));
  // The forum answers slowly enough that kills land mid-request too.
  receiver_.set_policy([](const ReceivedRequest&, int) -> std::optional<CannedResponse> {
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
    return std::nullopt;
  });
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> after_ms(5, 60);
  int rounds = 0;
  for (; rounds < 40 && created_ids().size() < kLeftovers; ++rounds) {
    ImporterProcess importer(webhook_args({"--consumer", "importer-1"}));
    std::this_thread::sleep_for(std::chrono::milliseconds(after_ms(rng)));
    importer.kill_now();
  }
  EXPECT_GT(rounds, 3) << "killed again and again before it was done";
  RecordProperty("requests_resent",
                 static_cast<int>(receiver_.requests().size()) - static_cast<int>(kLeftovers));
  // Then one that may finish.
  auto r = import_once({"--consumer", "importer-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(created_ids(), ids("crash", 1, kLeftovers)) << "each once, none missing";
  // Re-sent posts (killed between the forum's answer and the ledger) carried
  // the same idempotency key, so the forum created nothing twice.
  std::set<std::string> keys;
  for (const auto& req : receiver_.requests()) keys.insert(req.headers.at("idempotency-key"));
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(kLeftovers));
  // And the ledger, not the forum's key, is what stops a settled post: one
  // more run sends nothing at all.
  const auto sent = receiver_.requests().size();
  auto idle = import_once({"--consumer", "importer-1"});
  ASSERT_EQ(idle.exit_code, 0) << idle.err;
  EXPECT_EQ(receiver_.requests().size(), sent);
}

TEST_F(ImporterTest, AForumDownForAWhileGetsEveryPostOnceItIsBack) {
  end_panel_with(server_, "down", numbered(4));
  receiver_.set_policy([](const ReceivedRequest&, int nth) -> std::optional<CannedResponse> {
    if (nth <= 5) return CannedResponse{503, "down for maintenance", {}};
    return std::nullopt;
  });
  auto r = import_once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(created_ids(), ids("down", 1, 4));
  EXPECT_EQ(receiver_.requests().size(), 5u + 4u) << "retried until the forum answered";
}

TEST_F(ImporterTest, TooManyRequestsWaitsForRetryAfter) {
  end_panel_with(server_, "slow", numbered(2));
  std::vector<std::chrono::steady_clock::time_point> at;
  std::mutex m;
  receiver_.set_policy([&](const ReceivedRequest&, int nth) -> std::optional<CannedResponse> {
    {
      std::lock_guard lock(m);
      at.push_back(std::chrono::steady_clock::now());
    }
    if (nth == 1) return CannedResponse{429, "slow down", {{"Retry-After", "1"}}};
    return std::nullopt;
  });
  auto r = import_once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(created_ids(), ids("slow", 1, 2));
  std::lock_guard lock(m);
  ASSERT_GE(at.size(), 2u);
  EXPECT_GE(at[1] - at[0], std::chrono::milliseconds(950)) << "Retry-After: 1 was honoured";
}

TEST_F(ImporterTest, ARefusedPostIsDeadLetteredAndTheOthersGoOn) {
  end_panel_with(server_, "refuse", numbered(3));
  receiver_.set_policy([](const ReceivedRequest& req, int) -> std::optional<CannedResponse> {
    if (req.body.find("Question number 1?") != std::string::npos)
      return CannedResponse{
          422, R"({"errors":["Body is too similar to what you recently posted"]})", {}};
    return std::nullopt;
  });
  auto r = import_once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(created_ids(), (std::multiset<std::string>{"refuse/1", "refuse/3"}));

  auto list = run_tool(PANELWIRE_IMPORT_BIN, {"dead-letters", "list", "--redis", redis_.url()});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(std::regex_search(list.out, std::regex("refuse/[0-9]+/2\\b"))) << list.out;
  EXPECT_NE(list.out.find("HTTP 422"), std::string::npos) << "with its reason";

  // The operator fixes things on the forum and retries it.
  receiver_.set_policy(nullptr);
  auto retry = run_tool(PANELWIRE_IMPORT_BIN, {"dead-letters", "retry", "--redis", redis_.url()});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  auto again = import_once();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(created_ids(), ids("refuse", 1, 3));
  auto empty = run_tool(PANELWIRE_IMPORT_BIN, {"dead-letters", "list", "--redis", redis_.url()});
  EXPECT_EQ(empty.out, "");
}

// An operator retries one dead letter by its entry id; the others stay set
// aside.
TEST_F(ImporterTest, RetryingOneDeadLetterByItsEntryIdLeavesTheOthers) {
  end_panel_with(server_, "pick", numbered(3));
  receiver_.set_policy([](const ReceivedRequest& req, int) -> std::optional<CannedResponse> {
    if (req.body.find("Question number 0?") != std::string::npos ||
        req.body.find("Question number 1?") != std::string::npos)
      return CannedResponse{422, R"({"errors":["Not in this category"]})", {}};
    return std::nullopt;
  });
  auto r = import_once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(created_ids(), (std::multiset<std::string>{"pick/3"}));
  auto dead = [&] {
    std::map<std::string, std::string> by_question;  // "pick/N" -> entry id
    auto list = run_tool(PANELWIRE_IMPORT_BIN, {"dead-letters", "list", "--redis", redis_.url()});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    std::istringstream lines(list.out);
    for (std::string line; std::getline(lines, line);) {
      const auto tab = line.find('\t'), next = line.find('\t', tab + 1);
      by_question[without_start(line.substr(tab + 1, next - tab - 1))] = line.substr(0, tab);
    }
    return by_question;
  };
  auto before = dead();
  ASSERT_EQ(before.size(), 2u);
  receiver_.set_policy(nullptr);
  auto retry = run_tool(PANELWIRE_IMPORT_BIN,
                        {"dead-letters", "retry", before.at("pick/2"), "--redis", redis_.url()});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_NE(retry.out.find("1 moved back"), std::string::npos) << retry.out;
  r = import_once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(created_ids(), (std::multiset<std::string>{"pick/2", "pick/3"}));
  auto after = dead();
  EXPECT_EQ(after.size(), 1u);
  EXPECT_TRUE(after.contains("pick/1")) << "the one not retried stays aside";
}

TEST_F(ImporterTest, DripReleasesKPerPeriodHighestVotedFirstAcrossARestart) {
  auto asked = numbered(4);
  asked[2].votes = 2;  // drip/3
  asked[1].votes = 1;  // drip/2
  end_panel_with(server_, "drip", asked);
  // A period long enough that the second run is within it on a loaded machine.
  auto drip = [&] { return import_once({"--drip", "1/5s"}); };
  ASSERT_EQ(drip().exit_code, 0);
  EXPECT_EQ(created_ids().size(), 1u) << "one in the first period";
  ASSERT_EQ(drip().exit_code, 0);
  EXPECT_EQ(created_ids().size(), 1u) << "a restart does not reset the period";
  std::this_thread::sleep_for(std::chrono::milliseconds(5100));
  ASSERT_EQ(drip().exit_code, 0);
  EXPECT_EQ(created_ids().size(), 2u) << "the next period releases the next one";
  auto created = receiver_.created();
  auto first = leftover_of(created[0].body);
  auto second = leftover_of(created[1].body);
  EXPECT_EQ(first, "drip/3") << "the most votes first";
  EXPECT_EQ(second, "drip/2");
  std::this_thread::sleep_for(std::chrono::milliseconds(5100));
  ASSERT_EQ(drip().exit_code, 0);
  ASSERT_EQ(receiver_.created().size(), 3u);
  EXPECT_EQ(leftover_of(receiver_.created()[2].body), "drip/1") << "oldest first among equal votes";
}

TEST_F(ImporterTest, AnotherImporterTakesOverWhatADeadOneHeld) {
  end_panel_with(server_, "takeover", numbered(5));
  // The first importer takes entries and dies before it posts any.
  receiver_.set_policy([](const ReceivedRequest&, int) -> std::optional<CannedResponse> {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    return std::nullopt;
  });
  {
    ImporterProcess doomed(webhook_args({"--consumer", "doomed"}));
    for (int i = 0; i < 500 && receiver_.requests().empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_FALSE(receiver_.requests().empty());
  }
  receiver_.set_policy(nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto r = import_once({"--consumer", "survivor", "--claim-after-ms", "200"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(created_ids(), ids("takeover", 1, 5)) << "the survivor claimed the dead one's entries";
}

TEST(ImporterOutbox, TheEmbeddedEnginesOutboxImportsToJsonLines) {
  ServerProcess server({"--token-secret", kSecret});
  end_panel_with(server, "solo", {{"Ann", "From the outbox?", "Dr. Alberts"}, {"Bob", "Two?", ""}});
  auto out = temp_path("posts.jsonl");
  std::vector<std::string> args = {
      "--outbox", server.outbox_path(), "--sink", "jsonl", "--out", out, "--once"};
  auto r = run_tool(PANELWIRE_IMPORT_BIN, args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto again = run_tool(PANELWIRE_IMPORT_BIN, args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  std::ifstream in(out);
  std::vector<boost::json::object> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(boost::json::parse(line).as_object());
  ASSERT_EQ(lines.size(), 2u) << "each once, across two runs";
  EXPECT_EQ(without_start(std::string(lines[0].at("leftover_id").as_string())), "solo/1");
  std::string post(lines[0].at("post").as_string());
  EXPECT_NE(post.find("posed by Ann (addressing Dr\\. Alberts)"), std::string::npos) << post;
  EXPECT_EQ(lines[0].at("leftover").at("askerName").as_string(), "Ann");
}

}  // namespace
}  // namespace panelwire::test
