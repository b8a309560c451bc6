#pragma once
// The importer: takes leftovers from a source, renders each, posts it
// through a sink, records the post in the ledger and only then acknowledges
// the entry. Before a leftover's first request it records the attempt; a
// leftover attempted and not recorded as posted (a crash, or an answer
// lost on the network, in between) is looked for on the forum before it
// is posted again. So an importer killed at any point posts nothing twice
// and loses nothing: an entry not yet acknowledged comes back. Retries: network errors and 5xx with
// exponential backoff and jitter; 429 after the forum's Retry-After; other 4xx go to the dead
// letters with their reason, and the importer goes on.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "panelwire/forum/drip_schedule.h"
#include "panelwire/forum/importer_metrics.h"
#include "panelwire/forum/ledger.h"
#include "panelwire/forum/leftover_source.h"
#include "panelwire/forum/render.h"
#include "panelwire/forum/sink.h"

namespace panelwire::forum {

struct ImporterOptions {
  // Entries taken from the source at once.
  std::size_t batch = 16;
  // How long one read waits for new leftovers; also how quickly a stop
  // request is noticed while idle.
  std::chrono::milliseconds wait{2'000};
  // Deliver what is waiting, then return.
  bool once = false;
  std::chrono::milliseconds backoff_min{500};
  std::chrono::milliseconds backoff_max{60'000};
  // With `once`, a forum still failing after this many tries of one post
  // ends the run (exit 75) instead of waiting for ever.
  int once_attempts = 8;
  // At least this long between two posts: a forum's rate limit (Discourse:
  // 60 admin API requests a minute in all).
  std::chrono::milliseconds min_interval{0};
  // Owed reports are sent again at most this often, a few at a time: a
  // relay that came back learns every address within minutes, and one
  // still down costs a refused connection twice a minute.
  std::chrono::milliseconds report_every{30'000};
  std::size_t reports_per_round = 16;
};

struct ImporterStats {
  std::uint64_t posted = 0;
  std::uint64_t already_posted = 0;
  std::uint64_t found_on_forum = 0;
  std::uint64_t dead_lettered = 0;
  std::uint64_t retries = 0;
};

class Importer {
 public:
  // `drip` may be null (post as leftovers arrive); so may `metrics`.
  Importer(LeftoverSource& source, Ledger& ledger, Sink& sink, RenderOptions render,
           ImporterOptions options, DripSchedule* drip, ImporterMetrics* metrics = nullptr);

  // Until stop() or, with `once`, until nothing is waiting. 0 when done,
  // 75 when `once` gave up on a forum that kept failing.
  int run();
  // Any thread (a signal handler too): the run returns soon, leaving the
  // entry in hand unacknowledged.
  void stop() { stopping_ = true; }
  const ImporterStats& stats() const { return stats_; }
  // Tells the panel where a leftover went (FollowUp::report): true when
  // that is done with, false when the report is still owed. Set, a post
  // the sink has an address for is recorded with its report owed, and owed
  // reports are sent again every `report_every` (at the start of a run
  // too, so `once` runs catch up; between the retries of a post while the
  // forum is down too). After a report failed, posts settle without trying
  // theirs until a round gets one through: a relay that does not answer
  // costs a timeout a round, not one a post. Unset, nothing is reported.
  std::function<bool(const std::string& leftover_id, const std::string& post_id)> report;

 private:
  enum class Done { yes, stopped, gave_up };
  Done deliver(const Entry& e);
  // The ledger and the source told that `e` is on the forum as `post_id`.
  void settle(const Entry& e, const std::string& post_id);
  // Waits until the forum may take another request; false when stopped.
  bool paced();
  // The sink's call, timed, and the pace's clock started again.
  Delivery send(const v1::Leftover& l, const std::string& text);
  Lookup ask(const v1::Leftover& l);
  void answered(std::chrono::steady_clock::time_point asked);
  // What run() returns after `d`; nothing when it goes on.
  static std::optional<int> exit_code(Done d);
  int run_drip();
  // After a failed read or write: waits out the backoff; false when the
  // run should end (`once`, or stopped).
  bool recover(const std::exception& e, std::chrono::milliseconds& backoff);
  // Owed reports, sent again when `report_every` has passed.
  void send_owed_reports();
  // The leftovers in hand, into the metrics when there are any.
  void hold(std::size_t n);
  // Sleeps up to `d`, waking early on stop(); false when stopped.
  bool pause(std::chrono::milliseconds d);
  std::chrono::milliseconds jitter(std::chrono::milliseconds d);

  LeftoverSource& source_;
  Ledger& ledger_;
  Sink& sink_;
  RenderOptions render_;
  ImporterOptions options_;
  DripSchedule* drip_;
  ImporterMetrics* metrics_;
  std::atomic<bool> stopping_ = false;
  // When the forum was last asked anything (min_interval counts from it).
  std::chrono::steady_clock::time_point last_request_{};
  std::optional<std::chrono::steady_clock::time_point> last_reports_;
  bool reports_failing_ = false;
  ImporterStats stats_;
};

}  // namespace panelwire::forum
