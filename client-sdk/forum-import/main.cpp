// panelwire-forum-import: posts each leftover question into the forum's
// follow-up thread, exactly once, credited to its asker.
//
//   panelwire-forum-import (--redis URL | --outbox FILE) --sink discourse|webhook|jsonl
//                          [sink options] [--once]
//   panelwire-forum-import dead-letters list|retry [ENTRY_ID] --redis URL
//
// Secrets (the Discourse API key, the webhook secret, the Redis password)
// come from a file, the environment or argv, and never reach a log or error.

#include <curl/curl.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include <prometheus/exposer.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "panelwire/forum/answer_receiver.h"
#include "panelwire/forum/discourse_sink.h"
#include "panelwire/forum/follow_up.h"
#include "panelwire/forum/importer.h"
#include "panelwire/forum/importer_metrics.h"
#include "panelwire/forum/jsonl_sink.h"
#include "panelwire/forum/ledger.h"
#include "panelwire/forum/outbox_leftover_source.h"
#include "panelwire/forum/redis_leftover_source.h"
#include "panelwire/forum/relay_link.h"
#include "panelwire/forum/webhook_sink.h"
#include "panelwire/tools/option_error.h"
#include "panelwire/tools/secret_file.h"
#include "panelwire/v1/participant_id.h"

namespace po = boost::program_options;
using namespace panelwire::forum;

namespace {

constexpr int kUsage = 64;
std::atomic<Importer*> running{nullptr};

void on_signal(int) {
  if (auto* i = running.load()) i->stop();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string default_consumer() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host[0] ? host : "importer");
}

// A shorter one could be guessed; a forum's generated secrets are longer.
constexpr std::size_t kMinAnswersSecret = 16;

// For a webhook sink's callbacks: whether this importer posted a leftover,
// read from a ledger of the answers endpoint's own (its thread's Redis
// connection, or the ledger file read again), never the importer's.
FollowUp::Posted posted_check(const std::string& sink_name,
                              const std::optional<RedisEndpoint>& endpoint,
                              const std::string& ledger, const std::string& outbox) {
  if (sink_name != "webhook") return {};
  const auto key = ledger.empty() ? std::string("pw:{leftovers}:posted") : ledger;
  if (endpoint) {
    auto redis = std::make_shared<RedisClient>(*endpoint);
    auto book = std::make_shared<RedisLedger>(*redis, key);
    return [redis, book](const std::string& id) { return book->posted(id).has_value(); };
  }
  const auto path = ledger.empty() ? outbox + ".posted.jsonl" : ledger;
  return [path](const std::string& id) { return FileLedger(path).posted(id).has_value(); };
}

int dead_letters(const std::vector<std::string>& args, const std::optional<RedisEndpoint>& endpoint,
                 const RedisSourceOptions& o) {
  if (args.empty() || (args[0] != "list" && args[0] != "retry") || !endpoint) {
    std::cerr << "usage: panelwire-forum-import dead-letters list|retry [ENTRY_ID] --redis URL\n";
    return kUsage;
  }
  RedisClient redis(*endpoint);
  if (args[0] == "list") {
    for (const auto& d : list_dead_letters(redis, o))
      std::cout << d.entry_id << "\t" << d.leftover_id << "\t" << d.reason << "\n";
    return 0;
  }
  auto moved = retry_dead_letters(redis, o, args.size() > 1 ? args[1] : "");
  std::cout << moved << " moved back for delivery\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string redis_url, redis_password, outbox, sink_name, ledger,
      format = "markdown", out, url, secret, discourse_url, api_key, api_username, topic, usernames,
      question_template, comment_template, topic_title_template, topic_template, category, link,
      drip, drip_key = "pw:{leftovers}:drip", log_level = "info", metrics_listen;
  std::string redis_password_file, secret_file, api_key_file, id_secret, id_secret_file,
      token_secret, token_secret_file, answers_listen, answers_secret, answers_secret_file;
  RedisSourceOptions source_opts;
  source_opts.consumer = default_consumer();
  ImporterOptions opts;
  long claim_after_ms = source_opts.claim_after.count(), backoff_min_ms = opts.backoff_min.count(),
       backoff_max_ms = opts.backoff_max.count();
  double per_minute = -1;
  std::vector<std::string> command, relay_urls;

  po::options_description desc("panelwire-forum-import options");
  // clang-format off
  desc.add_options()
    ("help,h", "print this help")
    ("redis", po::value(&redis_url), "read leftovers from this Redis (redis://[:password@]host:port[/db])")
    ("redis-password", po::value(&redis_password), "Redis password, in place of one in the URL (prefer the file or PANELWIRE_REDIS_PASSWORD)")
    ("redis-password-file", po::value(&redis_password_file), "file holding the Redis password")
    ("outbox", po::value(&outbox), "read leftovers from the embedded engine's outbox file instead")
    ("sink", po::value(&sink_name), "discourse, webhook or jsonl")
    ("once", "deliver everything waiting, then exit (0; 75 when the forum kept failing)")
    ("group", po::value(&source_opts.group)->default_value(source_opts.group), "Redis consumer group (importers sharing the work use one)")
    ("consumer", po::value(&source_opts.consumer)->default_value(source_opts.consumer), "this importer's name in the group; keep it across restarts")
    ("claim-after-ms", po::value(&claim_after_ms)->default_value(claim_after_ms), "take over entries another importer left unacknowledged this long")
    ("ledger", po::value(&ledger), "where posts are recorded: a Redis hash (default pw:{leftovers}:posted) or, with --outbox, a file (default <outbox>.posted.jsonl)")
    ("format", po::value(&format)->default_value(format), "markdown or html")
    ("question-template", po::value(&question_template), "file with the template of a question's post")
    ("comment-template", po::value(&comment_template), "file with the template of a chat comment's post")
    ("topic-title-template", po::value(&topic_title_template), "discourse: file with the title template of a panel's own topic ({panel_title}, {panel_date})")
    ("topic-template", po::value(&topic_template), "discourse: file with the template of a panel's own topic's opening post ({panel_title}, {panel_date}, {link_line})")
    ("category", po::value(&category), "discourse: the category id a panel's own topic is made in (default: the forum's default)")
    ("link", po::value(&link), "link back to the panel's page or recording; {panel} becomes the panel id")
    ("out", po::value(&out), "jsonl: the file to append posts to")
    ("url", po::value(&url), "webhook: the URL to POST to")
    ("secret", po::value(&secret), "webhook: the HMAC-SHA256 signing secret (prefer the file or PANELWIRE_SECRET: argv is visible to every local user)")
    ("secret-file", po::value(&secret_file), "webhook: file holding the signing secret")
    ("discourse-url", po::value(&discourse_url), "discourse: the forum's base URL")
    ("api-key", po::value(&api_key), "discourse: the API key (prefer the file or PANELWIRE_API_KEY: argv is visible to every local user)")
    ("api-key-file", po::value(&api_key_file), "discourse: file holding the API key")
    ("api-username", po::value(&api_username), "discourse: the account posts are made as")
    ("topic", po::value(&topic), "discourse: one topic for every post (default: each panel's forum_thread; a panel with none gets a topic of its own, made once)")
    ("usernames", po::value(&usernames), "discourse: JSON file {\"token subject\": \"forum username\"}: a question asked with a token of that subject is posted as that user (admin key); guests never are. Needs the relays' id secret or token secret")
    ("id-secret", po::value(&id_secret), "the relays' --id-secret, to find askers' participant ids (prefer the file or PANELWIRE_ID_SECRET)")
    ("id-secret-file", po::value(&id_secret_file), "file holding the relays' id secret")
    ("token-secret", po::value(&token_secret), "the relays' --token-secret, when they derive their id secret from it (prefer the file or PANELWIRE_TOKEN_SECRET)")
    ("token-secret-file", po::value(&token_secret_file), "file holding the relays' token secret")
    ("relay", po::value(&relay_urls)->composing(), "the relay's WebSocket URL (ws://host:port/v1/ws; repeat for more): each question posted is linked on the panel's pages (\"continued in the forum\"); needs the token secret")
    ("answers-listen", po::value(&answers_listen), "HOST:PORT receiving answers for the panel (needs --relay): discourse: the forum's post_created webhook (a reply to an imported post marks its question \"answered in the forum\"); webhook: the receiver's signed callbacks (docs/forum-import.md); give an address only the forum reaches")
    ("answers-secret", po::value(&answers_secret), "the secret answers are signed with: Discourse's webhook secret; for --sink webhook, the sink's secret unless given (prefer the file or PANELWIRE_ANSWERS_SECRET)")
    ("answers-secret-file", po::value(&answers_secret_file), "file holding the answers' secret")
    ("per-minute", po::value(&per_minute), "at most this many posts a minute (discourse default 50: its admin API allows 60)")
    ("drip", po::value(&drip), "release at most K per PERIOD, highest-voted first: K/PERIOD, e.g. 1/24h (needs --redis)")
    ("drip-key", po::value(&drip_key)->default_value(drip_key), "the Redis hash holding the drip schedule")
    ("backoff-min-ms", po::value(&backoff_min_ms)->default_value(backoff_min_ms), "first wait after a failed post")
    ("backoff-max-ms", po::value(&backoff_max_ms)->default_value(backoff_max_ms), "longest wait after failed posts")
    ("log-level", po::value(&log_level)->default_value(log_level), "trace, debug, info, warn, error")
    ("metrics-listen", po::value(&metrics_listen), "HOST:PORT serving GET /metrics (Prometheus text format); off unless given: give a private address")
    ("command", po::value(&command), "dead-letters list|retry [ENTRY_ID]");
  // clang-format on
  po::positional_options_description pos;
  pos.add("command", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).positional(pos).run(), vm);
    // PANELWIRE_API_KEY, PANELWIRE_SECRET, PANELWIRE_REDIS_PASSWORD: secrets
    // stay out of `ps`. The command line wins over them.
    po::store(po::parse_environment(desc,
                                    [&](const std::string& env) -> std::string {
                                      if (env == "PANELWIRE_API_KEY") return "api-key";
                                      if (env == "PANELWIRE_SECRET") return "secret";
                                      if (env == "PANELWIRE_REDIS_PASSWORD")
                                        return "redis-password";
                                      if (env == "PANELWIRE_ID_SECRET") return "id-secret";
                                      if (env == "PANELWIRE_TOKEN_SECRET") return "token-secret";
                                      if (env == "PANELWIRE_ANSWERS_SECRET")
                                        return "answers-secret";
                                      return {};
                                    }),
              vm);
    if (vm.count("help")) {
      std::cout
          << "Usage: panelwire-forum-import (--redis URL | --outbox FILE) --sink "
             "discourse|webhook|jsonl [options] [--once]\n"
             "       panelwire-forum-import dead-letters list|retry [ENTRY_ID] --redis URL\n\n"
          << desc << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (po::error& e) {
    std::cerr << "panelwire-forum-import: " << panelwire::tools::option_error_message(e) << "\n";
    return kUsage;
  }
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  source_opts.claim_after = std::chrono::milliseconds(claim_after_ms);
  auto usage = [](const std::string& why) {
    std::cerr << "panelwire-forum-import: " << why << "\n";
    return kUsage;
  };

  // A secret from its file; errors name the flag and the path, never what
  // the file holds.
  for (auto [value, file, name, env] :
       {std::tuple{&secret, &secret_file, "secret", "PANELWIRE_SECRET"},
        std::tuple{&api_key, &api_key_file, "api-key", "PANELWIRE_API_KEY"},
        std::tuple{&redis_password, &redis_password_file, "redis-password",
                   "PANELWIRE_REDIS_PASSWORD"},
        std::tuple{&id_secret, &id_secret_file, "id-secret", "PANELWIRE_ID_SECRET"},
        std::tuple{&token_secret, &token_secret_file, "token-secret", "PANELWIRE_TOKEN_SECRET"},
        std::tuple{&answers_secret, &answers_secret_file, "answers-secret",
                   "PANELWIRE_ANSWERS_SECRET"}}) {
    const std::string file_option = std::string(name) + "-file";
    if (!vm.count(file_option)) continue;
    if (vm.count(name))
      return usage(std::string("give --") + name + " (or " + env + ") or --" + file_option +
                   ", not both");
    auto text = panelwire::tools::read_secret_file(*file);
    if (!text) return usage("cannot read --" + file_option + " " + *file);
    if (text->empty()) return usage("--" + file_option + " " + *file + " is empty");
    *value = std::move(*text);
  }
  // Errors name the URL with its password masked.
  std::optional<RedisEndpoint> endpoint;
  if (!redis_url.empty()) {
    try {
      endpoint = parse_redis_url(redis_url);
    } catch (const RedisError& e) {
      return usage(std::string("--redis ") + e.what());
    }
    if (!redis_password.empty()) endpoint->password = redis_password;
  }

  try {
    if (!command.empty()) {
      if (command[0] != "dead-letters") return usage("unknown command " + command[0]);
      return dead_letters({command.begin() + 1, command.end()}, endpoint, source_opts);
    }
    if (redis_url.empty() == outbox.empty()) return usage("give one of --redis or --outbox");
    if (format != "markdown" && format != "html") return usage("--format is markdown or html");
    if (!drip.empty() && redis_url.empty()) return usage("--drip needs --redis");

    RenderOptions render;
    render.format = format == "html" ? PostFormat::html : PostFormat::markdown;
    if (!question_template.empty()) render.question_template = read_file(question_template);
    if (!comment_template.empty()) render.comment_template = read_file(comment_template);
    render.link = link;
    if (!topic_title_template.empty())
      render.topic_title_template = read_file(topic_title_template);
    if (!topic_template.empty()) render.topic_opening_template = read_file(topic_template);

    std::unique_ptr<Sink> sink;
    DiscourseSink* discourse = nullptr;  // the sink, when it is Discourse's
    if (sink_name == "jsonl") {
      if (out.empty()) return usage("--sink jsonl needs --out FILE");
      sink = std::make_unique<JsonlSink>(out, render.format);
    } else if (sink_name == "webhook") {
      if (url.empty() || secret.empty())
        return usage(
            "--sink webhook needs --url and a secret (--secret-file, PANELWIRE_SECRET or "
            "--secret)");
      sink = std::make_unique<WebhookSink>(WebhookOptions{url, secret, render.format});
    } else if (sink_name == "discourse") {
      if (discourse_url.empty() || api_key.empty() || api_username.empty())
        return usage(
            "--sink discourse needs --discourse-url, an API key (--api-key-file, PANELWIRE_API_KEY "
            "or --api-key) and --api-username");
      DiscourseOptions d{discourse_url, api_key, api_username, topic, {}, category, render};
      if (!usernames.empty()) {
        // Accounts are found by participant id, which the relays key with
        // their id secret (derived from the token secret when not given).
        if (id_secret.empty() && !token_secret.empty())
          id_secret = panelwire::v1::id_secret_from_token_secret(token_secret);
        if (id_secret.empty())
          return usage(
              "--usernames needs the relays' id secret (--id-secret-file, PANELWIRE_ID_SECRET) "
              "or token secret (--token-secret-file, PANELWIRE_TOKEN_SECRET)");
        boost::system::error_code ec;
        auto v = boost::json::parse(read_file(usernames), ec);
        if (ec || !v.is_object())
          return usage("--usernames " + usernames + " is not a JSON object");
        std::map<std::string, std::string> by_subject;
        for (const auto& [sub, user] : v.as_object()) {
          if (!user.is_string() || user.as_string().empty())
            return usage("--usernames " + usernames + ": each subject maps to a username");
          by_subject[std::string(sub)] = std::string(user.as_string());
        }
        d.accounts = accounts_by_subject(by_subject, id_secret);
      }
      auto owned = std::make_unique<DiscourseSink>(std::move(d));
      discourse = owned.get();
      sink = std::move(owned);
      if (per_minute < 0) per_minute = 50;
    } else {
      return usage("--sink is discourse, webhook or jsonl");
    }
    if (per_minute > 0)
      opts.min_interval = std::chrono::milliseconds(static_cast<long>(60'000 / per_minute));
    opts.once = vm.count("once") > 0;
    opts.backoff_min = std::chrono::milliseconds(backoff_min_ms);
    opts.backoff_max = std::chrono::milliseconds(backoff_max_ms);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    std::unique_ptr<RedisClient> redis;
    std::unique_ptr<LeftoverSource> source;
    std::unique_ptr<Ledger> book;
    std::unique_ptr<DripSchedule> schedule;
    if (endpoint) {
      // Longer than a blocking read, so the read's own timeout comes first.
      redis = std::make_unique<RedisClient>(*endpoint, opts.wait + std::chrono::seconds(10));
      source = std::make_unique<RedisLeftoverSource>(*redis, source_opts);
      book =
          std::make_unique<RedisLedger>(*redis, ledger.empty() ? "pw:{leftovers}:posted" : ledger);
      if (!drip.empty())
        schedule = std::make_unique<DripSchedule>(*redis, drip_key, parse_drip(drip));
    } else {
      source = std::make_unique<OutboxLeftoverSource>(outbox);
      book = std::make_unique<FileLedger>(ledger.empty() ? outbox + ".posted.jsonl" : ledger);
    }

    // Off unless asked for, so the figures are never public by accident.
    std::unique_ptr<prometheus::Exposer> exposer;
    auto registry = std::make_shared<prometheus::Registry>();
    std::optional<ImporterMetrics> metrics;
    if (!metrics_listen.empty()) {
      exposer = std::make_unique<prometheus::Exposer>(metrics_listen, 1);
      exposer->RegisterCollectable(registry);
      metrics.emplace(*registry);
      const auto ports = exposer->GetListeningPorts();
      spdlog::info("event=metrics_listening address={}:{}",
                   metrics_listen.substr(0, metrics_listen.rfind(':')),
                   ports.empty() ? 0 : ports.front());
    }
    Importer importer(*source, *book, *sink, render, opts, schedule.get(),
                      metrics ? &*metrics : nullptr);
    std::optional<RelayLink> relay;
    std::optional<FollowUp> follow_up;
    if (!relay_urls.empty()) {
      if (token_secret.size() < 32)
        return usage(
            "--relay needs the relays' token secret (--token-secret-file, PANELWIRE_TOKEN_SECRET): "
            "the importer reports to the panel as a moderator");
      relay.emplace(RelayLinkOptions{relay_urls, token_secret});
      follow_up.emplace(*relay, *sink, discourse,
                        posted_check(sink_name, endpoint, ledger, outbox));
      importer.report = [&](const std::string& leftover, const std::string& post) {
        return follow_up->report(leftover, post);
      };
    }
    // Answers flowing back to the panel: Discourse's webhook, or a webhook
    // sink's receiver calling back.
    std::unique_ptr<AnswerReceiver> answers;
    if (!answers_listen.empty()) {
      // A webhook sink's receiver already holds its secret.
      if (answers_secret.empty() && sink_name == "webhook") answers_secret = secret;
      if (sink_name == "jsonl" || !follow_up || answers_secret.empty())
        return usage(
            "--answers-listen needs --sink discourse or webhook, --relay and the answers' secret "
            "(--answers-secret-file, PANELWIRE_ANSWERS_SECRET; the webhook sink's secret by "
            "default)");
      if (answers_secret.size() < kMinAnswersSecret)
        return usage("the answers' secret needs at least " + std::to_string(kMinAnswersSecret) +
                     " bytes: it lets its holder link and answer the panel's questions");
      const auto colon = answers_listen.rfind(':');
      const auto port_text = colon == std::string::npos ? "" : answers_listen.substr(colon + 1);
      if (port_text.empty() || port_text.size() > 5 ||
          port_text.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(port_text) > 65535)
        return usage("--answers-listen is HOST:PORT");
      answers = std::make_unique<AnswerReceiver>(
          answers_listen.substr(0, colon), static_cast<unsigned short>(std::stoul(port_text)),
          answers_secret, [&](const AnswerRequest& r) { return follow_up->receive(r); });
      spdlog::info("event=answers_listening address={}:{}", answers_listen.substr(0, colon),
                   answers->port());
    }
    running = &importer;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    int rc = importer.run();
    running = nullptr;
    const auto& s = importer.stats();
    spdlog::info("event=stopped posted={} already_posted={} dead_lettered={} retries={}", s.posted,
                 s.already_posted, s.dead_lettered, s.retries);
    curl_global_cleanup();
    return rc;
  } catch (const std::exception& e) {
    std::cerr << "panelwire-forum-import: " << e.what() << "\n";
    return 1;
  }
}
