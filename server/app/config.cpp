#include "config.h"

#include <fstream>
#include <iostream>
#include <iterator>

#include <boost/program_options.hpp>

#include "option_error.h"
#include "redis_connection.h"

namespace panelwire::app {

namespace po = boost::program_options;

namespace {

bool split_host_port(const std::string& s, std::string& host, unsigned short& port) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    auto p = std::stoul(s.substr(colon + 1));
    if (p > 65535) return false;
    port = static_cast<unsigned short>(p);
  } catch (...) {
    return false;
  }
  return !host.empty();
}

}  // namespace

std::optional<ServerConfig> parse_config(int argc, char** argv, int& exit_code) {
  ServerConfig c;
  auto& r = c.relay;
  std::string listen = "127.0.0.1:8080";
  std::string config_file;
  std::size_t max_chat_chars = r.chat.max_chat_chars;
  auto& rates = r.panel.rates;
  double chat_per_minute = rates.chat.per_second * 60,
         questions_per_minute = rates.question.per_second * 60,
         votes_per_minute = rates.vote.per_second * 60;
  long handshake_ms = r.handshake_timeout.count(), join_ms = r.join_timeout.count(),
       idle_ms = r.idle_timeout.count(), close_ms = r.close_timeout.count(),
       drain_ms = c.drain_timeout.count();

  po::options_description opts("panelwire-server options");
  // clang-format off
  opts.add_options()
    ("help,h", "print this help")
    ("config", po::value(&config_file), "INI file with any of these options (key = value)")
    ("listen", po::value(&listen)->default_value(listen), "HOST:PORT to listen on (port 0: any free port)")
    ("threads", po::value(&c.threads)->default_value(c.threads), "io threads (0: one per available CPU)")
    ("log-level", po::value(&c.log_level)->default_value(c.log_level), "trace, debug, info, warn, error")
    ("max-chat-chars", po::value(&max_chat_chars)->default_value(max_chat_chars), "longest chat message, in characters")
    ("max-question-chars", po::value(&r.questions.max_question_chars)->default_value(r.questions.max_question_chars), "longest question, in characters")
    ("max-answer-chars", po::value(&r.questions.max_answer_chars)->default_value(r.questions.max_answer_chars), "longest written answer, in characters")
    ("token-secret", po::value(&r.token_secret), "HS256 secret of participants' tokens (JWT); without it everyone is a guest attendee")
    ("panels", po::value(&c.panels_file), "JSON file of the panels that exist; without it any panel id is created on first join")
    ("outbox", po::value(&c.outbox_file)->default_value(c.outbox_file), "file the embedded engine appends leftovers to, one JSON line each")
    ("web-root", po::value(&c.web_root), "directory of the built browser pages (default: web/ beside the binary's directory)")
    ("redis", po::value(&c.redis_url), "redis://[:password@]host:port[/db]: share panels with every node on this Redis and publish leftovers there (without it: the embedded engine)")
    ("chat-per-minute", po::value(&chat_per_minute)->default_value(chat_per_minute), "chat messages per participant per minute, sustained (0: no limit)")
    ("chat-burst", po::value(&rates.chat.burst)->default_value(rates.chat.burst), "chat messages a participant may send at once")
    ("questions-per-minute", po::value(&questions_per_minute)->default_value(questions_per_minute), "questions per participant per minute (0: no limit)")
    ("question-burst", po::value(&rates.question.burst)->default_value(rates.question.burst), "questions a participant may ask at once")
    ("votes-per-minute", po::value(&votes_per_minute)->default_value(votes_per_minute), "votes per participant per minute (0: no limit)")
    ("vote-burst", po::value(&rates.vote.burst)->default_value(rates.vote.burst), "votes a participant may cast at once")
    ("max-frame-bytes", po::value(&r.max_frame_bytes)->default_value(r.max_frame_bytes), "largest WebSocket message accepted; larger ones close with 1009")
    ("outbound-queue-bytes", po::value(&r.outbound_queue_bytes)->default_value(r.outbound_queue_bytes), "bytes queued for a client before it is cut as a slow consumer (4000)")
    ("socket-send-buffer-bytes", po::value(&r.socket_send_buffer_bytes)->default_value(r.socket_send_buffer_bytes), "kernel send buffer per client socket (0: kernel autotuning)")
    ("snapshot-chat", po::value(&r.snapshot_chat)->default_value(r.snapshot_chat), "recent chat messages in a fresh Welcome")
    ("history-events", po::value(&r.panel.history_events)->default_value(r.panel.history_events), "events per panel kept for resume")
    ("history-bytes", po::value(&r.panel.history_bytes)->default_value(r.panel.history_bytes), "bytes per panel kept for resume")
    ("command-window", po::value(&r.panel.command_window)->default_value(r.panel.command_window), "recent command ids per panel remembered for retries")
    ("max-inflight-commands", po::value(&r.max_inflight_commands)->default_value(r.max_inflight_commands), "commands per client in flight before its socket is no longer read")
    ("handshake-timeout-ms", po::value(&handshake_ms)->default_value(handshake_ms), "time to complete the HTTP upgrade")
    ("join-timeout-ms", po::value(&join_ms)->default_value(join_ms), "time from upgrade to Hello")
    ("idle-timeout-ms", po::value(&idle_ms)->default_value(idle_ms), "silence before a client is dropped (pinged at half)")
    ("close-timeout-ms", po::value(&close_ms)->default_value(close_ms), "time a closing client gets to answer")
    ("drain-timeout-ms", po::value(&drain_ms)->default_value(drain_ms), "time sessions get to close on SIGTERM");
  // clang-format on

  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    // PANELWIRE_LISTEN -> listen, PANELWIRE_MAX_CHAT_CHARS -> max-chat-chars.
    po::store(po::parse_environment(opts,
                                    [&](const std::string& env) -> std::string {
                                      if (env.rfind("PANELWIRE_", 0) != 0) return {};
                                      std::string name = env.substr(10);
                                      for (auto& ch : name)
                                        ch = ch == '_' ? '-' : static_cast<char>(std::tolower(ch));
                                      return opts.find_nothrow(name, false) ? name : std::string{};
                                    }),
              vm);
    if (vm.count("config")) {
      std::ifstream in(vm["config"].as<std::string>());
      if (!in) throw po::error("cannot read config file " + vm["config"].as<std::string>());
      po::store(po::parse_config_file(in, opts), vm);
    }
    if (vm.count("help")) {
      std::cout << "Usage: panelwire-server [options]\n"
                   "Every option can also be set as PANELWIRE_<NAME> (e.g. PANELWIRE_LISTEN)\n"
                   "or in the --config file.\n\n"
                << opts << "\n";
      exit_code = 0;
      return std::nullopt;
    }
    po::notify(vm);
  } catch (po::error& e) {
    std::cerr << "panelwire-server: " << option_error_message(e) << "\n";
    exit_code = 2;
    return std::nullopt;
  }

  auto bad = [&](const std::string& what) {
    std::cerr << "panelwire-server: " << what << "\n";
    exit_code = 2;
    return std::nullopt;
  };
  if (!split_host_port(listen, c.listen_host, c.listen_port))
    return bad("--listen wants HOST:PORT, got '" + listen + "'");
  if (max_chat_chars == 0) return bad("--max-chat-chars must be positive");
  if (r.max_frame_bytes < 1024) return bad("--max-frame-bytes must be at least 1024");
  if (r.outbound_queue_bytes < r.max_frame_bytes)
    return bad("--outbound-queue-bytes must be at least --max-frame-bytes");
  if (r.max_inflight_commands == 0) return bad("--max-inflight-commands must be positive");
  for (long v : {handshake_ms, join_ms, idle_ms, close_ms, drain_ms})
    if (v <= 0) return bad("timeouts must be positive");
  if (r.questions.max_question_chars == 0 || r.questions.max_answer_chars == 0)
    return bad("--max-question-chars and --max-answer-chars must be positive");
  for (double burst : {rates.chat.burst, rates.question.burst, rates.vote.burst})
    if (!(burst >= 1)) return bad("bursts must be at least 1");  // "nan" too
  if (!c.redis_url.empty()) {
    if (auto e = engine::parse_redis_url(c.redis_url); !e)
      return bad("--redis " + e.error().message);
  }
  if (!c.panels_file.empty()) {
    std::ifstream in(c.panels_file);
    if (!in) return bad("cannot read --panels file " + c.panels_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto catalog = core::PanelCatalog::parse(text);
    if (!catalog) return bad(c.panels_file + ": " + catalog.error().message);
    c.catalog = std::move(*catalog);
  }
  r.chat.max_chat_chars = max_chat_chars;
  rates.chat.per_second = chat_per_minute / 60;
  rates.question.per_second = questions_per_minute / 60;
  rates.vote.per_second = votes_per_minute / 60;
  r.handshake_timeout = std::chrono::milliseconds(handshake_ms);
  r.join_timeout = std::chrono::milliseconds(join_ms);
  r.idle_timeout = std::chrono::milliseconds(idle_ms);
  r.close_timeout = std::chrono::milliseconds(close_ms);
  c.drain_timeout = std::chrono::milliseconds(drain_ms);
  return c;
}

}  // namespace panelwire::app
