#pragma once
// The importer's figures for Prometheus (panelwire-forum-import
// --metrics-listen; docs/operations.md lists them). prometheus-cpp's
// metrics may be updated on the importer's thread while its exposer reads
// them on its own.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace panelwire::forum {

struct ImporterMetrics {
  explicit ImporterMetrics(prometheus::Registry& registry);

  prometheus::Counter& posted;
  prometheus::Counter& already_posted;
  prometheus::Counter& found_on_forum;
  prometheus::Counter& dead_lettered;
  prometheus::Counter& retries;
  // Taken from the source and not yet posted (the drip's pool, or the
  // batch in hand).
  prometheus::Gauge& held;
  // When the drip releases its next post (Unix seconds); 0 without a drip.
  prometheus::Gauge& next_release;
  // One request to the forum (or the file), answered or not.
  prometheus::Histogram& forum_latency;
};

}  // namespace panelwire::forum
