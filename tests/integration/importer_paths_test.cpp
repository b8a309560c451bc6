// The importer's paths that only a failure, an operator or a template
// takes, end to end against outbox files as the relay writes them: a forum
// that cannot be reached at all (not a 5xx: nothing listens), --once giving
// up with 75 and a later run finishing the work; a torn last line of the
// outbox; --format html with the operator's template and values escaped;
// Discourse's default pace; the JSON Lines sink and file ledger through
// kills.

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include "discourse_stand_in.h"
#include "http_receiver.h"
#include "importer_process.h"
#include "importer_support.h"
#include "panelwire/v1/leftover.pb.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

using namespace std::chrono_literals;

TEST(ImporterPaths, AForumNobodyAnswersEndsOnceWith75AndALaterRunPostsEachOnce) {
  const auto outbox =
      outbox_of({leftover("down", 1, "One?", "Ann"), leftover("down", 2, "Two?", "Bob")});
  const auto port = closed_port();
  std::vector<std::string> args = {"--outbox",
                                   outbox,
                                   "--sink",
                                   "webhook",
                                   "--url",
                                   "http://127.0.0.1:" + std::to_string(port) + "/posts",
                                   "--secret",
                                   "s",
                                   "--backoff-min-ms",
                                   "10",
                                   "--backoff-max-ms",
                                   "20",
                                   "--once"};
  auto r = run_tool(PANELWIRE_IMPORT_BIN, args, {}, 60s);
  EXPECT_EQ(r.exit_code, 75) << "EX_TEMPFAIL: the forum kept failing\n" << r.err;
  EXPECT_NE(r.out.find("event=gave_up"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Couldn't connect"), std::string::npos) << "a network error: " << r.out;

  HttpReceiver forum;
  args[5] = forum.url("/posts");
  r = run_tool(PANELWIRE_IMPORT_BIN, args, {}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, int> requests;
  for (const auto& req : forum.requests()) requests[req.headers.at("idempotency-key")]++;
  EXPECT_EQ(requests,
            (std::map<std::string, int>{{"down/1764763200000/1", 1}, {"down/1764763200000/2", 1}}))
      << "one request each: nothing reached the forum before";
}

// A forum whose answer never ends (or a hostile one) is read up to 1 MiB:
// past it the answer is cut and the post tried again, never held whole.
TEST(ImporterPaths, AnAnswerPastOneMebibyteIsCutAndTriedAgain) {
  const auto outbox = outbox_of({leftover("huge", 1, "One?", "Ann")});
  HttpReceiver forum;
  forum.set_policy([](const ReceivedRequest&, int) -> std::optional<CannedResponse> {
    return CannedResponse{200, "{\"id\":\"" + std::string(2u << 20, 'x') + "\"}", {}};
  });
  const auto r =
      run_tool(PANELWIRE_IMPORT_BIN,
               {"--outbox", outbox, "--sink", "webhook", "--url", forum.url("/posts"), "--secret",
                "s", "--backoff-min-ms", "10", "--backoff-max-ms", "20", "--once"},
               {}, 60s);
  EXPECT_EQ(r.exit_code, 75) << r.err;
  EXPECT_NE(r.out.find("longer than 1048576 bytes"), std::string::npos) << r.out.substr(0, 2000);
  EXPECT_EQ(forum.requests().size(), 8u) << "tried as often as --once tries a failing forum";
}

// Lines of `path` that are whole JSON objects holding `needle`, by their
// leftover id.
std::map<std::string, int> ids_in(const std::string& path, const std::string& needle = "") {
  std::map<std::string, int> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object() || line.find(needle) == std::string::npos) continue;
    if (const auto* id = v.as_object().if_contains("leftover_id"); id && id->is_string())
      out[std::string(id->as_string())]++;
  }
  return out;
}

// The JSON Lines sink and the file ledger through crashes: an importer
// killed again and again writes each leftover once. Some kill lands
// between a line written and the ledger's record of it; the sink's own
// look at its file is what keeps that one from being written twice.
TEST(ImporterPaths, JsonLinesKilledAtRandomPointsWritesEachLeftoverOnce) {
  // Enough that a run is killed many times before it is done.
  constexpr int kLeftovers = 200;
  std::vector<v1::Leftover> items;
  for (int i = 1; i <= kLeftovers; ++i)
    items.push_back(leftover("lines", i, "Question " + std::to_string(i) + "?", "Ann"));
  const auto outbox = outbox_of(items);
  const auto out = temp_path("posts.jsonl"), ledger = outbox + ".posted.jsonl";
  const std::vector<std::string> args = {"--outbox", outbox, "--sink", "jsonl", "--out", out};
  auto written = [&] { return ids_in(out).size(); };
  auto recorded = [&] { return ids_in(ledger, "\"post_id\"").size(); };

  auto bytes = [&] {
    std::error_code ec;
    const auto n = std::filesystem::file_size(out, ec);
    return ec ? 0 : n;
  };
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> after_us(0, 4000);
  int rounds = 0, between = 0;
  // Rounds stop within the test's budget on a loaded machine (a sanitized
  // importer slow to start); --once below writes whatever is left.
  const auto stop_at = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  for (; rounds < 200 && written() < kLeftovers && std::chrono::steady_clock::now() < stop_at;
       ++rounds) {
    // Killed once it is writing (however long it takes to start, under a
    // sanitizer on a busy machine too: up to 10 s), a moment later:
    // mid-stream.
    const auto before = bytes();
    ImporterProcess importer(args);
    for (int i = 0; i < 50'000 && bytes() == before; ++i)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    std::this_thread::sleep_for(std::chrono::microseconds(after_us(rng)));
    importer.kill_now();
    // Written, and not in the ledger: this kill landed in between.
    if (written() > recorded()) between++;
  }
  EXPECT_GT(rounds, 1) << "killed before it was done";
  EXPECT_GT(between, 0) << "no kill landed between a line and the ledger in " << rounds;
  auto finish = args;
  finish.push_back("--once");
  const auto r = run_tool(PANELWIRE_IMPORT_BIN, finish);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = ids_in(out);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kLeftovers));
  for (const auto& [id, n] : lines) EXPECT_EQ(n, 1) << id << " written " << n << " times";
  EXPECT_EQ(recorded(), static_cast<std::size_t>(kLeftovers));
  const auto size = std::filesystem::file_size(out);
  const auto idle = run_tool(PANELWIRE_IMPORT_BIN, finish);
  ASSERT_EQ(idle.exit_code, 0) << idle.err;
  EXPECT_EQ(std::filesystem::file_size(out), size) << "a settled run writes nothing";
  RecordProperty("rounds", rounds);
  RecordProperty("kills_between_line_and_ledger", between);
}

TEST(ImporterPaths, ATornLastLineIsSkippedAndTheRestImported) {
  const auto complete = leftover("torn", 1, "Whole?", "Ann");
  auto torn = json_line(leftover("torn", 2, "Cut short?", "Bob"));
  const auto outbox = outbox_of({complete}, torn.substr(0, torn.size() / 2));
  const auto out = temp_path("posts.jsonl");
  const std::vector<std::string> args = {"--outbox", outbox, "--sink", "jsonl",
                                         "--out",    out,    "--once"};
  auto r = run_tool(PANELWIRE_IMPORT_BIN, args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(out);
  ASSERT_EQ(lines.size(), 1u) << "the torn line was never acked: not a leftover";
  EXPECT_EQ(lines[0].at("leftover_id").as_string(), complete.leftover_id());
  // The relay finishes the line only by writing it whole again after it:
  // a later run imports what is whole.
  std::ofstream(outbox, std::ios::app) << "\n" << torn << "\n";
  r = run_tool(PANELWIRE_IMPORT_BIN, args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = lines_of(out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].at("leftover_id").as_string(), "torn/1764763200000/2");
}

TEST(ImporterPaths, HtmlWithTheOperatorsTemplateEscapesEveryValue) {
  const auto outbox =
      outbox_of({leftover("html", 1, "Is <b>this</b> & \"that\" 'safe'?", "O'Brien & \"Sons\"")});
  const auto tmpl = temp_path("question.html");
  std::ofstream(tmpl) << "<h3>{panel_title}</h3><p>{asker} asked:</p>{quote}";
  const auto out = temp_path("posts.jsonl");
  auto r =
      run_tool(PANELWIRE_IMPORT_BIN, {"--outbox", outbox, "--sink", "jsonl", "--out", out,
                                      "--format", "html", "--question-template", tmpl, "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("format").as_string(), "html");
  EXPECT_EQ(std::string(lines[0].at("post").as_string()),
            "<h3>Tom &amp; Jerry&#39;s &quot;panel&quot;</h3>"
            "<p>O&#39;Brien &amp; &quot;Sons&quot; asked:</p>"
            "<blockquote>Is &lt;b&gt;this&lt;/b&gt; &amp; &quot;that&quot; &#39;safe&#39;?"
            "</blockquote>");
}

// Without --per-minute the Discourse sink keeps under Discourse's 60 admin
// requests a minute: 50, one every 1.2 s.
TEST(ImporterPaths, DiscourseIsPacedToFiftyAMinuteByDefault) {
  const auto outbox = outbox_of({leftover("paced", 1, "First of three?", "Ann"),
                                 leftover("paced", 2, "Second of three?", "Bob"),
                                 leftover("paced", 3, "Third of three?", "Cy")});
  DiscourseStandIn forum;
  const auto topic = forum.add_topic("The paced panel's follow-up");
  const auto r = run_tool(
      PANELWIRE_IMPORT_BIN,
      {"--outbox", outbox, "--sink", "discourse", "--discourse-url", forum.url(), "--api-key",
       "k-123", "--api-username", "panel-bot", "--topic", std::to_string(topic), "--once"},
      {}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto posts = forum.posts();
  ASSERT_EQ(posts.size(), 3u);
  for (std::size_t i = 1; i < posts.size(); ++i)
    EXPECT_GE(posts[i].at - posts[i - 1].at, 1150ms) << "post " << i << " came too soon";
  EXPECT_EQ(forum.throttled(), 0) << "never over the forum's limit";
}

}  // namespace
}  // namespace panelwire::test
