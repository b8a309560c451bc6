#include "relay.h"

#include <sched.h>

#include <filesystem>
#include <functional>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "audit.h"
#include "file_outbox.h"
#include "memory_engine.h"
#include "redis_engine.h"
#include "redis_leftover_outbox.h"
#include "relay_metrics.h"
#include "sqlite_panel_store.h"

namespace panelwire::app {

namespace asio = boost::asio;

unsigned available_cpus() {
  // Under taskset or a container CPU set, hardware_concurrency() still
  // reports every CPU of the machine; the affinity mask is what we get.
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

namespace {

// Far above a built page set (a few hundred KiB), far below what would
// matter in memory: a wrong --web-root pointing at a big tree fails fast.
constexpr std::size_t kMaxPageBytes = 64u << 20;

std::string default_web_root() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return (exe.parent_path().parent_path() / "web").string();
}

}  // namespace

Relay::Relay(ServerConfig config) : config_(std::move(config)) {
  // First: a pair it cannot use stops it before it touches anything.
  if (!config_.tls_cert_file.empty()) {
    auto tls = net::TlsCertificate::load(config_.tls_cert_file, config_.tls_key_file);
    if (!tls) throw std::runtime_error(tls.error().message);
    tls_ = std::move(*tls);
  }
  const auto web_root = config_.web_root.empty() ? default_web_root() : config_.web_root;
  config_.relay.pages = net::WebPages::load(web_root, kMaxPageBytes);
  config_.relay.catalog = &config_.catalog;
  if (config_.relay.pages->empty()) spdlog::info("event=no_pages web_root=\"{}\"", web_root);
  auto n = config_.threads ? config_.threads : available_cpus();
  std::vector<engine::Executor> executors;
  for (unsigned i = 0; i < n; ++i) {
    // Concurrency hint 1: each io_context is run by one thread, so Asio can
    // drop its internal locking.
    iocs_.push_back(std::make_unique<asio::io_context>(1));
    executors.push_back(iocs_.back()->get_executor());
  }
  if (config_.redis_url.empty()) {
    outbox_ = std::make_unique<engine::FileOutbox>(config_.outbox_file);
    if (!config_.data_dir.empty()) {
      engine::SqliteStoreOptions so;
      so.max_bytes = config_.data_max_bytes;
      auto store = engine::SqlitePanelStore::open(config_.data_dir, so);
      if (!store) throw std::runtime_error(store.error().message);
      store_ = std::move(*store);
    } else {
      spdlog::warn(
          "event=no_data_dir detail=\"panels are kept in memory only: a restart loses them\"");
    }
    auto engine = std::make_unique<engine::MemoryEngine>(std::move(executors), config_.relay.panel,
                                                         clock_, config_.catalog, *outbox_,
                                                         config_.retention, store_.get());
    if (auto r = engine->restore(); !r) throw std::runtime_error(r.error().message);
    if (store_)
      spdlog::info("event=panels_restored data_dir=\"{}\" panels={}", config_.data_dir,
                   engine->panels());
    engine_ = std::move(engine);
  } else {
    engine::RedisEngineOptions o;
    o.endpoint = *engine::parse_redis_url(config_.redis_url);
    if (!config_.redis_password.empty()) o.endpoint.password = config_.redis_password;
    if (config_.catalog.open())
      spdlog::warn(
          "event=open_panels detail=\"no --panels list: any panel id gets Redis keys (kept 7 "
          "days) and this engine has no panel cap; give a panel list on a public relay\"");
    if (config_.id_secret_random)
      spdlog::warn(
          "event=id_secret_random detail=\"no --id-secret nor --token-secret: a guest gets "
          "another id on each node\"");
    // Half the history: a node loading a panel replays at most that many
    // events past the snapshot, and the log holds at most 1.5x the history.
    o.replica.snapshot_every = std::max<std::size_t>(1, config_.relay.panel.history_events / 2);
    auto outbox =
        std::make_unique<engine::RedisLeftoverOutbox>(executors.front(), o.endpoint, o.connection);
    outbox->start();
    auto engine = std::make_unique<engine::RedisEngine>(
        std::move(executors), o, config_.relay.panel, clock_, config_.catalog, *outbox);
    engine->start();
    outbox_ = std::move(outbox);
    engine_ = std::move(engine);
  }
  gate_ =
      std::make_unique<net::ConnectionGate>(config_.relay.addresses, config_.relay.trusted_proxies);
  for (unsigned i = 0; i < n; ++i)
    shards_.push_back(std::make_unique<net::Shard>(i, *iocs_[i], config_.relay, clock_, *engine_,
                                                   *gate_, live_sessions_));
}

Relay::~Relay() {
  for (auto& ioc : iocs_) ioc->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

bool Relay::bind() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(config_.listen_host, ec);
  if (ec) {
    spdlog::error("event=bad_listen_address address=\"{}\" error=\"{}\"", config_.listen_host,
                  ec.message());
    return false;
  }
  std::vector<net::Shard*> shards;
  for (auto& s : shards_) shards.push_back(s.get());
  listener_ = std::make_shared<net::Listener>(std::move(shards),
                                              asio::ip::tcp::endpoint(addr, config_.listen_port),
                                              ec, nullptr, tls_.get());
  if (ec) {
    spdlog::error("event=listen_failed address={}:{} error=\"{}\"", config_.listen_host,
                  config_.listen_port, ec.message());
    return false;
  }
  return config_.metrics_host.empty() || bind_metrics();
}

bool Relay::bind_metrics() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(config_.metrics_host, ec);
  std::vector<net::Shard*> shards;
  for (auto& s : shards_) shards.push_back(s.get());
  metrics_ = std::make_unique<RelayMetrics>(shards, *engine_, live_sessions_);
  if (!ec)
    metrics_listener_ = std::make_shared<net::Listener>(
        shards, asio::ip::tcp::endpoint(addr, config_.metrics_port), ec, metrics_.get());
  if (ec) {
    spdlog::error("event=metrics_listen_failed address={}:{} error=\"{}\"", config_.metrics_host,
                  config_.metrics_port, ec.message());
    return false;
  }
  return true;
}

void Relay::run() {
  stop_signals_.async_wait([this](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("event=draining signal={} sessions={}", signo, live_sessions_.load());
    drain();
  });
  std::function<void()> on_hangup = [&] {
    hangup_.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      reload_tls();
      on_hangup();
    });
  };
  on_hangup();

  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& ioc : iocs_) guards.push_back(asio::make_work_guard(*ioc));
  for (auto& ioc : iocs_) threads_.emplace_back([&ioc] { ioc->run(); });
  listener_->run();
  trimmer_.start();
  spdlog::info("event=listening address={}:{} threads={} tls={}", endpoint().address().to_string(),
               endpoint().port(), iocs_.size(), tls_ ? "on" : "off");
  if (metrics_listener_) {
    metrics_listener_->run();
    const auto at = metrics_listener_->local_endpoint();
    spdlog::info("event=metrics_listening address={}:{}", at.address().to_string(), at.port());
  }

  main_.run();

  // Sessions the drain left are ended at once, on their threads, while
  // their shards exist: their pending operations complete (aborted) and
  // let go of them. Destroyed later with a stopped io_context, they would
  // touch a shard already gone.
  // Replies still waiting for the disk or for Redis are answered
  // (UNAVAILABLE) on their threads first, so none holds a session. Counted
  // before: those threads may end a session as soon as its reply is posted,
  // and what the drain left is what the log reports.
  const auto left = live_sessions_.load();
  engine_->abandon();
  if (left > 0) {
    for (auto& s : shards_) asio::post(s->ioc(), [shard = s.get()] { shard->abort(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (live_sessions_.load() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  guards.clear();
  for (auto& ioc : iocs_) ioc->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  spdlog::info("event=stopped sessions_left={} sessions_left_after_abort={}", left,
               live_sessions_.load());
}

void Relay::reload_tls() {
  if (!tls_) return spdlog::info("event=sighup detail=\"no --tls-cert: nothing to read again\"");
  // New connections take the new pair; open ones keep theirs.
  if (auto r = tls_->reload(); !r)
    return spdlog::error("event=tls_reload_failed error=\"{}\" detail=\"the pair in use stays\"",
                         core::log_safe(r.error().message, 300));
  spdlog::info("event=tls_reloaded cert=\"{}\"", core::log_safe(config_.tls_cert_file, 300));
}

void Relay::drain() {
  listener_->stop();
  if (metrics_listener_) metrics_listener_->stop();
  trimmer_.stop();
  for (auto& s : shards_) asio::post(s->ioc(), [shard = s.get()] { shard->drain(); });
  // Poll until every session is gone: sessions end on their own threads,
  // and a count is all the main thread needs to know.
  auto deadline = std::chrono::steady_clock::now() + config_.drain_timeout;
  auto timer = std::make_shared<asio::steady_timer>(main_);
  auto poll = std::make_shared<std::function<void()>>();
  *poll = [this, timer, poll, deadline] {
    if (live_sessions_.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
      main_.stop();
      *poll = nullptr;  // break the cycle
      return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([poll](boost::system::error_code) {
      if (*poll) (*poll)();
    });
  };
  (*poll)();
}

}  // namespace panelwire::app
