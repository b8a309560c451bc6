// connect-flood: one address opens many connections (a bounded number in
// flight at once) and asks each for a WebSocket upgrade; what the relay
// answers (101, 429 past the per-address cap, 503 past the node cap, or a
// reset), how long it takes to answer, and its memory while the accepted
// ones are held and after. Plain sockets and a hand-written upgrade request:
// a refusal is read even when the relay closed before the request arrived.

#include <iostream>
#include <map>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "probe.h"
#include "server_watch.h"

namespace panelwire::probe {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using asio::redirect_error;
using asio::use_awaitable;

namespace {

struct Flood {
  std::size_t next = 0, total = 0, running = 0, watching = 0;
  std::map<std::string, std::size_t> outcomes;
  std::map<unsigned, std::vector<double>> answer_ms;
  std::vector<std::shared_ptr<tcp::socket>> held;
  // Accepted connections the relay closed while they were held (the join
  // timeout: an upgraded connection must say Hello).
  std::size_t closed_by_server = 0;
};

unsigned status_of(const std::string& head) {
  // "HTTP/1.1 429 Too Many Requests"
  if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) return 0;
  unsigned code = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (head[i] < '0' || head[i] > '9') return 0;
    code = code * 10 + static_cast<unsigned>(head[i] - '0');
  }
  return code;
}

Task<void> hold(std::shared_ptr<tcp::socket> sock, Flood& f) {
  char buf[512];
  beast::error_code ec;
  while (!ec) co_await sock->async_read_some(asio::buffer(buf), redirect_error(use_awaitable, ec));
  if (ec != asio::error::operation_aborted && ec != asio::error::bad_descriptor)
    f.closed_by_server++;
  f.watching--;
}

Task<std::string> attempt(const ProbePlan& plan, Flood& f) {
  auto ex = co_await asio::this_coro::executor;
  auto sock = std::make_shared<tcp::socket>(ex);
  auto fired = std::make_shared<bool>(false);
  asio::steady_timer guard(ex, 15s);
  guard.async_wait([sock, fired](beast::error_code ec) {
    if (ec) return;
    *fired = true;
    sock->close(ec);
  });
  const auto t0 = Clock::now();
  beast::error_code ec;
  co_await sock->async_connect(plan.target.endpoint, redirect_error(use_awaitable, ec));
  if (ec) co_return *fired ? "timeout" : "connect_error";
  const std::string request = "GET " + plan.target.path +
                              " HTTP/1.1\r\nHost: " + plan.target.host_header +
                              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: cGFuZWx3aXJlLXByb2JlIQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Protocol: panelwire.v1.proto\r\n\r\n";
  beast::error_code write_ec;
  co_await asio::async_write(*sock, asio::buffer(request), redirect_error(use_awaitable, write_ec));
  // Read the answer even when the write failed: a refusal may be waiting.
  std::string head;
  char buf[1024];
  while (head.find("\r\n") == std::string::npos && head.size() < 4096) {
    auto n = co_await sock->async_read_some(asio::buffer(buf), redirect_error(use_awaitable, ec));
    head.append(buf, n);
    if (ec) break;
  }
  guard.cancel();
  const auto status = status_of(head);
  if (!status) {
    if (*fired) co_return "timeout";
    if (ec == asio::error::connection_reset || write_ec == asio::error::connection_reset)
      co_return "reset";
    if (ec == asio::error::eof) co_return "closed_without_answer";
    co_return "error";
  }
  f.answer_ms[status].push_back(
      std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  if (status == 101) {
    f.held.push_back(sock);
    f.watching++;
    asio::co_spawn(ex, hold(sock, f), asio::detached);
  } else {
    sock->close(ec);
  }
  co_return "http_" + std::to_string(status);
}

Task<void> worker(const ProbePlan& plan, Flood& f) {
  while (f.next < f.total) {
    f.next++;
    auto outcome = co_await attempt(plan, f);
    f.outcomes[outcome]++;
  }
  f.running--;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

Task<json::object> connect_flood(const ProbePlan& plan) {
  auto ex = co_await asio::this_coro::executor;
  ServerWatch server(plan.server_pid);
  json::object r;
  const auto rss_before = server.rss_kib();
  r["rss_before_kib"] = rss_before;
  r["fds_before"] = server.open_fds();
  r["connections"] = plan.count;
  r["concurrency"] = plan.concurrency;

  Flood f;
  f.total = plan.count;
  const auto start = Clock::now();
  server.start_peak(ex, 100ms);
  for (std::size_t w = 0; w < std::min(plan.concurrency, plan.count); ++w) {
    f.running++;
    asio::co_spawn(ex, worker(plan, f), asio::detached);
  }
  // Every attempt is bounded by its own timer.
  while (f.running > 0) co_await sleep_for(20ms);
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  r["seconds"] = took;
  r["attempts_per_s"] = static_cast<double>(plan.count) / took;
  json::object out;
  for (auto& [how, n] : f.outcomes) out[how] = n;
  r["outcomes"] = out;
  json::object latency;
  for (auto& [status, ms] : f.answer_ms)
    latency[std::to_string(status)] = json::object{{"p50_ms", percentile(ms, 0.5)},
                                                   {"p99_ms", percentile(ms, 0.99)},
                                                   {"max_ms", percentile(ms, 1.0)}};
  r["answer_ms"] = latency;
  r["held"] = f.held.size();
  r["closed_by_server_while_flooding"] = f.closed_by_server;
  r["rss_holding_kib"] = server.rss_kib();
  r["fds_holding"] = server.open_fds();
  std::cout << plan.count << " connection attempts in " << took << " s: ";
  for (auto& [how, n] : f.outcomes) std::cout << how << "=" << n << " ";
  std::cout << "\n";
  for (auto& [status, ms] : f.answer_ms)
    std::cout << "  " << status << " answered in p50 " << percentile(ms, 0.5) << " ms, p99 "
              << percentile(ms, 0.99) << " ms, max " << percentile(ms, 1.0) << " ms\n";

  co_await sleep_for(plan.hold);
  r["closed_by_server_while_held"] = f.closed_by_server;
  const auto peak = server.stop_peak();
  r["rss_peak_kib"] = peak.rss_kib;
  r["rss_peak_exact"] = peak.exact;
  for (auto& sock : f.held) {
    beast::error_code ignored;
    sock->close(ignored);
  }
  while (f.watching > 0) co_await sleep_for(10ms);
  f.held.clear();
  co_await sleep_for(2s);
  const auto rss_after = server.rss_kib();
  r["rss_after_kib"] = rss_after;
  r["fds_after"] = server.open_fds();
  r["server_alive"] = server.alive();
  std::cout << "RSS before " << mib(rss_before) << ", peak " << mib(r["rss_peak_kib"].as_uint64())
            << ", after " << mib(rss_after) << "; descriptors " << r["fds_before"].as_uint64()
            << " -> " << r["fds_holding"].as_uint64() << " -> " << r["fds_after"].as_uint64()
            << "\n";
  co_return r;
}

}  // namespace panelwire::probe
