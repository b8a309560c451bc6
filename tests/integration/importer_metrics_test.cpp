// panelwire-forum-import's metrics port, read while it runs against a real
// relay on a real redis-server and a stand-in forum that fails, refuses and
// takes posts: the figures are what the forum saw.

#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "client_commands.h"
#include "http_receiver.h"
#include "importer_process.h"
#include "metrics_scrape.h"
#include "raw_client.h"
#include "redis_process.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

const std::string kSecret = "importer-metrics-secret-of-32-bytes-or-more";

TEST(ImporterMetrics, AScrapeWhileItRunsCountsPostsRetriesAndDeadLetters) {
  engine::RedisProcess redis;
  ServerProcess relay({"--redis", redis.url(), "--token-secret", kSecret});
  HttpReceiver forum;
  // Down for the first two requests, then it refuses one question and
  // takes the others.
  forum.set_policy([](const ReceivedRequest& req, int nth) -> std::optional<CannedResponse> {
    if (nth <= 2) return CannedResponse{503, "down for maintenance", {}};
    if (req.body.find("second?") != std::string::npos)
      return CannedResponse{422, R"({"errors":["Body is too short"]})", {}};
    return std::nullopt;
  });

  // Joins wait for the relay's Redis connections: ready first.
  for (int i = 0; i < 500 && RawClient::http_get(relay.port(), "/readyz").first != 200; ++i)
    std::this_thread::sleep_for(10ms);
  RawClient ann(relay.port());
  ann.join("figures", "Ann");
  for (const auto& [id, text] : {std::pair{"q1", "first?"}, {"q2", "second?"}, {"q3", "third?"}}) {
    auto m = ask(text);
    m.set_id(id);
    ASSERT_FALSE(ann.command(m).has_error());
  }
  RawClient mod(relay.port());
  mod.join("figures", "Mo", "", {},
           mint_token(PANELWIRE_CLI_BIN, kSecret, "moderator", "Mo", "figures"));
  auto end = end_panel();
  end.set_id("end");
  ASSERT_FALSE(mod.command(end).has_error());

  const auto port = engine::free_port();
  ImporterProcess importer({"--redis", redis.url(), "--sink", "webhook", "--url",
                            forum.url("/posts"), "--secret", "hook-secret", "--backoff-min-ms",
                            "20", "--backoff-max-ms", "100", "--metrics-listen",
                            "127.0.0.1:" + std::to_string(port)});
  Samples s;
  for (int i = 0; i < 1000; ++i) {
    s = scrape(port);
    // The last one counted, then let go of: a scrape may fall in between.
    if (value(s, "panelwire_importer_posted_total") == 2 &&
        value(s, "panelwire_importer_dead_lettered_total") == 1 &&
        value(s, "panelwire_importer_leftovers_held") == 0)
      break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(forum.created().size(), 2u);
  EXPECT_EQ(value(s, "panelwire_importer_posted_total"), 2);
  EXPECT_EQ(value(s, "panelwire_importer_dead_lettered_total"), 1);
  EXPECT_EQ(value(s, "panelwire_importer_retries_total"), 2) << "the two 503s";
  EXPECT_EQ(value(s, "panelwire_importer_already_posted_total"), 0);
  EXPECT_EQ(value(s, "panelwire_importer_forum_request_duration_seconds_count"),
            static_cast<double>(forum.requests().size()))
      << "every request to the forum timed";
  EXPECT_EQ(forum.requests().size(), 5u);
  EXPECT_EQ(value(s, "panelwire_importer_leftovers_held"), 0) << "nothing left in hand";
  EXPECT_EQ(value(s, "panelwire_importer_drip_next_release_timestamp_seconds"), 0) << "no drip";

  // Every importer metric the dashboard charts is served.
  const auto body = RawClient::http_get(port, "/metrics").second;
  std::ifstream in(PANELWIRE_SOURCE_DIR "/deploy/grafana/panelwire-dashboard.json");
  const std::string dashboard{std::istreambuf_iterator<char>(in), {}};
  const std::regex name("panelwire_importer_[a-z_]+?(?=_bucket|_count|_sum|[^a-z_])");
  int charted = 0;
  for (auto it = std::sregex_iterator(dashboard.begin(), dashboard.end(), name);
       it != std::sregex_iterator(); ++it, ++charted)
    EXPECT_NE(body.find("# TYPE " + it->str() + " "), std::string::npos) << it->str();
  EXPECT_GE(charted, 4) << "the dashboard was read";
}

}  // namespace
}  // namespace panelwire::test
