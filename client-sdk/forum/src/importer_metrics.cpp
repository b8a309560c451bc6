#include "panelwire/forum/importer_metrics.h"

namespace panelwire::forum {

namespace {

prometheus::Counter& counter(prometheus::Registry& r, const std::string& name,
                             const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}

prometheus::Gauge& gauge(prometheus::Registry& r, const std::string& name,
                         const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

ImporterMetrics::ImporterMetrics(prometheus::Registry& r)
    : posted(counter(r, "panelwire_importer_posted_total", "Leftovers posted to the forum")),
      already_posted(counter(r, "panelwire_importer_already_posted_total",
                             "Leftovers found in the ledger, posted before a restart")),
      found_on_forum(counter(
          r, "panelwire_importer_found_on_forum_total",
          "Leftovers an interrupted attempt had posted, found on the forum by their marker")),
      dead_lettered(counter(r, "panelwire_importer_dead_lettered_total",
                            "Leftovers the forum refused, set aside with the reason")),
      retries(counter(r, "panelwire_importer_retries_total",
                      "Posts tried again after a network error, a 5xx or a 429")),
      held(gauge(r, "panelwire_importer_leftovers_held",
                 "Leftovers taken from the source and not yet posted")),
      next_release(gauge(r, "panelwire_importer_drip_next_release_timestamp_seconds",
                         "When the drip releases its next post (0: no drip)")),
      // A forum answers in tens of milliseconds; seconds mean trouble, and
      // past 30 s the request has timed out.
      forum_latency(prometheus::BuildHistogram()
                        .Name("panelwire_importer_forum_request_duration_seconds")
                        .Help("One request to the forum, answered or not")
                        .Register(r)
                        .Add({}, prometheus::Histogram::BucketBoundaries{
                                     0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})) {}

}  // namespace panelwire::forum
