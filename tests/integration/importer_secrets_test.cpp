// panelwire-forum-import's secrets: the webhook secret, the Discourse API key
// and the Redis password each come from a file (one trailing newline, Unix or
// Windows, stripped), the environment or argv, and no error shows one. Fast:
// a hand-written outbox line or a bare redis-server, no relay.

#include <fstream>

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "http_receiver.h"
#include "panelwire/forum/redis_client.h"
#include "panelwire/forum/webhook_sink.h"
#include "redis_process.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

constexpr int kUsage = 64;
const std::string kHookSecret = "hook-secret-from-a-file";
const std::string kApiKey = "api-key-from-a-file";
const std::string kRedisPassword = "redis-password-from-a-file";

v1::Leftover leftover(const std::string& id) {
  v1::Leftover l;
  l.set_leftover_id(id);
  l.set_panel_id(id.substr(0, id.find('/')));
  l.set_panel_title("Secrets");
  l.set_question_id(1);
  l.set_kind(v1::QUESTION);
  l.set_text("Is it signed?");
  l.set_asker_name("Ann");
  return l;
}

// A file holding `content` as written, in a fresh temporary directory.
std::string file_with(const std::string& name, const std::string& content) {
  auto path = temp_path(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// An embedded engine's outbox with one leftover in it, as the relay writes it.
std::string outbox_with(const std::string& id) {
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(leftover(id), &json).ok());
  return file_with("outbox.jsonl", json + "\n");
}

ToolResult import(const std::vector<std::string>& args) {
  return run_tool(PANELWIRE_IMPORT_BIN, args);
}

// The importer with `env` (NAME=value) added to its environment.
ToolResult import_with_env(const std::string& env, const std::vector<std::string>& args) {
  std::vector<std::string> all = {env, PANELWIRE_IMPORT_BIN};
  all.insert(all.end(), args.begin(), args.end());
  return run_tool("/usr/bin/env", all);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ImporterSecrets, TheWebhookSecretAndTheApiKeyAreReadFromTheirFiles) {
  HttpReceiver hook;
  auto r =
      import({"--outbox", outbox_with("hook/1"), "--sink", "webhook", "--url", hook.url("/posts"),
              "--secret-file", file_with("hook.secret", kHookSecret + "\n"), "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto posts = hook.created();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_TRUE(signed_with(kHookSecret, posts[0]))
      << "signed with the file's secret, less its newline";

  HttpReceiver discourse;
  r = import({"--outbox", outbox_with("disc/1"), "--sink", "discourse", "--discourse-url",
              discourse.url(""), "--api-key-file", file_with("api.key", kApiKey + "\r\n"),
              "--api-username", "moderator", "--topic", "42", "--per-minute", "6000", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  posts = discourse.created();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].headers.at("api-key"), kApiKey) << "a Windows line end is no part of it";
}

TEST(ImporterSecrets, AnUnreadableOrEmptyFileIsAUsageErrorThatNamesThePathOnly) {
  auto good = file_with("hook.secret", kHookSecret + "\n");
  auto outbox = outbox_with("bad/1");
  auto missing = temp_path("no-such.key");
  // The webhook secret is read (and in memory) when the API key's file fails.
  auto r = import({"--outbox", outbox, "--sink", "jsonl", "--out", temp_path("posts.jsonl"),
                   "--secret-file", good, "--api-key-file", missing, "--once"});
  EXPECT_EQ(r.exit_code, kUsage) << r.err;
  EXPECT_TRUE(contains(r.err, "cannot read --api-key-file " + missing)) << r.err;
  EXPECT_FALSE(contains(r.err, kHookSecret)) << r.err;

  for (const auto& [flag, path] :
       {std::pair{"--secret-file", file_with("empty.secret", "")},
        std::pair{"--redis-password-file", file_with("newline.password", "\n")},
        std::pair{"--api-key-file", temp_path("")}}) {  // a directory
    r = import({"--redis", "redis://:password-in-url@127.0.0.1:1", "--sink", "jsonl", "--out",
                temp_path("posts.jsonl"), flag, path, "--once"});
    EXPECT_EQ(r.exit_code, kUsage) << flag << ": " << r.err;
    EXPECT_TRUE(contains(r.err, std::string(flag) + " " + path)) << r.err;
    EXPECT_FALSE(contains(r.err, "password-in-url")) << r.err;
  }
}

TEST(ImporterSecrets, AValueAndItsFileTogetherAreAUsageError) {
  auto file = file_with("hook.secret", kHookSecret + "\n");
  auto r = import({"--outbox", outbox_with("both/1"), "--sink", "webhook", "--url",
                   "http://127.0.0.1:1/", "--secret", "secret-on-argv", "--secret-file", file,
                   "--once"});
  EXPECT_EQ(r.exit_code, kUsage) << r.err;
  EXPECT_TRUE(contains(r.err, "give --secret (or PANELWIRE_SECRET) or --secret-file, not both"))
      << r.err;
  EXPECT_FALSE(contains(r.err, "secret-on-argv")) << r.err;
  EXPECT_FALSE(contains(r.err, kHookSecret)) << r.err;

  // From the environment too, and for each secret.
  r = import_with_env("PANELWIRE_API_KEY=key-in-env",
                      {"--outbox", outbox_with("both/2"), "--sink", "jsonl", "--out",
                       temp_path("posts.jsonl"), "--api-key-file", file, "--once"});
  EXPECT_EQ(r.exit_code, kUsage) << r.err;
  EXPECT_TRUE(contains(r.err, "--api-key (or PANELWIRE_API_KEY) or --api-key-file")) << r.err;
  r = import({"dead-letters", "list", "--redis", "redis://127.0.0.1:1", "--redis-password",
              "password-on-argv", "--redis-password-file", file});
  EXPECT_EQ(r.exit_code, kUsage) << r.err;
  EXPECT_TRUE(contains(r.err, "--redis-password (or PANELWIRE_REDIS_PASSWORD)")) << r.err;
  EXPECT_FALSE(contains(r.err, "password-on-argv")) << r.err;
}

TEST(ImporterSecrets, TheRedisPasswordReachesRedisAndAWrongOneIsNeverShown) {
  engine::RedisProcess redis(0, kRedisPassword);
  {
    forum::RedisEndpoint e;
    e.port = redis.port();
    e.password = kRedisPassword;
    forum::RedisClient seed(e);
    seed.command({"XADD", "pw:{leftovers}", "*", "id", "pass/1", "leftover",
                  leftover("pass/1").SerializeAsString()});
  }
  auto password_file = file_with("redis.password", kRedisPassword + "\n");
  auto out = temp_path("posts.jsonl");
  // The file's password replaces a wrong one in the URL.
  auto with_password = "redis://:wrong-in-url@127.0.0.1:" + std::to_string(redis.port());
  auto r = import({"--redis", with_password, "--redis-password-file", password_file, "--sink",
                   "jsonl", "--out", out, "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  std::string line;
  ASSERT_TRUE(std::getline(in, line)) << "the leftover read from the password-protected Redis";
  EXPECT_EQ(boost::json::parse(line).at("leftover_id").as_string(), "pass/1");

  // dead-letters uses it too, from the file or the environment.
  r = import(
      {"dead-letters", "list", "--redis", redis.url(), "--redis-password-file", password_file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = import_with_env("PANELWIRE_REDIS_PASSWORD=" + kRedisPassword,
                      {"dead-letters", "list", "--redis", redis.url()});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  // A wrong password fails, and no message shows it.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"dead-letters", "list", "--redis", redis.url(), "--redis-password-file",
            file_with("wrong.password", "wrong-in-file\n")},
           {"--redis", with_password, "--sink", "jsonl", "--out", out, "--once"}}) {
    r = import(args);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(contains(r.err, "Redis refused the password: WRONGPASS") ||
                contains(r.err, "Redis refused the password: ERR"))
        << r.err;
    EXPECT_FALSE(contains(r.err, "wrong-in")) << r.err;
  }
  // A URL that cannot be used is shown with its password masked.
  r = import({"dead-letters", "list", "--redis", with_password + "/not-a-number"});
  EXPECT_EQ(r.exit_code, kUsage) << r.err;
  EXPECT_TRUE(contains(r.err, "redis://:***@127.0.0.1:" + std::to_string(redis.port()))) << r.err;
  EXPECT_FALSE(contains(r.err, "wrong-in-url")) << r.err;
  r = import({"dead-letters", "list", "--redis", "http://:wrong-in-url@127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, kUsage) << r.err;
  EXPECT_TRUE(contains(r.err, "got http://:***@127.0.0.1:1")) << r.err;
}

}  // namespace
}  // namespace panelwire::test
