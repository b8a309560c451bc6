// panel-churn: joins to made-up panel ids, each on a fresh connection with
// one chat, by a bounded pool of concurrent connections; the relay's memory
// after them, and again once the idle TTL has passed (when a sample of the
// panels is joined again to see that they were dropped).

#include <unistd.h>

#include <iostream>
#include <map>
#include <random>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include "probe.h"
#include "server_watch.h"

namespace panelwire::probe {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Panels joined again after the wait to tell whether they were dropped.
constexpr std::size_t kRecheck = 100;

struct Churn {
  std::size_t next = 0, total = 0, running = 0;
  std::map<std::string, std::size_t> outcomes;
  std::vector<std::string> sample;  // panels joined and chatted in
  std::size_t sample_every = 1;
  std::mt19937_64 rng{std::random_device{}()};
  std::vector<double> join_ms;
};

std::string random_panel(std::mt19937_64& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "churn-";
  auto v = rng();
  for (int i = 0; i < 16; ++i, v >>= 4) id += kHex[v & 15];
  return id;
}

// One join: connect, Hello, one chat, close. Returns what it came to.
Task<std::string> one_join(const ProbePlan& plan, const std::string& panel, std::size_t i,
                           double& join_ms) {
  auto ex = co_await asio::this_coro::executor;
  auto conn = std::make_shared<WsConn>(ex, plan.target, plan.format);
  Watchdog guard(conn, 15s);
  const auto t0 = Clock::now();
  auto opened = co_await conn->open();
  if (opened.ec) {
    if (opened.status) co_return "http_" + std::to_string(opened.status);
    co_return guard.fired() ? "timeout" : "connect_error";
  }
  auto client_id = "probe-churn-" + std::to_string(getpid()) + "-" + std::to_string(i);
  auto x = co_await request(*conn, hello("join", panel, "Churn " + std::to_string(i), client_id));
  join_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  std::string outcome;
  if (!x.acked) {
    outcome = guard.fired() ? "timeout" : "closed_at_join";
  } else if (x.ack.has_error()) {
    outcome = code_name(x.ack.error().code());
  } else {
    auto c = co_await request(*conn, chat("c", "churn " + std::to_string(i)));
    outcome = !c.acked ? "closed_at_chat"
              : c.ok() ? "joined_and_chatted"
                       : "chat_" + code_name(c.ack.error().code());
  }
  co_await conn->close();
  co_return outcome;
}

Task<void> worker(const ProbePlan& plan, Churn& c) {
  while (c.next < c.total) {
    auto i = c.next++;
    auto panel = random_panel(c.rng);
    double ms = -1;
    auto outcome = co_await one_join(plan, panel, i, ms);
    c.outcomes[outcome]++;
    if (ms >= 0) c.join_ms.push_back(ms);
    if (outcome == "joined_and_chatted" && i % c.sample_every == 0 && c.sample.size() < kRecheck)
      c.sample.push_back(panel);
    auto done = i + 1;
    if (done % (c.total / 10 ? c.total / 10 : 1) == 0)
      std::cerr << "panel-churn: " << done << " of " << c.total << "\n";
  }
  c.running--;
}

// Joins `panel` again: its Welcome's seq is 0 when the panel is new (the old
// one was dropped), the count of its events when it is still held.
Task<std::string> recheck(const ProbePlan& plan, const std::string& panel) {
  auto ex = co_await asio::this_coro::executor;
  auto conn = std::make_shared<WsConn>(ex, plan.target, plan.format);
  Watchdog guard(conn, 15s);
  auto opened = co_await conn->open();
  if (opened.ec) co_return "connect_error";
  auto x = co_await request(*conn, hello("again", panel, "Recheck", ""));
  co_await conn->close();
  if (!x.ok()) co_return x.acked ? code_name(x.ack.error().code()) : "closed";
  co_return x.welcome_seq == 0 ? "dropped" : "still_held";
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// One round: the joins, then (with a wait) the RSS past the idle TTL and
// a sample of the panels joined again.
Task<json::object> one_round(const ProbePlan& plan, ServerWatch& server) {
  auto ex = co_await asio::this_coro::executor;
  json::object r;
  const auto rss_before = server.rss_kib();
  r["rss_before_kib"] = rss_before;
  Churn c;
  c.total = plan.count;
  c.sample_every = std::max<std::size_t>(1, plan.count / kRecheck);
  c.join_ms.reserve(plan.count);
  const auto start = Clock::now();
  server.start_peak(ex, 250ms);
  for (std::size_t w = 0; w < std::min(plan.concurrency, plan.count); ++w) {
    c.running++;
    asio::co_spawn(ex, worker(plan, c), asio::detached);
  }
  // Each join is bounded by its watchdog, so the pool ends.
  while (c.running > 0) co_await sleep_for(50ms);
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  r["seconds"] = took;
  r["joins_per_s"] = static_cast<double>(plan.count) / took;
  json::object out;
  for (auto& [how, n] : c.outcomes) out[how] = n;
  r["outcomes"] = out;
  r["join_ms_p50"] = percentile(c.join_ms, 0.5);
  r["join_ms_p99"] = percentile(c.join_ms, 0.99);
  co_await sleep_for(2s);
  const auto rss_joined = server.rss_kib();
  const auto peak = server.stop_peak();
  r["rss_peak_kib"] = peak.rss_kib;
  r["rss_peak_exact"] = peak.exact;
  r["rss_after_joins_kib"] = rss_joined;
  const auto made = c.outcomes["joined_and_chatted"];
  if (made)
    r["kib_per_panel"] = (static_cast<double>(rss_joined) - static_cast<double>(rss_before)) /
                         static_cast<double>(made);
  std::cout << plan.count << " joins in " << took << " s: ";
  for (auto& [how, n] : c.outcomes) std::cout << how << "=" << n << " ";
  std::cout << "\nRSS before " << mib(rss_before) << ", after the joins " << mib(rss_joined)
            << "\n";
  if (plan.wait.count() <= 0) co_return r;

  // Past the idle TTL (and one more sweep), the panels should be gone.
  std::cout << "waiting " << plan.wait.count() / 1000.0 << " s for the idle TTL\n";
  const auto until = Clock::now() + plan.wait;
  std::uint64_t lowest = rss_joined;
  while (Clock::now() < until) {
    co_await sleep_for(std::min<std::chrono::milliseconds>(
        1s, std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now())));
    lowest = std::min(lowest, server.rss_kib());
  }
  const auto rss_ttl = server.rss_kib();
  r["rss_after_ttl_kib"] = rss_ttl;
  r["rss_lowest_during_wait_kib"] = lowest;
  r["rss_after_ttl_minus_before_kib"] =
      static_cast<std::int64_t>(rss_ttl) - static_cast<std::int64_t>(rss_before);
  std::map<std::string, std::size_t> again;
  for (const auto& panel : c.sample) {
    auto how = co_await recheck(plan, panel);
    again[how]++;
  }
  json::object rechecked;
  for (auto& [how, n] : again) rechecked[how] = n;
  r["rechecked_panels"] = rechecked;
  std::cout << "RSS after the idle TTL " << mib(rss_ttl) << "; of " << c.sample.size()
            << " panels joined again: ";
  for (auto& [how, n] : again) std::cout << how << "=" << n << " ";
  std::cout << "\n";
  co_return r;
}

}  // namespace

// The first round's figures at the top level; later rounds (the same joins
// again, on a relay that has dropped the first ones) tell memory the
// allocator keeps for reuse from memory that leaked.
Task<json::object> panel_churn(const ProbePlan& plan) {
  ServerWatch server(plan.server_pid);
  auto r = co_await one_round(plan, server);
  r["joins"] = plan.count;
  r["concurrency"] = plan.concurrency;
  json::array later;
  for (std::size_t round = 2; round <= plan.rounds && server.alive(); ++round) {
    std::cout << "round " << round << ":\n";
    auto again = co_await one_round(plan, server);
    later.push_back(std::move(again));
  }
  if (!later.empty()) r["later_rounds"] = std::move(later);
  r["server_alive"] = server.alive();
  co_return r;
}

}  // namespace panelwire::probe
