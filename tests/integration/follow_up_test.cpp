// The follow-up reaching the panel whatever stands in its way: a relay that
// was down when a question was posted learns its address from a later run
// (the report was owed in the ledger); a webhook sink's receiver calls
// back with where a question went and who answered it, and every request
// it could get wrong is refused with its status and reason; the answers
// endpoint's own refusals (method, size, signature, replay, a body that is
// not what it says).

#include <chrono>
#include <ctime>
#include <fstream>
#include <optional>
#include <set>

#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include "discourse_stand_in.h"
#include "forum_loop_support.h"
#include "http_receiver.h"
#include "importer_process.h"
#include "importer_support.h"
#include "panelwire/forum/http_post.h"
#include "panelwire/forum/ledger.h"
#include "panelwire/forum/webhook_sink.h"
#include "redis_process.h"

namespace panelwire::test {
namespace {

using namespace std::chrono_literals;

std::string secret_file(const std::string& name, const std::string& secret) {
  const auto path = temp_path(name);
  std::ofstream(path) << secret << "\n";
  return path;
}

std::size_t lines_with(const std::string& path, const std::string& needle) {
  std::size_t n = 0;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(FollowUpReports, AReportTheRelayMissedIsSentByALaterRunAndARefusedOneIsDropped) {
  ServerProcess relay({"--token-secret", kLoopSecret});
  ASSERT_NO_FATAL_FAILURE(run_panel(relay, "missed", 2));
  const auto ids = published(relay);
  ASSERT_EQ(ids.size(), 2u);
  DiscourseStandIn forum;
  const auto topic = forum.add_topic("The missed panel's follow-up");
  const auto token_secret = secret_file("token-secret", kLoopSecret);
  const auto ledger = relay.outbox_path() + ".posted.jsonl";
  auto import = [&](const std::string& relay_url) {
    return run_tool(PANELWIRE_IMPORT_BIN,
                    discourse_import_args(relay.outbox_path(), forum.url(),
                                          {"--topic", std::to_string(topic), "--relay", relay_url,
                                           "--token-secret-file", token_secret, "--once"}),
                    {}, 60s);
  };

  // The relay is not where the importer looks: both posts made, neither
  // report taken.
  const auto first = import("ws://127.0.0.1:" + std::to_string(closed_port()) + "/v1/ws");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(count(first.out, "event=relay_update_failed"), 1u)
      << "one timeout, not one per post: the second report is owed untried\n"
      << first.out;
  ASSERT_EQ(forum.posts().size(), 2u);
  EXPECT_EQ(lines_with(ledger, "\"report_owed\":true"), 2u) << "owed with the post, in one line";
  EXPECT_EQ(questions_of(relay, "missed").find("continued in the forum"), std::string::npos);

  // An owed report the relay will refuse for good (no such question):
  // tried once, then dropped.
  const auto life = ids[0].substr(0, ids[0].rfind('/'));
  std::ofstream(ledger, std::ios::app)
      << boost::json::serialize(boost::json::object{
             {"leftover_id", life + "/99"}, {"post_id", "99"}, {"report_owed", true}})
      << "\n";

  const auto second = import(relay.ws_url());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(count(second.out, "event=relay_updated"), 2u) << second.out;
  EXPECT_EQ(count(second.out, "event=relay_update_refused"), 1u) << second.out;
  EXPECT_EQ(forum.posts().size(), 2u) << "nothing posted again";
  const auto listed = questions_of(relay, "missed");
  for (const auto& p : forum.posts())
    EXPECT_NE(listed.find("continued in the forum: " + forum.url() + "/p/" + std::to_string(p.id)),
              std::string::npos)
        << listed;
  EXPECT_EQ(lines_with(ledger, "\"reported\":true"), 3u);

  // Nothing is owed any more.
  const auto third = import(relay.ws_url());
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(third.out.find("event=relay_"), std::string::npos) << third.out;
}

// A report whose panel the relay no longer has (a panel list that dropped
// it): the join itself is refused for good, so the report is dropped, not
// tried again for ever ahead of the others.
TEST(FollowUpReports, AReportWhosePanelTheRelayRefusesIsDropped) {
  const auto panels = temp_path("panels.json");
  std::ofstream(panels) << R"({"panels":[{"id":"listed","title":"Listed"}]})";
  ServerProcess relay({"--token-secret", kLoopSecret, "--panels", panels});
  DiscourseStandIn forum;
  const auto outbox = temp_path("outbox.jsonl");
  std::ofstream{outbox};
  const auto ledger = outbox + ".posted.jsonl";
  std::ofstream(ledger) << R"({"leftover_id":"unlisted/1764763200000/1","post_id":"9",)"
                        << R"("report_owed":true})"
                        << "\n";
  const auto r = run_tool(
      PANELWIRE_IMPORT_BIN,
      discourse_import_args(outbox, forum.url(),
                            {"--topic", "5", "--relay", relay.ws_url(), "--token-secret-file",
                             secret_file("token-secret", kLoopSecret), "--once"}),
      {}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("event=relay_update_refused"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("UNKNOWN_PANEL"), std::string::npos) << r.out;
  EXPECT_EQ(lines_with(ledger, "\"reported\":true"), 1u) << "dropped, not owed for ever";
}

// The Redis ledger's owed reports, on a real redis-server: owed with the
// post, a few at a time and each at most once a round, gone once reported,
// shared by every importer of the deployment.
TEST(FollowUpReports, RedisKeepsOwedReportsForEveryImporterUntilReported) {
  engine::RedisProcess redis;
  forum::RedisClient a(forum::parse_redis_url(redis.url())), b(forum::parse_redis_url(redis.url()));
  forum::RedisLedger first(a, "pw:{leftovers}:posted"), second(b, "pw:{leftovers}:posted");
  first.attempt("p/1/1");
  for (int i = 1; i <= 5; ++i)
    first.record("p/1/" + std::to_string(i), std::to_string(500 + i), true);
  first.record("p/1/6", "506");  // nothing to report
  EXPECT_FALSE(first.attempted("p/1/1")) << "settled";
  const auto some = second.unreported(3);
  ASSERT_EQ(some.size(), 3u);
  std::set<std::string> distinct;
  for (const auto& [leftover, post] : some) {
    distinct.insert(leftover);
    EXPECT_EQ(post, std::to_string(500 + std::stoi(leftover.substr(4))));
  }
  EXPECT_EQ(distinct.size(), 3u);
  EXPECT_EQ(second.unreported(10).size(), 5u);
  for (int i = 1; i <= 5; ++i) second.reported("p/1/" + std::to_string(i));
  EXPECT_TRUE(first.unreported(10).empty());
  EXPECT_EQ(first.posted("p/1/3"), "503") << "the post stays recorded";
  EXPECT_EQ(a.command({"TYPE", "pw:{leftovers}:posted:unreported"}).str, "none");
}

// On the embedded engine without a panel list, an ended panel waits weeks
// for its follow-up (past the idle TTL that drops live ones nobody is in),
// and at the panel cap it gives way to a new panel rather than the new
// panel being refused; a live panel never does.
TEST(FollowUpReports, AnEndedPanelWaitsForItsFollowUpAndGivesWayOnlyAtTheCap) {
  // One io thread: the panels share one owner, where a new one looks for
  // an ended one to take the place of.
  ServerProcess relay({"--token-secret", kLoopSecret, "--threads", "1", "--max-panels", "2",
                       "--panel-idle-ttl-ms", "300"});
  ASSERT_NO_FATAL_FAILURE(run_panel(relay, "kept", 1));
  std::this_thread::sleep_for(1s);  // three idle TTLs, swept every 30 ms
  EXPECT_NE(questions_of(relay, "kept").find("Question number 1?"), std::string::npos)
      << "the ended panel is still there to read and to report to";

  auto join = [&](RawClient& c, const std::string& panel) {
    v1::ClientMessage hello;
    hello.set_id("hello");
    hello.mutable_hello()->set_panel_id(panel);
    hello.mutable_hello()->set_display_name("Pat");
    return c.command(hello);
  };
  RawClient live(relay.port()), refused(relay.port());
  ASSERT_FALSE(join(live, "live").has_error()) << "two panels: the cap";
  // The CLI that read it has gone, but its leaving may still be on its
  // way to the panel: a panel somebody is in never gives way.
  std::optional<RawClient> fresh;
  v1::Ack fresh_ack;
  for (int i = 0; i < 250; ++i) {  // up to 5 s
    fresh.emplace(relay.port());
    fresh_ack = join(*fresh, "fresh");
    if (fresh_ack.error().code() != v1::RESOURCE_EXHAUSTED) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_FALSE(fresh_ack.has_error()) << "the ended one gave way: " << fresh_ack.DebugString();
  EXPECT_TRUE(relay.log_shows("event=ended_panel_gave_way panel=\"kept\""));
  EXPECT_EQ(join(refused, "another").error().code(), v1::RESOURCE_EXHAUSTED)
      << "none ended: a live panel never gives way";
  EXPECT_FALSE(live.chat("c1", "still here").has_error());
}

// A callback as a webhook sink's receiver sends it: signed with `secret`
// at `sent` (Unix seconds).
forum::HttpResponse call_back(unsigned short port, const std::string& body,
                              const std::string& secret, std::int64_t sent = std::time(nullptr)) {
  forum::HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  req.body = body;
  req.headers = {"Content-Type: application/json", "X-Panelwire-Timestamp: " + std::to_string(sent),
                 "X-Panelwire-Signature: " + forum::webhook_signature(secret, sent, body)};
  return forum::http_send(req);
}

std::string callback_json(const std::string& leftover, const std::string& post_url,
                          const std::string& answered_by = {}, const std::string& answer_url = {}) {
  boost::json::object o{{"leftover_id", leftover}};
  if (!post_url.empty()) o["post_url"] = post_url;
  if (!answered_by.empty()) o["answer"] = {{"answered_by", answered_by}, {"url", answer_url}};
  return boost::json::serialize(o);
}

TEST(FollowUpCallbacks, AWebhookReceiverLinksAndAnswersItsQuestionsAndNothingElseGetsIn) {
  std::optional<ServerProcess> relay;
  relay.emplace(std::vector<std::string>{"--token-secret", kLoopSecret});
  ASSERT_NO_FATAL_FAILURE(run_panel(*relay, "hooked", 2));
  const auto ids = published(*relay);
  ASSERT_EQ(ids.size(), 2u);
  HttpReceiver receiver;
  const std::string hook_secret = "webhook-receiver-secret";
  const auto log = temp_path("importer.log");
  ImporterProcess importer(
      {"--outbox", relay->outbox_path(), "--sink", "webhook", "--url", receiver.url("/hook"),
       "--secret-file", secret_file("hook-secret", hook_secret), "--relay", relay->ws_url(),
       "--token-secret-file", secret_file("token-secret", kLoopSecret), "--answers-listen",
       "127.0.0.1:0"},
      log);
  const auto port = answers_port(log);
  ASSERT_NE(port, 0) << "the answers endpoint never said where it listens";
  for (int i = 0; i < 500 && receiver.created().size() < 2; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(receiver.created().size(), 2u);

  // The receiver made the post at its own address, and later someone
  // answered there: it tells the panel both.
  const std::string post_url = "https://forum.example.org/node/41";
  const std::string answer_url = "https://forum.example.org/comment/7";
  const std::int64_t first_sent = std::time(nullptr);
  auto r = call_back(port, callback_json(ids[0], post_url), hook_secret, first_sent);
  EXPECT_EQ(r.status, 200) << r.body << r.error;
  r = call_back(port, callback_json(ids[1], "", "Bruce Alberts", answer_url), hook_secret);
  EXPECT_EQ(r.status, 200) << r.body << r.error;
  auto listed = questions_of(*relay, "hooked");
  EXPECT_NE(listed.find("continued in the forum: " + post_url), std::string::npos) << listed;
  EXPECT_NE(listed.find("answered in the forum by Bruce Alberts: " + answer_url), std::string::npos)
      << listed;

  // Everything else is refused with its status, and changes nothing.
  const auto forged = callback_json(ids[0], "https://evil.example/phish");
  EXPECT_EQ(call_back(port, forged, "a guessed secret").status, 401) << "not the secret";
  EXPECT_EQ(call_back(port, forged, hook_secret, std::time(nullptr) - 600).status, 401)
      << "a captured callback, replayed ten minutes later";
  forum::HttpRequest unsigned_req;
  unsigned_req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  unsigned_req.body = forged;
  EXPECT_EQ(forum::http_send(unsigned_req).status, 401) << "no signature at all";
  unsigned_req.method = "GET";
  unsigned_req.body.clear();
  EXPECT_EQ(forum::http_send(unsigned_req).status, 405);
  EXPECT_EQ(call_back(port, std::string(2u << 20, ' '), hook_secret).status, 413);

  // Signed Discourse's way with the same secret: this importer posts to no
  // Discourse.
  forum::HttpRequest discourse_req;
  discourse_req.url = unsigned_req.url;
  discourse_req.body = R"({"post": {"id": 1}})";
  discourse_req.headers = {"X-Discourse-Event: post_created",
                           "X-Discourse-Event-Signature: sha256=" +
                               forum::hmac_sha256_hex(hook_secret, discourse_req.body)};
  EXPECT_EQ(forum::http_send(discourse_req).status, 404);

  r = call_back(port, "{\"leftover_id\": ", hook_secret);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not a JSON object"), std::string::npos) << r.body;
  const auto life = ids[0].substr(0, ids[0].rfind('/'));
  r = call_back(port, callback_json(life + "/99", post_url), hook_secret);
  EXPECT_EQ(r.status, 404) << "nothing this importer posted: the secret opens nothing else";
  EXPECT_NE(r.body.find("not a leftover this importer posted"), std::string::npos) << r.body;
  r = call_back(port, callback_json("another-panel/1764763200000/1", post_url), hook_secret);
  EXPECT_EQ(r.status, 404) << "nor another panel's questions";
  r = call_back(port, callback_json(ids[0], "javascript:alert(1)"), hook_secret);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("INVALID_ARGUMENT"), std::string::npos) << r.body;
  listed = questions_of(*relay, "hooked");
  EXPECT_EQ(listed.find("evil.example"), std::string::npos) << listed;
  EXPECT_EQ(listed.find("javascript:"), std::string::npos) << listed;
  EXPECT_NE(listed.find("continued in the forum: " + post_url), std::string::npos) << listed;

  // The relay gone: not applied, so the receiver is told to send it again.
  // The receiver moves the post; the first callback, captured and sent
  // again within its five minutes, changes nothing back.
  const std::string moved = "https://forum.example.org/node/44";
  EXPECT_EQ(call_back(port, callback_json(ids[0], moved), hook_secret).status, 200);
  EXPECT_EQ(call_back(port, callback_json(ids[0], post_url), hook_secret, first_sent).status, 200)
      << "taken already";
  listed = questions_of(*relay, "hooked");
  EXPECT_NE(listed.find("continued in the forum: " + moved), std::string::npos) << listed;
  EXPECT_EQ(listed.find("continued in the forum: " + post_url), std::string::npos) << listed;

  relay.reset();
  r = call_back(port, callback_json(ids[1], "https://forum.example.org/node/42"), hook_secret);
  EXPECT_EQ(r.status, 503) << r.body;
}

// Discourse's webhook, where its body is not what its event says, or the
// event is not one the importer acts on.
TEST(FollowUpCallbacks, DiscoursesOtherEventsAreTakenAndAMalformedPostIsRefused) {
  ServerProcess relay({"--token-secret", kLoopSecret});
  ASSERT_NO_FATAL_FAILURE(run_panel(relay, "events", 1));
  DiscourseStandIn forum;
  const auto topic = forum.add_topic("The events panel's follow-up");
  const std::string hook_secret = "discourse-webhook-secret";
  const auto log = temp_path("importer.log");
  ImporterProcess importer(
      discourse_import_args(
          relay.outbox_path(), forum.url(),
          {"--topic", std::to_string(topic), "--relay", relay.ws_url(), "--token-secret-file",
           secret_file("token-secret", kLoopSecret), "--answers-listen", "127.0.0.1:0",
           "--answers-secret-file", secret_file("answers-secret", hook_secret)}),
      log);
  const auto port = answers_port(log);
  ASSERT_NE(port, 0);
  auto deliver = [&](const std::string& event, const std::string& body) {
    forum::HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    req.body = body;
    req.headers = {"X-Discourse-Event: " + event, "X-Discourse-Event-Signature: sha256=" +
                                                      forum::hmac_sha256_hex(hook_secret, body)};
    return forum::http_send(req);
  };
  EXPECT_EQ(deliver("topic_created", R"({"topic": {"id": 5}})").status, 200);
  const auto bad = deliver("post_created", R"({"post": "not an object"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("not a post_created body"), std::string::npos) << bad.body;
  EXPECT_EQ(deliver("post_created", "[1, 2").status, 400);
  // Signed with Discourse's secret the other way: a Discourse importer
  // takes no callbacks (every Discourse admin can read that secret).
  const auto ids = published(relay);
  ASSERT_EQ(ids.size(), 1u);
  forum::HttpRequest callback;
  callback.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  callback.body = R"({"leftover_id": ")" + ids[0] + R"(", "post_url": "https://evil.example/"})";
  const auto now = std::time(nullptr);
  callback.headers = {
      "X-Panelwire-Timestamp: " + std::to_string(now),
      "X-Panelwire-Signature: " + forum::webhook_signature(hook_secret, now, callback.body)};
  EXPECT_EQ(forum::http_send(callback).status, 404);
}

}  // namespace
}  // namespace panelwire::test
