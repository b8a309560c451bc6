#include "panelwire/forum/importer.h"

#include <algorithm>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "panelwire/forum/redis_client.h"

namespace panelwire::forum {

namespace {

constexpr int kGaveUp = 75;  // EX_TEMPFAIL: try again later

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<int> Importer::exit_code(Done d) {
  switch (d) {
    case Done::yes:
      return std::nullopt;
    case Done::stopped:
      return 0;
    case Done::gave_up:
      return kGaveUp;
  }
  return 0;
}

Importer::Importer(LeftoverSource& source, Ledger& ledger, Sink& sink, RenderOptions render,
                   ImporterOptions options, DripSchedule* drip, ImporterMetrics* metrics)
    : source_(source),
      ledger_(ledger),
      sink_(sink),
      render_(std::move(render)),
      options_(options),
      drip_(drip),
      metrics_(metrics) {}

void Importer::hold(std::size_t n) {
  if (metrics_) metrics_->held.Set(static_cast<double>(n));
}

bool Importer::pause(std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (!stopping_) {
    auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::milliseconds(0)) return true;
    std::this_thread::sleep_for(
        std::min<std::chrono::nanoseconds>(left, std::chrono::milliseconds(50)));
  }
  return false;
}

std::chrono::milliseconds Importer::jitter(std::chrono::milliseconds d) {
  // Full jitter: importers retrying after one outage spread out.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> pick(d.count() / 2, d.count());
  return std::chrono::milliseconds(pick(rng));
}

bool Importer::paced() {
  auto since = std::chrono::steady_clock::now() - last_request_;
  if (since < options_.min_interval &&
      !pause(std::chrono::duration_cast<std::chrono::milliseconds>(options_.min_interval - since)))
    return false;
  return !stopping_;
}

Delivery Importer::send(const v1::Leftover& l, const std::string& text) {
  const auto asked = std::chrono::steady_clock::now();
  auto d = sink_.deliver(l, text);
  answered(asked);
  return d;
}

Lookup Importer::ask(const v1::Leftover& l) {
  const auto asked = std::chrono::steady_clock::now();
  auto found = sink_.find(l);
  answered(asked);
  return found;
}

void Importer::answered(std::chrono::steady_clock::time_point asked) {
  last_request_ = std::chrono::steady_clock::now();
  if (metrics_)
    metrics_->forum_latency.Observe(std::chrono::duration<double>(last_request_ - asked).count());
}

void Importer::settle(const Entry& e, const std::string& post_id) {
  const auto& id = e.leftover.leftover_id();
  const bool owed = report && sink_.url_of(post_id).has_value();
  ledger_.record(id, post_id, owed);
  source_.ack(e);
  if (drip_) drip_->posted(now_ms());
  // While the relay fails, the report stays owed for the next round
  // instead of costing every post a timeout.
  if (!owed || reports_failing_) return;
  if (report(id, post_id))
    ledger_.reported(id);
  else
    reports_failing_ = true;
}

void Importer::send_owed_reports() {
  const auto now = std::chrono::steady_clock::now();
  if (!report || (last_reports_ && now - *last_reports_ < options_.report_every)) return;
  last_reports_ = now;
  for (const auto& [leftover, post] : ledger_.unreported(options_.reports_per_round)) {
    if (stopping_) return;
    // A relay that fails one now fails the rest: the next round tries.
    reports_failing_ = !report(leftover, post);
    if (reports_failing_) return;
    ledger_.reported(leftover);
  }
}

Importer::Done Importer::deliver(const Entry& e) {
  const auto& l = e.leftover;
  if (auto post = ledger_.posted(l.leftover_id())) {
    // Posted before a crash kept it from being acknowledged.
    source_.ack(e);
    stats_.already_posted++;
    if (metrics_) metrics_->already_posted.Increment();
    spdlog::info("event=already_posted leftover={} post={}", l.leftover_id(), *post);
    return Done::yes;
  }
  // An attempt the ledger saw begin and never settle may have reached the
  // forum: ask it first (a sink that can). The first attempt is recorded
  // before it is made.
  const bool looks = sink_.can_find();
  bool may_be_there = looks && ledger_.attempted(l.leftover_id());
  if (looks && !may_be_there) ledger_.attempt(l.leftover_id());
  const auto text = render(l, render_);
  auto backoff = options_.backoff_min;
  for (int attempt = 1;; ++attempt) {
    if (!paced()) return Done::stopped;
    Delivery d;
    bool sent = true;
    if (may_be_there) {
      auto found = ask(l);
      if (found.outcome == Lookup::Outcome::found) {
        settle(e, found.post_id);
        stats_.found_on_forum++;
        if (metrics_) metrics_->found_on_forum.Increment();
        spdlog::info("event=found_on_forum leftover={} post={}", l.leftover_id(), found.post_id);
        return Done::yes;
      }
      if (found.outcome == Lookup::Outcome::absent) {
        if (!paced()) return Done::stopped;
        d = send(l, text);
      } else {
        sent = false;
        d.outcome = found.outcome == Lookup::Outcome::refused ? Delivery::Outcome::refused
                                                              : Delivery::Outcome::retry;
        d.retry_after = found.retry_after;
        d.reason = "looking for an earlier attempt: " + found.reason;
      }
    } else {
      d = send(l, text);
    }
    switch (d.outcome) {
      case Delivery::Outcome::posted:
        settle(e, d.post_id);
        stats_.posted++;
        if (metrics_) metrics_->posted.Increment();
        spdlog::info("event=posted leftover={} post={}", l.leftover_id(), d.post_id);
        return Done::yes;
      case Delivery::Outcome::refused:
        source_.dead_letter(e, d.reason);
        stats_.dead_lettered++;
        if (metrics_) metrics_->dead_lettered.Increment();
        spdlog::warn("event=dead_lettered leftover={} reason=\"{}\"", l.leftover_id(), d.reason);
        return Done::yes;
      case Delivery::Outcome::retry:
        // A post whose answer was lost (the network, a 5xx) may have been
        // made: look before posting again. A forum that named a wait made
        // nothing.
        if (sent) may_be_there = looks && d.retry_after.count() == 0;
        break;
    }
    stats_.retries++;
    if (metrics_) metrics_->retries.Increment();
    if (options_.once && attempt >= options_.once_attempts) {
      spdlog::error("event=gave_up leftover={} attempts={} reason=\"{}\"", l.leftover_id(), attempt,
                    d.reason);
      return Done::gave_up;
    }
    // A forum that is down for long holds no report back.
    send_owed_reports();
    auto wait = d.retry_after.count() > 0 ? d.retry_after : jitter(backoff);
    spdlog::warn("event=retry leftover={} attempt={} wait_ms={} reason=\"{}\"", l.leftover_id(),
                 attempt, wait.count(), d.reason);
    backoff = std::min(backoff * 2, options_.backoff_max);
    if (!pause(wait)) return Done::stopped;
  }
}

bool Importer::recover(const std::exception& e, std::chrono::milliseconds& backoff) {
  // Redis or the disk failed us: the entry in hand was not acknowledged
  // and comes back.
  spdlog::error("event=source_failed error=\"{}\"", e.what());
  if (options_.once || !pause(jitter(backoff))) return false;
  backoff = std::min(backoff * 2, options_.backoff_max);
  return true;
}

int Importer::run() {
  if (drip_) return run_drip();
  auto backoff = options_.backoff_min;
  while (!stopping_) {
    try {
      send_owed_reports();
      auto batch = source_.next(options_.batch,
                                options_.once ? std::chrono::milliseconds(0) : options_.wait);
      if (batch.empty()) {
        if (options_.once && source_.drained()) return 0;
        continue;
      }
      for (std::size_t i = 0; i < batch.size(); ++i) {
        hold(batch.size() - i);
        const auto done = deliver(batch[i]);
        hold(batch.size() - i - 1);
        if (auto rc = exit_code(done)) return *rc;
      }
      backoff = options_.backoff_min;
    } catch (const std::exception& e) {
      if (!recover(e, backoff)) return options_.once ? kGaveUp : 0;
    }
  }
  return 0;
}

int Importer::run_drip() {
  // Everything waiting is held (unacknowledged, so it survives a restart)
  // and released highest-voted first as the schedule allows.
  std::vector<Entry> pool;
  auto backoff = options_.backoff_min;
  while (!stopping_) {
    try {
      send_owed_reports();
      auto more = source_.next(options_.batch, pool.empty() && !options_.once
                                                   ? options_.wait
                                                   : std::chrono::milliseconds(0));
      bool fresh = false;
      for (auto& e : more) {
        auto known = std::any_of(pool.begin(), pool.end(),
                                 [&](const Entry& p) { return p.entry_id == e.entry_id; });
        if (!known) {
          pool.push_back(std::move(e));
          fresh = true;
        }
      }
      hold(pool.size());
      if (fresh) continue;  // take in all that waits before choosing
      if (pool.empty()) {
        if (options_.once) return 0;
        continue;
      }
      const auto now = now_ms();
      auto wait = drip_->wait(now);
      if (metrics_) metrics_->next_release.Set(static_cast<double>(now + wait.count()) / 1000);
      if (wait.count() > 0) {
        if (options_.once) return 0;
        pause(std::min(wait, options_.wait));
        continue;
      }
      auto best = std::max_element(pool.begin(), pool.end(), [](const Entry& a, const Entry& b) {
        if (a.leftover.votes() != b.leftover.votes())
          return a.leftover.votes() < b.leftover.votes();
        return a.leftover.asked_at_ms() > b.leftover.asked_at_ms();  // older first
      });
      if (auto rc = exit_code(deliver(*best))) return *rc;
      pool.erase(best);
      hold(pool.size());
      backoff = options_.backoff_min;
    } catch (const std::exception& e) {
      if (!recover(e, backoff)) return options_.once ? kGaveUp : 0;
    }
  }
  return 0;
}

}  // namespace panelwire::forum
