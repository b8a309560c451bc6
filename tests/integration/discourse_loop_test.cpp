// Exactly once on Discourse, end to end: a real relay ends a panel that has
// no forum thread, and the importer posts its leftovers to a stand-in that
// behaves like Discourse (discourse_stand_in.h). The panel's own topic is
// made once, found again by its external id; every post carries its
// leftover's marker, and an attempt whose outcome the importer never
// learned (killed after the forum made the post, or the answer lost) is
// found on the forum by that marker instead of posted again.

#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "client_commands.h"
#include "discourse_stand_in.h"
#include "forum_loop_support.h"
#include "importer_process.h"
#include "importer_support.h"
#include "panelwire/forum/discourse_api.h"
#include "raw_client.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

using namespace std::chrono_literals;

// How many of the forum's posts carry each leftover's marker.
std::map<std::string, int> copies(DiscourseStandIn& forum, const std::vector<std::string>& ids) {
  std::map<std::string, int> out;
  for (const auto& id : ids) out[id] = 0;
  for (const auto& p : forum.posts())
    for (const auto& id : ids)
      if (p.raw.find(forum::leftover_marker(id)) != std::string::npos) out[id]++;
  return out;
}

// Leftovers the importer's file ledger records as posted.
std::size_t recorded(const std::string& ledger) {
  std::size_t n = 0;
  std::ifstream in(ledger);
  for (std::string line; std::getline(in, line);)
    n += line.find("\"post_id\"") != std::string::npos ? 1 : 0;
  return n;
}

std::vector<std::string> importer_args(const ServerProcess& relay, const DiscourseStandIn& forum,
                                       std::vector<std::string> extra = {}) {
  return discourse_import_args(relay.outbox_path(), forum.url(), std::move(extra));
}

int count_requests(DiscourseStandIn& forum, const std::string& method, const std::string& prefix) {
  int n = 0;
  for (const auto& r : forum.requests())
    n += r.method == method && r.target.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

TEST(DiscourseExactlyOnce,
     KilledAtRandomPointsAndRightAfterTheForumPostedEachLeftoverIsPostedOnce) {
  constexpr int kLeftovers = 10;
  ServerProcess relay({"--token-secret", kLoopSecret});
  ASSERT_NO_FATAL_FAILURE(run_panel(relay, "crash", kLeftovers));
  const auto ids = published(relay);
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kLeftovers));

  DiscourseStandIn::Rules rules;
  rules.admin_requests_per_window = 100'000;  // pacing is not what this test is about
  rules.answer_delay = 40ms;                  // made, then answered: the window a kill must hit
  DiscourseStandIn forum(rules);
  const auto ledger = relay.outbox_path() + ".posted.jsonl";

  std::mt19937 rng(11);
  std::uniform_int_distribution<int> after_ms(5, 80);
  int rounds = 0, mid_delivery = 0;
  auto made = [&] { return forum.posts().size(); };
  for (; rounds < 60 && recorded(ledger) < kLeftovers; ++rounds) {
    const auto before = made();
    ImporterProcess importer(importer_args(relay, forum));
    if (rounds % 2 == 0) {
      // Right after the forum made a post, before its answer: the kill
      // that posts twice unless the importer looks first.
      for (int i = 0; i < 400 && made() == before; ++i) std::this_thread::sleep_for(1ms);
      std::this_thread::sleep_for(5ms);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(after_ms(rng)));
    }
    importer.kill_now();
    // Posts made that the ledger never heard of (the topic's opening post
    // aside): this kill landed between the forum and the ledger.
    if (made() > recorded(ledger) + (forum.topics().empty() ? 0 : 1)) mid_delivery++;
  }
  ASSERT_GT(mid_delivery, 0) << "no kill landed between the forum's post and the ledger";
  const auto finish = run_tool(
      PANELWIRE_IMPORT_BIN,
      [&] {
        auto a = importer_args(relay, forum);
        a.push_back("--once");
        return a;
      }(),
      {}, 60s);
  ASSERT_EQ(finish.exit_code, 0) << finish.err;

  for (const auto& [id, n] : copies(forum, ids)) EXPECT_EQ(n, 1) << id << " on the forum";
  ASSERT_EQ(forum.topics().size(), 1u)
      << "the panel's topic, made once across " << rounds << " importers";
  const auto topic = forum.topics()[0];
  EXPECT_EQ(topic.external_id.rfind("panelwire-", 0), 0u) << topic.external_id;
  EXPECT_TRUE(
      std::regex_match(topic.title, std::regex("crash, [A-Z][a-z]+ [0-9]{1,2}, 20[0-9]{2}: the "
                                               "questions we had no time for")))
      << topic.title;
  EXPECT_EQ(forum.posts().size(), kLeftovers + 1u) << "the opening post and one per leftover";
  EXPECT_EQ(recorded(ledger), static_cast<std::size_t>(kLeftovers));
  EXPECT_GT(count_requests(forum, "GET", "/raw/"), 0) << "interrupted attempts were looked for";
  RecordProperty("rounds", rounds);
  RecordProperty("kills_mid_delivery", mid_delivery);
  RecordProperty("posts_requested", count_requests(forum, "POST", "/posts.json"));
}

TEST(DiscourseExactlyOnce, ALostAnswerIsFoundByItsMarkerAndAMembersForgedMarkerIsNot) {
  ServerProcess relay({"--token-secret", kLoopSecret});
  ASSERT_NO_FATAL_FAILURE(run_panel(relay, "lost", 2));
  const auto ids = published(relay);
  ASSERT_EQ(ids.size(), 2u);

  DiscourseStandIn::Rules rules;
  // The first leftover's post is made and answered 502 (the importer must
  // find it); the second's first try is refused before it is made (the
  // importer looks, and must not take the member's reply for it).
  rules.post_faults = {502, 503};
  DiscourseStandIn forum(rules);
  const auto topic = forum.add_topic("The lost panel's follow-up");
  // A member pastes the second leftover's marker into a reply, hoping the
  // importer takes it for the post and never makes it.
  forum.add_post(topic, "mallory", "Nothing to see here.\n\n" + forum::leftover_marker(ids[1]));

  const auto r = run_tool(
      PANELWIRE_IMPORT_BIN,
      [&] {
        auto a = importer_args(relay, forum, {"--topic", std::to_string(topic), "--once"});
        return a;
      }(),
      {}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto n = copies(forum, ids);
  EXPECT_EQ(n[ids[0]], 1) << "the post whose answer was lost, found and not made again";
  EXPECT_EQ(n[ids[1]], 2) << "posted, beside the member's reply that carries its marker";
  int bot_copies = 0;
  for (const auto& p : forum.posts())
    if (p.username == "panel-bot" &&
        p.raw.find(forum::leftover_marker(ids[1])) != std::string::npos)
      bot_copies++;
  EXPECT_EQ(bot_copies, 1);
  EXPECT_EQ(count_requests(forum, "POST", "/posts.json"), 3)
      << "the first leftover once, the second twice (refused, then made)";
  EXPECT_EQ(count_requests(forum, "GET", "/raw/"), 2) << "each interrupted attempt looked for";
  EXPECT_NE(r.out.find("event=found_on_forum"), std::string::npos) << r.out;
}

// After the panel: each question the importer posted shows where it went,
// on every client of the panel (here the CLI), through the relay.
TEST(DiscourseFollowUp, EachQuestionPostedIsLinkedOnThePanelAfterItEnded) {
  ServerProcess relay({"--token-secret", kLoopSecret});
  ASSERT_NO_FATAL_FAILURE(run_panel(relay, "linked", 2));
  DiscourseStandIn forum;
  const auto topic = forum.add_topic("The linked panel's follow-up");
  const auto secret = temp_path("token-secret");
  std::ofstream(secret) << kLoopSecret << "\n";
  const auto r = run_tool(PANELWIRE_IMPORT_BIN,
                          importer_args(relay, forum,
                                        {"--topic", std::to_string(topic), "--relay",
                                         relay.ws_url(), "--token-secret-file", secret, "--once"}),
                          {}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("event=relay_updated"), std::string::npos) << r.out;

  const auto listed =
      run_tool(PANELWIRE_CLI_BIN, {"questions", "--url", relay.ws_url(), "--panel", "linked"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  std::size_t linked = 0;
  for (const auto& p : forum.posts()) {
    const auto line = "continued in the forum: " + forum.url() + "/p/" + std::to_string(p.id);
    EXPECT_NE(listed.out.find(line), std::string::npos) << line << " in\n" << listed.out;
    linked++;
  }
  EXPECT_EQ(linked, 2u);

  // Nobody else may say so: an attendee's update is refused.
  RawClient ann(relay.port());
  ann.join("linked", "Ann");
  v1::ClientMessage forged;
  forged.mutable_forum_update()->set_question_id(1);
  forged.mutable_forum_update()->set_post_url("https://evil.example/phish");
  EXPECT_EQ(ann.command(with_id(forged, "f1")).error().code(), v1::FORBIDDEN);
}

// Answers flowing back: a reply in the forum to an imported post reaches
// the panel through the forum's webhook, as "answered in the forum" with
// who answered and where; a request not signed with the webhook's secret,
// and a reply to a post that only pretends to be imported, change nothing.
TEST(DiscourseFollowUp, AReplyInTheForumMarksTheQuestionAnsweredOnThePanel) {
  ServerProcess relay({"--token-secret", kLoopSecret});
  ASSERT_NO_FATAL_FAILURE(run_panel(relay, "answered", 1));
  DiscourseStandIn forum;
  const auto topic = forum.add_topic("The answered panel's follow-up");
  const auto secret = temp_path("token-secret"), hook_secret = temp_path("answers-secret");
  std::ofstream(secret) << kLoopSecret << "\n";
  std::ofstream(hook_secret) << "discourse-webhook-secret\n";
  const auto log = temp_path("importer.log");
  ImporterProcess importer(
      importer_args(
          relay, forum,
          {"--topic", std::to_string(topic), "--relay", relay.ws_url(), "--token-secret-file",
           secret, "--answers-listen", "127.0.0.1:0", "--answers-secret-file", hook_secret}),
      log);
  const auto port = answers_port(log);
  ASSERT_NE(port, 0) << "the answers endpoint never said where it listens";
  ASSERT_TRUE(std::regex_search(wait_for_log(log, std::regex("event=relay_updated")),
                                std::regex("event=relay_updated")))
      << "the leftover posted and linked first";
  const auto posts = forum.posts();
  ASSERT_EQ(posts.size(), 1u);
  const auto imported = posts[0];
  auto questions = [&] { return questions_of(relay, "answered"); };

  // Not the webhook's secret: refused before anything is read.
  forum.set_webhook("127.0.0.1", port, "a guessed secret");
  EXPECT_EQ(forum.add_post(topic, "eve", "An answer nobody signed.", imported.number, "Eve"), 401u);
  forum.set_webhook("127.0.0.1", port, "discourse-webhook-secret");
  // A member's post that pretends to be imported, and a reply to it.
  forum.add_post(topic, "mallory", "Fake import\n\n" + forum::leftover_marker("answered/1/1"));
  const auto fake = forum.posts().back().number;
  EXPECT_EQ(forum.add_post(topic, "eve", "A reply to the fake one.", fake, "Eve"), 200u);
  EXPECT_EQ(forum.add_post(topic, "eve", "Not a reply to anything at all."), 200u);
  EXPECT_EQ(questions().find("answered in the forum"), std::string::npos) << questions();

  // The panelist answers in the forum.
  EXPECT_EQ(forum.add_post(topic, "balberts", "Districts run listening sessions each term.",
                           imported.number, "Bruce Alberts"),
            200u);
  const auto answer_url = forum.url() + "/t/" + std::to_string(topic) + "/" +
                          std::to_string(forum.posts().back().number);
  const auto listed = questions();
  EXPECT_NE(listed.find("answered in the forum by Bruce Alberts: " + answer_url), std::string::npos)
      << listed;
  EXPECT_NE(
      listed.find("continued in the forum: " + forum.url() + "/p/" + std::to_string(imported.id)),
      std::string::npos)
      << "the post's link stays: " << listed;
}

}  // namespace
}  // namespace panelwire::test
