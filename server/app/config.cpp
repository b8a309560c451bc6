#include "config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <tuple>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>

#include "identity.h"
#include "option_error.h"
#include "panelwire/v1/participant_id.h"
#include "redis_url.h"

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

// A secret kept in a file (mounted by the operator or an orchestrator) stays
// out of argv and the environment; one trailing newline is not part of it.
std::optional<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

std::string random_secret() {
  std::random_device rd;
  std::string s(32, '\0');
  for (auto& ch : s) ch = static_cast<char>(rd() & 0xff);
  return s;
}

}  // namespace

std::optional<ServerConfig> parse_config(int argc, char** argv, int& exit_code) {
  ServerConfig c;
  auto& r = c.relay;
  std::string listen = "127.0.0.1:8080", metrics_listen;
  std::string config_file, token_secret_file, id_secret_file, redis_password_file;
  auto& addr = r.addresses;
  double joins_per_minute = addr.joins.per_second * 60;
  double handshakes_per_minute = addr.handshakes.per_second * 60;
  std::vector<std::string> trusted_proxies;
  std::size_t max_chat_chars = r.chat.max_chat_chars;
  auto& rates = r.panel.rates;
  double chat_per_minute = rates.chat.per_second * 60,
         questions_per_minute = rates.question.per_second * 60,
         votes_per_minute = rates.vote.per_second * 60;
  long handshake_ms = r.handshake_timeout.count(), join_ms = r.join_timeout.count(),
       idle_ms = r.idle_timeout.count(), close_ms = r.close_timeout.count(),
       drain_ms = c.drain_timeout.count();
  long idle_ttl_ms = c.retention.idle_ttl.count(), ended_ttl_ms = c.retention.ended_ttl.count();
  long heap_trim_ms = c.heap_trim.every.count();
  long batch_ms = r.batch_interval.count();
  bool in_memory = false;

  po::options_description opts("panelwire-server options");
  // clang-format off
  opts.add_options()
    ("help,h", "print this help")
    ("config", po::value(&config_file), "INI file with any of these options (key = value)")
    ("listen", po::value(&listen)->default_value(listen), "HOST:PORT to listen on (port 0: any free port)")
    ("tls-cert", po::value(&c.tls_cert_file), "PEM certificate file (its chain after it) for TLS on --listen: wss:// and https:// only; read again on SIGHUP")
    ("tls-key", po::value(&c.tls_key_file), "PEM private key file of --tls-cert; read again on SIGHUP")
    ("metrics-listen", po::value(&metrics_listen), "HOST:PORT serving GET /metrics (Prometheus text format); off unless given: give a private address")
    ("threads", po::value(&c.threads)->default_value(c.threads), "io threads (0: one per available CPU)")
    ("log-level", po::value(&c.log_level)->default_value(c.log_level), "trace, debug, info, warn, error")
    ("max-chat-chars", po::value(&max_chat_chars)->default_value(max_chat_chars), "longest chat message, in characters")
    ("max-question-chars", po::value(&r.questions.max_question_chars)->default_value(r.questions.max_question_chars), "longest question, in characters")
    ("max-questions", po::value(&r.panel.max_questions)->default_value(r.panel.max_questions), "questions a panel holds (every state); past it asking and promoting get RESOURCE_EXHAUSTED")
    ("max-muted", po::value(&r.panel.max_muted)->default_value(r.panel.max_muted), "people muted at once in a panel; past it a mute gets RESOURCE_EXHAUSTED")
    ("max-answer-chars", po::value(&r.questions.max_answer_chars)->default_value(r.questions.max_answer_chars), "longest written answer, in characters")
    ("token-secret", po::value(&r.token_secret), "HS256 secret of participants' tokens (JWT), at least 32 bytes; without it a token is refused (UNAUTHENTICATED) and only guests join (prefer --token-secret-file or PANELWIRE_TOKEN_SECRET: argv is visible to every local user)")
    ("token-secret-file", po::value(&token_secret_file), "file holding the token secret")
    ("id-secret", po::value(&r.id_secret), "secret (at least 32 bytes) keying participants' public ids; the same on every node (default: derived from the token secret, else random per process)")
    ("id-secret-file", po::value(&id_secret_file), "file holding the id secret")
    ("panels", po::value(&c.panels_file), "JSON file of the panels that exist; without it any panel id is created on first join")
    ("outbox", po::value(&c.outbox_file)->default_value(c.outbox_file), "file the embedded engine appends leftovers to, one JSON line each")
    ("data-dir", po::value(&c.data_dir)->default_value(c.data_dir), "directory where the embedded engine (no --redis) keeps every panel, so a restart loses nothing acknowledged; one relay per directory")
    ("in-memory", po::value(&in_memory)->default_value(in_memory)->implicit_value(true), "embedded engine: keep panels in memory only, no --data-dir (a restart loses them; for tests and throwaway rehearsals)")
    ("data-max-bytes", po::value(&c.data_max_bytes)->default_value(c.data_max_bytes), "largest the data directory's database may grow; past it commands fail with UNAVAILABLE while joins and reads go on, until ended panels or trimmed history make room (0: the disk's size)")
    ("web-root", po::value(&c.web_root), "directory of the built browser pages (default: web/ beside the binary's directory)")
    ("redis", po::value(&c.redis_url), "redis://[:password@]host:port[/db]: share panels with every node on this Redis and publish leftovers there (without it: the embedded engine)")
    ("redis-password", po::value(&c.redis_password), "Redis password, in place of one in the URL (prefer the file or PANELWIRE_REDIS_PASSWORD)")
    ("redis-password-file", po::value(&redis_password_file), "file holding the Redis password")
    ("chat-per-minute", po::value(&chat_per_minute)->default_value(chat_per_minute), "chat messages per participant per minute, sustained (0: no limit)")
    ("chat-burst", po::value(&rates.chat.burst)->default_value(rates.chat.burst), "chat messages a participant may send at once")
    ("questions-per-minute", po::value(&questions_per_minute)->default_value(questions_per_minute), "questions per participant per minute (0: no limit)")
    ("question-burst", po::value(&rates.question.burst)->default_value(rates.question.burst), "questions a participant may ask at once")
    ("votes-per-minute", po::value(&votes_per_minute)->default_value(votes_per_minute), "votes per participant per minute (0: no limit)")
    ("vote-burst", po::value(&rates.vote.burst)->default_value(rates.vote.burst), "votes a participant may cast at once")
    ("max-frame-bytes", po::value(&r.max_frame_bytes)->default_value(r.max_frame_bytes), "largest WebSocket message accepted (at least 1024); larger ones close with 1009")
    ("outbound-queue-bytes", po::value(&r.outbound_queue_bytes)->default_value(r.outbound_queue_bytes), "bytes queued for a client before it is cut as a slow consumer: close 4000 SLOW_CONSUMER, the client resumes (at least --max-frame-bytes)")
    ("socket-send-buffer-bytes", po::value(&r.socket_send_buffer_bytes)->default_value(r.socket_send_buffer_bytes), "kernel send buffer per client socket; the kernel doubles it for its bookkeeping (0: kernel autotuning, up to 4 MiB a socket)")
    ("batch-above-deliveries-per-second", po::value(&r.batch_above_deliveries_per_second)->default_value(r.batch_above_deliveries_per_second), "an io thread delivering more frames a second than this (events times the members they go to) gathers them for up to --batch-interval-ms, several to a write; below it each is written at once")
    ("batch-interval-ms", po::value(&batch_ms)->default_value(batch_ms), "the longest a busy panel's frame waits to share a write (0: never batch)")
    ("tcp-nodelay", po::value(&r.tcp_nodelay)->default_value(r.tcp_nodelay), "disable Nagle's algorithm on client sockets (false leaves it on: the kernel then holds small writes while one is unacknowledged, up to a delayed ACK)")
    ("snapshot-chat", po::value(&r.snapshot_chat)->default_value(r.snapshot_chat), "recent chat messages in a fresh Welcome")
    ("history-events", po::value(&r.panel.history_events)->default_value(r.panel.history_events), "events per panel kept for resume; on Redis also the length of the panel's log, with a snapshot every half of it")
    ("history-bytes", po::value(&r.panel.history_bytes)->default_value(r.panel.history_bytes), "bytes per panel kept for resume, whichever of this and --history-events is reached first (in memory: each event with the frames it may cache; on Redis: the bytes of the log's entries)")
    ("command-window", po::value(&r.panel.command_window.per_client)->default_value(r.panel.command_window.per_client), "recent command ids per client remembered for retries")
    ("command-window-clients", po::value(&r.panel.command_window.clients)->default_value(r.panel.command_window.clients), "clients per panel whose command ids are remembered (the least recently active forgotten first)")
    ("max-connections", po::value(&addr.max_connections)->default_value(addr.max_connections), "open connections on this node; past it: HTTP 503 at accept (0: the descriptor limit less a reserve)")
    ("max-connections-per-address", po::value(&addr.max_per_address)->default_value(addr.max_per_address), "open connections from one client address; past it: HTTP 429 (0: no limit)")
    ("joins-per-address-per-minute", po::value(&joins_per_minute)->default_value(joins_per_minute), "panel joins (Hellos) from one address per minute, sustained; past it: RATE_LIMITED with retry_after_ms (0: no limit)")
    ("join-burst-per-address", po::value(&addr.joins.burst)->default_value(addr.joins.burst), "panel joins one address may make at once")
    ("tls-handshakes-per-address-per-minute", po::value(&handshakes_per_minute)->default_value(handshakes_per_minute), "with --tls-cert: TLS handshakes from one address per minute, sustained; past it the connection is closed before its handshake (0: no limit)")
    ("tls-handshake-burst-per-address", po::value(&addr.handshakes.burst)->default_value(addr.handshakes.burst), "with --tls-cert: TLS handshakes one address may start at once")
    ("frames-per-second", po::value(&r.frames.per_second)->default_value(r.frames.per_second), "frames one connection may send per second, sustained, of any kind (0: no limit); past it: close 1008")
    ("frame-burst", po::value(&r.frames.burst)->default_value(r.frames.burst), "frames one connection may send at once")
    ("trusted-proxy", po::value(&trusted_proxies)->composing(), "address or CIDR range of proxies whose X-Forwarded-For names the client (repeat)")
    ("allowed-origin", po::value(&r.allowed_origins)->composing(), "scheme://host[:port] whose pages may connect; others: HTTP 403 (repeat; * for any; default: the relay's own host)")
    ("frame-ancestors", po::value(&r.frame_ancestors)->default_value(r.frame_ancestors), "CSP frame-ancestors of the pages: who may embed them (e.g. 'self' https://webinar.example.org)")
    ("panel-idle-ttl-ms", po::value(&idle_ttl_ms)->default_value(idle_ttl_ms), "embedded engine (no --redis) without a panel list only: a panel nobody is in is dropped this long after its last member left or its last event, whichever is later (on Redis a panel's keys expire 7 days after its last event or load)")
    ("ended-panel-ttl-ms", po::value(&ended_ttl_ms)->default_value(ended_ttl_ms), "embedded engine (no --redis) without a panel list only: the same for an ended panel (kept for resumes, reading its questions and the forum's follow-up, which reports to it for weeks; on Redis: 30 days after its last event)")
    ("max-panels", po::value(&c.retention.max_panels)->default_value(c.retention.max_panels), "embedded engine (no --redis) without a panel list only: panels on this node; past it a new one takes the place of the ended panel quiet longest, or is refused with RESOURCE_EXHAUSTED when none has ended (with a panel list every listed panel has its place; on Redis there is no cap)")
    ("heap-trim-every-ms", po::value(&heap_trim_ms)->default_value(heap_trim_ms), "how often freed heap is looked at and, past --heap-trim-min-free-bytes, handed back to the system (0: never)")
    ("heap-trim-min-free-bytes", po::value(&c.heap_trim.min_free_bytes)->default_value(c.heap_trim.min_free_bytes), "heap freed since the last trim that is worth a trim")
    ("max-inflight-commands", po::value(&r.max_inflight_commands)->default_value(r.max_inflight_commands), "commands per client in flight before its socket is no longer read")
    ("handshake-timeout-ms", po::value(&handshake_ms)->default_value(handshake_ms), "time to send an HTTP request and complete the WebSocket upgrade; it also bounds a closing handshake")
    ("page-min-bytes-per-second", po::value(&r.page_min_bytes_per_second)->default_value(r.page_min_bytes_per_second), "the slowest a page is written: its write may take --handshake-timeout-ms plus its size at this rate; past it the connection is shut")
    ("join-timeout-ms", po::value(&join_ms)->default_value(join_ms), "time from the upgrade to a completed join (Welcome), however many Hellos it takes; past it: close 1008")
    ("idle-timeout-ms", po::value(&idle_ms)->default_value(idle_ms), "a client silent for a quarter to a half of this is pinged; one that sent nothing in the half after the ping has its socket closed, without a close frame (browsers see 1006)")
    ("close-timeout-ms", po::value(&close_ms)->default_value(close_ms), "time a closing client gets to answer the close frame (at most --handshake-timeout-ms)")
    ("drain-timeout-ms", po::value(&drain_ms)->default_value(drain_ms), "time sessions get to close (1001) on SIGTERM before the process exits");
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
  if (!metrics_listen.empty() && !split_host_port(metrics_listen, c.metrics_host, c.metrics_port))
    return bad("--metrics-listen wants HOST:PORT, got '" + metrics_listen + "'");
  if (c.tls_cert_file.empty() != c.tls_key_file.empty())
    return bad("--tls-cert and --tls-key go together: give both or neither");
  for (const auto* file : {&c.tls_cert_file, &c.tls_key_file})
    if (!file->empty() && !std::ifstream(*file))
      return bad("cannot read " +
                 std::string(file == &c.tls_cert_file ? "--tls-cert " : "--tls-key ") + *file);
  if (max_chat_chars == 0) return bad("--max-chat-chars must be positive");
  if (in_memory) c.data_dir.clear();
  if (c.data_dir.empty() && !in_memory)
    return bad("--data-dir must name a directory (or give --in-memory)");
  if (r.max_frame_bytes < 1024) return bad("--max-frame-bytes must be at least 1024");
  if (r.outbound_queue_bytes < r.max_frame_bytes)
    return bad("--outbound-queue-bytes must be at least --max-frame-bytes");
  if (r.max_inflight_commands == 0) return bad("--max-inflight-commands must be positive");
  if (r.page_min_bytes_per_second == 0) return bad("--page-min-bytes-per-second must be positive");
  for (long v : {handshake_ms, join_ms, idle_ms, close_ms, drain_ms, idle_ttl_ms, ended_ttl_ms})
    if (v <= 0) return bad("timeouts must be positive");
  // A closing session is cut after the close timeout, or the handshake
  // timeout if shorter; a drain that ends first leaves it behind.
  if (drain_ms <= std::min(close_ms, handshake_ms))
    return bad(
        "--drain-timeout-ms must be longer than --close-timeout-ms (or "
        "--handshake-timeout-ms if shorter)");
  if (r.questions.max_question_chars == 0 || r.questions.max_answer_chars == 0)
    return bad("--max-question-chars and --max-answer-chars must be positive");
  for (double burst : {rates.chat.burst, rates.question.burst, rates.vote.burst, addr.joins.burst,
                       addr.handshakes.burst, r.frames.burst})
    if (!(burst >= 1)) return bad("bursts must be at least 1");  // "nan" too
  for (double rate : {chat_per_minute, questions_per_minute, votes_per_minute, joins_per_minute,
                      handshakes_per_minute, r.frames.per_second})
    if (!(rate >= 0) || std::isinf(rate)) return bad("rates must be 0 (no limit) or positive");
  if (!(r.batch_above_deliveries_per_second >= 0) ||
      std::isinf(r.batch_above_deliveries_per_second))
    return bad("--batch-above-deliveries-per-second must be 0 or positive");
  // The wait is a chat's latency: past a second it is no longer a batch.
  if (batch_ms < 0 || batch_ms > 1000) return bad("--batch-interval-ms must be 0 to 1000");
  r.batch_interval = std::chrono::milliseconds(batch_ms);
  if (!c.redis_url.empty()) {
    if (auto e = engine::parse_redis_url(c.redis_url); !e)
      return bad("--redis " + e.error().message);
  }
  for (auto [file, target, flag] :
       {std::tuple{&token_secret_file, &r.token_secret, "--token-secret-file"},
        std::tuple{&id_secret_file, &r.id_secret, "--id-secret-file"},
        std::tuple{&redis_password_file, &c.redis_password, "--redis-password-file"}}) {
    if (file->empty()) continue;
    auto text = read_secret_file(*file);
    if (!text) return bad(std::string("cannot read ") + flag + " " + *file);
    *target = std::move(*text);
  }
  if (!r.token_secret.empty() && r.token_secret.size() < core::kMinSecretBytes)
    return bad(
        "the token secret must be at least 32 bytes (HS256 secrets shorter than its "
        "hash can be brute-forced offline from any token); try `openssl rand -hex 32`");
  if (!r.id_secret.empty() && r.id_secret.size() < core::kMinSecretBytes)
    return bad("the id secret must be at least 32 bytes");
  if (r.id_secret.empty() && !r.token_secret.empty()) {
    // Nodes sharing a token secret share the ids it derives.
    r.id_secret = v1::id_secret_from_token_secret(r.token_secret);
  } else if (r.id_secret.empty()) {
    r.id_secret = random_secret();
    c.id_secret_random = true;
  }
  if (!c.panels_file.empty()) {
    std::ifstream in(c.panels_file);
    if (!in) return bad("cannot read --panels file " + c.panels_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto catalog = core::PanelCatalog::parse(text);
    if (!catalog) return bad(c.panels_file + ": " + catalog.error().message);
    c.catalog = std::move(*catalog);
  }
  for (const auto& p : trusted_proxies) {
    auto range = net::AddressRange::parse(p);
    if (!range) return bad("--trusted-proxy wants an IP address or CIDR range, got '" + p + "'");
    r.trusted_proxies.push_back(*range);
  }
  addr.joins.per_second = joins_per_minute / 60;
  addr.handshakes.per_second = handshakes_per_minute / 60;
  r.chat.max_chat_chars = max_chat_chars;
  rates.chat.per_second = chat_per_minute / 60;
  rates.question.per_second = questions_per_minute / 60;
  rates.vote.per_second = votes_per_minute / 60;
  r.handshake_timeout = std::chrono::milliseconds(handshake_ms);
  r.join_timeout = std::chrono::milliseconds(join_ms);
  r.idle_timeout = std::chrono::milliseconds(idle_ms);
  r.close_timeout = std::chrono::milliseconds(close_ms);
  c.drain_timeout = std::chrono::milliseconds(drain_ms);
  c.retention.idle_ttl = std::chrono::milliseconds(idle_ttl_ms);
  c.retention.ended_ttl = std::chrono::milliseconds(ended_ttl_ms);
  if (heap_trim_ms < 0) return bad("--heap-trim-every-ms must be 0 (never) or positive");
  c.heap_trim.every = std::chrono::milliseconds(heap_trim_ms);
  return c;
}

}  // namespace panelwire::app
