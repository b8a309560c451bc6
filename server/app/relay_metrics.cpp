#include "relay_metrics.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <utility>

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>
#include <boost/asio/post.hpp>

#include "gather.h"

namespace panelwire::app {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

MetricFamily family(std::string name, std::string help, MetricType type) {
  return MetricFamily{std::move(name), std::move(help), type, {}};
}

void add_gauge(MetricFamily& f, double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

void add_counter(MetricFamily& f, double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = value;
  f.metric.push_back(std::move(m));
}

// A family of one sample without labels.
void single(std::vector<MetricFamily>& out, std::string name, std::string help, MetricType type,
            double value) {
  auto f = family(std::move(name), std::move(help), type);
  if (type == MetricType::Counter)
    add_counter(f, value);
  else
    add_gauge(f, value);
  out.push_back(std::move(f));
}

MetricFamily histogram(std::string name, std::string help, const core::LatencyHistogram& h) {
  auto f = family(std::move(name), std::move(help), MetricType::Histogram);
  ClientMetric m;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < core::LatencyHistogram::kBoundsUs.size(); ++i) {
    cumulative += h.count_in(i);
    m.histogram.bucket.push_back(
        {cumulative, static_cast<double>(core::LatencyHistogram::kBoundsUs[i]) / 1e6});
  }
  cumulative += h.count_in(core::LatencyHistogram::kBoundsUs.size());
  m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = static_cast<double>(h.sum_us()) / 1e6;
  f.metric.push_back(std::move(m));
  return f;
}

// Answers by code: index 0 under `ok`, every other under the code's name
// (a fixed set: the protocol's ErrorCode), those never seen left out.
void add_by_code(MetricFamily& f, const std::array<std::uint64_t, net::ShardStats::kCodes>& n,
                 const std::string& ok) {
  for (std::size_t code = 0; code < n.size(); ++code) {
    if (code != 0 && n[code] == 0) continue;
    add_counter(f, static_cast<double>(n[code]),
                {{"result", code == 0 ? ok : v1::ErrorCode_Name(static_cast<int>(code))}});
  }
}

}  // namespace

std::string render_metrics(const NodeFigures& f) {
  const auto& s = f.shards;
  std::vector<MetricFamily> out;

  single(out, "panelwire_connections", "Open client connections, joined or not", MetricType::Gauge,
         static_cast<double>(f.live_sessions));

  auto sessions =
      family("panelwire_sessions", "Clients joined to a panel, by role and WebSocket subprotocol",
             MetricType::Gauge);
  for (std::size_t role = 1; role < net::ShardStats::kRoles; ++role) {
    for (std::size_t format = 0; format < net::ShardStats::kFormats; ++format) {
      add_gauge(sessions, static_cast<double>(s.joined[role][format]),
                {{"role", lower(v1::Role_Name(static_cast<int>(role)))},
                 {"subprotocol", format == 0 ? "proto" : "json"}});
    }
  }
  out.push_back(std::move(sessions));

  single(
      out, "panelwire_panel_subscriptions",
      "Panels followed by a shard of this node (a panel with members on two shards counts twice)",
      MetricType::Gauge, static_cast<double>(s.panels));

  single(out, "panelwire_outbound_queue_bytes",
         "Bytes queued for clients that their sockets have not taken yet", MetricType::Gauge,
         static_cast<double>(s.outbound_bytes));

  single(out, "panelwire_engine_ready",
         "1 when the engine takes commands (Redis reachable, or the embedded one)",
         MetricType::Gauge, f.engine_ready ? 1 : 0);

  const auto& e = f.engine;
  single(out, "panelwire_panels", "Panels in this node's memory (loaded replicas, on Redis)",
         MetricType::Gauge, static_cast<double>(e.panels));
  single(out, "panelwire_history_events",
         "Events the node's panels keep for resumes (--history-events each at most)",
         MetricType::Gauge, static_cast<double>(e.history_events));
  single(out, "panelwire_history_bytes",
         "Bytes of the events the node's panels keep for resumes (--history-bytes each at most)",
         MetricType::Gauge, static_cast<double>(e.history_bytes));
  if (e.redis) {
    out.push_back(histogram("panelwire_redis_round_trip_seconds",
                            "From a command's send to Redis's reply, on every connection",
                            e.redis_round_trip));
    single(out, "panelwire_redis_reconnects_total",
           "Connections to Redis made again after a loss (each connection's first not counted)",
           MetricType::Counter, static_cast<double>(e.redis_reconnects));
  }

  auto joins = family("panelwire_joins_total", "Hellos answered: accepted, or refused by code",
                      MetricType::Counter);
  add_by_code(joins, s.joins, "accepted");
  out.push_back(std::move(joins));

  auto commands = family("panelwire_commands_total",
                         "Commands answered: applied (a retry included), or refused by code "
                         "(RATE_LIMITED: over a rate limit)",
                         MetricType::Counter);
  add_by_code(commands, s.commands, "applied");
  out.push_back(std::move(commands));

  single(out, "panelwire_events_appended_total",
         "Events this node's clients appended (a retry counted once)", MetricType::Counter,
         static_cast<double>(s.events_appended));

  single(out, "panelwire_event_frames_total",
         "Event frames handed to clients: one per event per receiver", MetricType::Counter,
         static_cast<double>(s.event_frames));

  auto closes = family("panelwire_closes_total",
                       "Connections the relay closed, by WebSocket close code (4000: slow "
                       "consumer; 1008: policy; 1009: too big; 1001: shutting down)",
                       MetricType::Counter);
  for (std::size_t i = 0; i < s.closes.size(); ++i) {
    add_counter(closes, static_cast<double>(s.closes[i]),
                {{"code", i < net::ShardStats::kCloseCodes.size()
                              ? std::to_string(net::ShardStats::kCloseCodes[i])
                              : std::string("other")}});
  }
  out.push_back(std::move(closes));

  single(out, "panelwire_keepalive_drops_total",
         "Clients dropped for silence past the idle timeout", MetricType::Counter,
         static_cast<double>(s.keepalive_drops));

  out.push_back(histogram("panelwire_append_duration_seconds",
                          "From a command's arrival to its engine's answer", s.append_latency));
  out.push_back(histogram("panelwire_fanout_duration_seconds",
                          "One event handed to every member of its panel on one shard",
                          s.fanout_latency));

  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, out);
  return text.str();
}

void RelayMetrics::collect(engine::Executor reply_on, std::function<void(std::string)> done) {
  std::vector<net::ShardExecutor> on;
  for (auto* shard : shards_) on.push_back(shard->ioc().get_executor());
  // The shards' figures, then the engine's, each copied on its own threads
  // and added up on `reply_on`.
  engine::gather<net::ShardStats>(
      on, std::function<net::ShardStats(std::size_t)>([this](std::size_t i) {
        return shards_[i]->snapshot();
      }),
      reply_on, [this, reply_on, done = std::move(done)](net::ShardStats shards) mutable {
        engine_.figures(reply_on, [this, shards = std::move(shards),
                                   done = std::move(done)](engine::EngineFigures e) mutable {
          NodeFigures f;
          f.shards = std::move(shards);
          f.engine = std::move(e);
          f.engine_ready = engine_.ready();
          f.live_sessions = live_sessions_.load();
          std::exchange(done, nullptr)(render_metrics(f));
        });
      });
}

}  // namespace panelwire::app
