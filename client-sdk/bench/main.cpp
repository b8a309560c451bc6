// panelwire-bench: opens subscribers and publishers on one panel, publishes
// on an open-loop schedule and reports loss, duplicates, latency and what
// the server spent; or holds idle connections and reports the server's
// memory per connection.

#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>

#include "load_run.h"
#include "panelwire/tools/option_error.h"
#include "process_stats.h"

namespace asio = boost::asio;
namespace po = boost::program_options;
namespace json = boost::json;
using namespace panelwire::bench;
using tcp = asio::ip::tcp;

namespace {

struct Target {
  tcp::endpoint endpoint;
  std::string host_header, path;
};

Target resolve(asio::io_context& io, const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme() != "ws") throw std::runtime_error("not a ws:// URL: " + url);
  tcp::resolver resolver(io);
  auto port = u->has_port() ? std::string(u->port()) : "80";
  auto results = resolver.resolve(std::string(u->host()), port);
  Target t;
  t.endpoint = *results.begin();
  t.host_header = std::string(u->host()) + ":" + port;
  t.path = u->encoded_path().empty() ? "/v1/ws" : std::string(u->encoded_path());
  return t;
}

void print(const json::object& report, bool as_json) {
  for (const auto& [key, value] : report) {
    std::cout << key << " ";
    if (value.is_double())
      std::cout << std::fixed << std::setprecision(2) << value.as_double();
    else
      std::cout << json::serialize(value);
    std::cout << "\n";
  }
  if (as_json) std::cout << json::serialize(report) << "\n";
  std::cout.flush();
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("panelwire-bench: load and latency of one panel");
  std::string url, publish_url, panel;
  std::size_t subscribers = 0, publishers = 0, idle = 0;
  double rate = 0, duration_s = 0, drain_s = 5;
  std::vector<int> server_pids;
  desc.add_options()("help", "show this help")(
      "url", po::value(&url)->default_value("ws://127.0.0.1:8080/v1/ws"), "relay to subscribe on")(
      "publish-url", po::value(&publish_url), "relay to publish on (default: --url)")(
      "panel", po::value(&panel), "panel id (default: a fresh one per run)")(
      "subscribers", po::value(&subscribers)->default_value(100), "subscriber connections")(
      "publishers", po::value(&publishers)->default_value(1), "publisher connections")(
      "rate", po::value(&rate)->default_value(10), "messages per second over all publishers")(
      "duration", po::value(&duration_s)->default_value(10), "seconds of publishing")(
      "drain", po::value(&drain_s)->default_value(5), "seconds to wait for late deliveries")(
      "server-pid", po::value(&server_pids),
      "server process, for its CPU time and RSS; repeat for every node of a cluster (summed)")(
      "idle", po::value(&idle), "hold this many idle joined connections and report RSS each")(
      "json", "also print the report as one JSON object on the last line");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    po::notify(vm);
    if (!vm.count("idle") && (publishers == 0 || rate <= 0 || duration_s <= 0))
      throw po::error("--publishers, --rate and --duration must be positive");
  } catch (po::error& e) {
    std::cerr << "panelwire-bench: " << panelwire::tools::option_error_message(e) << "\n"
              << desc << "\n";
    return 64;
  }
  if (panel.empty())
    panel = "bench-" + std::to_string(getpid()) + "-" + std::to_string(time(nullptr));
  raise_fd_limit();

  asio::io_context io(1);
  LoadPlan plan;
  try {
    auto sub = resolve(io, url);
    auto pub = resolve(io, publish_url.empty() ? url : publish_url);
    plan.subscribe_to = sub.endpoint;
    plan.publish_to = pub.endpoint;
    plan.host_header = sub.host_header;
    plan.target = sub.path;
  } catch (const std::exception& e) {
    std::cerr << "panelwire-bench: " << e.what() << "\n";
    return 64;
  }
  plan.panel = panel;
  plan.subscribers = vm.count("idle") ? idle : subscribers;
  plan.publishers = vm.count("idle") ? 0 : publishers;
  plan.rate = rate;
  plan.duration = std::chrono::milliseconds(static_cast<long>(duration_s * 1000));
  plan.drain = std::chrono::milliseconds(static_cast<long>(drain_s * 1000));

  // Summed over the nodes; nothing when any is unreadable.
  auto total = [&](auto stat) -> decltype(stat(pid_t{})) {
    if (server_pids.empty()) return std::nullopt;
    std::decay_t<decltype(*stat(pid_t{}))> sum{};
    for (int pid : server_pids) {
      auto v = stat(static_cast<pid_t>(pid));
      if (!v) return std::nullopt;
      sum += *v;
    }
    return sum;
  };
  auto server_rss = [&] { return total([](pid_t p) { return rss_kib(p); }); };
  auto server_cpu = [&] { return total([](pid_t p) { return cpu_time_us(p); }); };
  auto rss_before = server_rss();
  std::optional<std::uint64_t> cpu_before;
  LoadRun run(io, plan);
  json::object report;
  run.connect([&] {
    if (vm.count("idle")) {
      // Let the server settle (lazily freed buffers, timers) before reading.
      std::this_thread::sleep_for(std::chrono::seconds(2));
      return io.stop();
    }
    cpu_before = server_cpu();
    run.publish([&] { io.stop(); });
  });
  io.run();

  auto& r = run.result();
  report["connections"] = r.connections;
  if (r.connect_failures) report["connect_failures"] = r.connect_failures;
  if (vm.count("idle")) {
    if (auto rss = server_rss()) {
      report["server_rss_kib"] = *rss;
      if (rss_before && r.connections)
        report["rss_per_conn_kib"] =
            static_cast<double>(*rss - *rss_before) / static_cast<double>(r.connections);
    }
    print(report, vm.count("json"));
    return r.connect_failures ? 1 : 0;
  }

  report["sent"] = r.sent;
  if (r.send_errors) report["send_errors"] = r.send_errors;
  report["expected"] = r.expected;
  report["delivered"] = r.delivered;
  report["lost"] = r.expected > r.delivered ? r.expected - r.delivered : 0;
  report["duplicates"] = r.duplicates;
  if (r.disconnects) report["disconnects"] = r.disconnects;
  auto seconds = static_cast<double>(r.publish_time.count()) / 1e6;
  report["deliveries_per_s"] = seconds > 0 ? static_cast<double>(r.delivered) / seconds : 0.0;
  auto p = percentiles(r.latency_us);
  report["p50_us"] = p.p50;
  report["p90_us"] = p.p90;
  report["p99_us"] = p.p99;
  report["max_us"] = p.max;
  auto acks = percentiles(r.ack_latency_us);
  report["ack_p50_us"] = acks.p50;
  report["ack_p99_us"] = acks.p99;
  if (auto cpu_after = server_cpu(); cpu_before && cpu_after && r.delivered)
    report["server_cpu_us_per_delivery"] =
        static_cast<double>(*cpu_after - *cpu_before) / static_cast<double>(r.delivered);
  if (auto rss = server_rss()) report["server_rss_kib"] = *rss;
  print(report, vm.count("json"));
  bool clean = r.connect_failures == 0 && r.send_errors == 0 && r.duplicates == 0 &&
               r.delivered == r.expected && r.disconnects == 0;
  return clean ? 0 : 1;
}
