// stalled-welcome: a panel whose fresh Welcome is larger than the relay's
// outbound cap; then attackers that join it with a tiny receive buffer, send
// one more command and never read, while a publisher keeps chatting. They
// must be cut (4000 SLOW_CONSUMER or the close timeout), a healthy reader
// must miss nothing, a fresh join must still work, and the relay's memory
// must come back to where it was.

#include <unistd.h>

#include <ctime>
#include <iostream>
#include <map>
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

struct Shared {
  bool publishing = true;
  std::size_t published = 0, published_ok = 0, published_refused = 0;
  std::size_t watcher_events = 0, watcher_event_bytes = 0;
  bool watcher_broke = false, publisher_broke = false;
  std::size_t attackers_ready = 0, attackers_failed = 0;
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A healthy JSON reader: counts the events it receives until its
// connection ends.
Task<void> watch_events(std::shared_ptr<WsConn> conn, std::shared_ptr<Shared> s) {
  v1::ServerMessage msg;
  for (;;) {
    auto ec = co_await conn->receive(msg);
    if (ec) break;
    if (!msg.has_event()) continue;
    s->watcher_events++;
    s->watcher_event_bytes += conn->last_message_bytes();
  }
  s->watcher_broke = s->publishing;
}

// Reads the publisher's acks (and its own events) so it never stalls.
Task<void> read_acks(std::shared_ptr<WsConn> conn, std::shared_ptr<Shared> s) {
  v1::ServerMessage msg;
  for (;;) {
    auto ec = co_await conn->receive(msg);
    if (ec) break;
    if (!msg.has_ack()) continue;
    if (msg.ack().has_error())
      s->published_refused++;
    else
      s->published_ok++;
  }
  s->publisher_broke = s->publishing;
}

Task<void> publish(std::shared_ptr<WsConn> conn, std::shared_ptr<Shared> s, std::string text,
                   std::chrono::milliseconds every, Clock::time_point until) {
  while (s->publishing && Clock::now() < until) {
    auto m = chat("p" + std::to_string(s->published), text);
    auto ec = co_await conn->send(m);
    if (ec) co_return;
    s->published++;
    co_await sleep_for(every);
  }
}

// Joins and sends one more command, then never reads again.
Task<void> attack(std::shared_ptr<WsConn> conn, std::shared_ptr<Shared> s, std::string panel,
                  std::size_t i) {
  auto opened = co_await conn->open();
  if (opened.ec || opened.status != 101) {
    s->attackers_failed++;
    co_return;
  }
  auto client_id = "probe-stall-" + std::to_string(getpid()) + "-" + std::to_string(i);
  auto join = hello("join", panel, "Stalled " + std::to_string(i), client_id);
  auto ec = co_await conn->send(join);
  if (!ec) {
    auto one_more = ping("x");
    ec = co_await conn->send(one_more);
  }
  if (ec) {
    s->attackers_failed++;
    co_return;
  }
  s->attackers_ready++;
}

// After the attack: reads what an attacker was left with and how it ended.
Task<void> drain(std::shared_ptr<WsConn> conn, std::map<std::string, std::size_t>& outcomes,
                 std::size_t& welcomes, std::size_t& pending) {
  {
    Watchdog guard(conn, 20s);
    v1::ServerMessage msg;
    for (;;) {
      auto ec = co_await conn->receive(msg);
      if (ec) break;
      if (msg.has_welcome()) welcomes++;
    }
    std::string how;
    if (conn->close_code())
      how = "close_" + std::to_string(conn->close_code());
    else if (guard.fired())
      how = "still_open";
    else
      how = "no_close_frame";
    outcomes[how]++;
  }
  conn->abort();
  pending--;
}

template <class Pred>
Task<bool> wait_until(Pred done, Clock::time_point until, std::chrono::milliseconds every = 50ms) {
  while (!done()) {
    if (Clock::now() >= until) co_return false;
    co_await sleep_for(every);
  }
  co_return true;
}

// A JSON participant joined to `panel`, or null (and `error` says why).
Task<std::shared_ptr<WsConn>> join(const ProbePlan& plan, const std::string& panel,
                                   const std::string& name, Exchange& x, std::string& error) {
  auto ex = co_await asio::this_coro::executor;
  auto conn = std::make_shared<WsConn>(ex, plan.target, Format::json);
  Watchdog guard(conn, 30s);
  auto opened = co_await conn->open();
  if (opened.ec) {
    error = name + " could not connect: " + opened.ec.message();
    co_return nullptr;
  }
  auto client_id = "probe-" + name + "-" + std::to_string(getpid());
  x = co_await request(*conn, hello("join", panel, name, client_id));
  if (!x.ok()) {
    error = name + " could not join: " +
            (x.acked ? code_name(x.ack.error().code()) + " " + x.ack.error().message()
                     : "connection ended");
    co_return nullptr;
  }
  co_return conn;
}

}  // namespace

Task<json::object> stalled_welcome(const ProbePlan& plan) {
  auto ex = co_await asio::this_coro::executor;
  ServerWatch server(plan.server_pid);
  json::object r;
  std::string error;
  const auto panel = "stalled-" + std::to_string(getpid()) + "-" + std::to_string(time(nullptr));
  const std::string text(plan.chat_chars, '\x01');
  r["rss_start_kib"] = server.rss_kib();

  // 1. Fill the panel (retrying what the chat rate refuses).
  Exchange x;
  auto filler = co_await join(plan, panel, "Filler", x, error);
  if (!filler) co_return json::object{{"error", error}};
  std::size_t filled = 0;
  {
    Watchdog guard(filler, plan.deadline);
    for (std::size_t tries = 0; filled < plan.fill_chats && tries < 20 * plan.fill_chats; ++tries) {
      auto c = co_await request(*filler, chat("fill" + std::to_string(tries), text));
      if (c.ok()) {
        filled++;
      } else if (c.acked && c.ack.error().code() == v1::RATE_LIMITED) {
        co_await sleep_for(std::chrono::milliseconds(
            std::max<std::uint32_t>(c.ack.error().retry_after_ms(), 100)));
      } else {
        break;
      }
    }
    co_await filler->close();
  }
  r["fill_chats"] = filled;
  if (filled < plan.fill_chats) co_return json::object{{"error", "could not fill the panel"}};

  // 2. A healthy reader (whose Welcome shows the size) and the publisher.
  auto watcher = co_await join(plan, panel, "Watcher", x, error);
  if (!watcher) co_return json::object{{"error", error}};
  r["welcome_bytes"] = x.welcome_bytes;
  std::cout << "panel " << panel << ": " << filled << " chats of " << plan.chat_chars
            << " x U+0001; a fresh JSON Welcome is " << x.welcome_bytes << " bytes\n";
  auto publisher = co_await join(plan, panel, "Publisher", x, error);
  if (!publisher) co_return json::object{{"error", error}};
  auto s = std::make_shared<Shared>();
  asio::co_spawn(ex, watch_events(watcher, s), asio::detached);
  asio::co_spawn(ex, read_acks(publisher, s), asio::detached);
  co_await sleep_for(1s);
  const auto rss_baseline = server.rss_kib();
  const auto fds_baseline = server.open_fds();
  r["rss_baseline_kib"] = rss_baseline;
  r["fds_baseline"] = fds_baseline;
  r["tcp_buffers_baseline_kib"] = ServerWatch::tcp_buffers_kib();

  // 3. The attack.
  const auto start = Clock::now();
  const auto until = start + plan.deadline;
  server.start_peak(ex, 100ms);
  asio::co_spawn(ex, publish(publisher, s, text, plan.publish_every, until), asio::detached);
  std::vector<std::shared_ptr<WsConn>> attackers;
  for (std::size_t i = 0; i < plan.count; ++i) {
    attackers.push_back(
        std::make_shared<WsConn>(ex, plan.target, Format::json, plan.attacker_receive_buffer));
    asio::co_spawn(ex, attack(attackers.back(), s, panel, i), asio::detached);
  }
  co_await wait_until([&] { return s->attackers_ready + s->attackers_failed >= plan.count; },
                      until);
  r["attackers_joined"] = s->attackers_ready;
  r["attackers_failed"] = s->attackers_failed;
  r["rss_attack_kib"] = server.rss_kib();
  const auto fds_attack = server.open_fds();
  r["fds_attack"] = fds_attack;
  std::cout << s->attackers_ready << " attackers sent Hello + Ping and stopped reading ("
            << s->attackers_failed << " failed); RSS " << mib(server.rss_kib()) << "\n";

  // 4. Until the relay has let go of every attacking socket.
  double first_gone = -1;
  const bool gone = co_await wait_until(
      [&] {
        auto fds = server.open_fds();
        if (first_gone < 0 && fds < fds_attack) first_gone = seconds_since(start);
        return !server.alive() || fds <= fds_baseline;
      },
      until, 100ms);
  r["attackers_gone"] = gone;
  r["first_attacker_gone_s"] = first_gone;
  r["attackers_gone_s"] = seconds_since(start);
  s->publishing = false;
  const auto peak = server.stop_peak();
  r["rss_peak_kib"] = peak.rss_kib;
  r["tcp_buffers_peak_kib"] = peak.tcp_kib;
  r["rss_peak_exact"] = peak.exact;
  r["published"] = s->published;
  std::cout << (gone ? "every attacking socket closed by the relay after "
                     : "attacking sockets still open after ")
            << seconds_since(start) << " s; " << s->published << " chats published\n";

  // 5. What each attacker was left with, then let them go.
  std::map<std::string, std::size_t> outcomes;
  std::size_t welcomes = 0, pending = attackers.size();
  for (auto& a : attackers)
    asio::co_spawn(ex, drain(a, outcomes, welcomes, pending), asio::detached);
  co_await wait_until([&] { return pending == 0; }, Clock::now() + 30s);
  json::object out;
  for (auto& [how, n] : outcomes) out[how] = n;
  r["attacker_outcomes"] = out;
  r["attacker_whole_welcomes"] = welcomes;
  attackers.clear();

  // 6. After: memory, the healthy reader, a fresh join.
  co_await sleep_for(3s);
  const auto rss_after = server.rss_kib();
  r["rss_after_kib"] = rss_after;
  r["rss_after_minus_baseline_kib"] =
      static_cast<std::int64_t>(rss_after) - static_cast<std::int64_t>(rss_baseline);
  r["fds_after"] = server.open_fds();
  r["tcp_buffers_after_kib"] = ServerWatch::tcp_buffers_kib();
  r["published_ok"] = s->published_ok;
  r["published_refused"] = s->published_refused;
  r["watcher_events"] = s->watcher_events;
  // What the panel's history grew by meanwhile (JSON frames of the chats).
  r["watcher_event_bytes"] = s->watcher_event_bytes;
  r["watcher_missed"] =
      s->published_ok > s->watcher_events ? s->published_ok - s->watcher_events : 0;
  r["watcher_cut"] = s->watcher_broke;
  r["publisher_cut"] = s->publisher_broke;
  auto fresh = co_await join(plan, panel, "Fresh", x, error);
  bool fresh_ok = false;
  if (fresh) {
    Watchdog guard(fresh, 10s);
    auto after = ping("after");
    auto pong = co_await request(*fresh, after);
    fresh_ok = x.welcomed && pong.ok();
    co_await fresh->close();
  }
  r["fresh_join_ok"] = fresh_ok;
  r["fresh_welcome_bytes"] = x.welcome_bytes;
  r["server_alive"] = server.alive();

  Watchdog g1(publisher, 5s), g2(watcher, 5s);
  co_await publisher->close();
  co_await watcher->close();
  std::cout << "attackers: ";
  for (auto& [how, n] : outcomes) std::cout << how << "=" << n << " ";
  std::cout << "\nRSS baseline " << mib(rss_baseline) << ", peak "
            << mib(r["rss_peak_kib"].as_uint64()) << ", after " << mib(rss_after)
            << "; healthy reader missed " << r["watcher_missed"].as_uint64() << " of "
            << s->published_ok << "; fresh join " << (fresh_ok ? "ok" : "FAILED") << "\n";
  co_return r;
}

}  // namespace panelwire::probe
