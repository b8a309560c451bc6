#pragma once
// Token buckets per participant and kind of command, refilled by the
// injected clock. A panel owns one, so every node and shard sharing the
// panel shares the limits.

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace panelwire::core {

// A bucket of `burst` tokens refilled at `per_second`; per_second <= 0
// means no limit.
struct RateRule {
  double per_second = 1;
  double burst = 1;
};

struct RateLimits {
  // A person in a live chat types a line every few seconds at most; a
  // burst of 10 lets a quick exchange or a pasted list through.
  RateRule chat{1, 10};
  // Questions take thought: one a minute on average, three at once.
  RateRule question{1.0 / 60, 3};
  // Voting is clicking down the list: fast, but not a script.
  RateRule vote{2, 20};
  // Buckets kept per panel. Full buckets are dropped first (they hold no
  // state); past this with every bucket busy, the longest idle one goes
  // (the limiter errs toward letting a command through).
  std::size_t max_tracked = 50'000;
};

// One bucket with one owner (a connection's frame budget): no map, no key.
class TokenBucket {
 public:
  explicit TokenBucket(const RateRule& rule) : rule_(rule), tokens_(rule.burst) {}
  // Takes a token; false when there is none (nothing is taken).
  bool take(std::int64_t now_ms) {
    if (rule_.per_second <= 0) return true;
    if (now_ms > at_ms_) {
      tokens_ = std::min(
          rule_.burst, tokens_ + static_cast<double>(now_ms - at_ms_) * rule_.per_second / 1000.0);
      at_ms_ = now_ms;
    }
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  RateRule rule_;
  double tokens_;
  std::int64_t at_ms_ = 0;
};

class RateLimiter {
 public:
  explicit RateLimiter(std::size_t max_tracked) : max_tracked_(max_tracked) {}

  // Takes a token from `key`'s bucket. Returns 0 when there was one,
  // otherwise the milliseconds until there will be (nothing is taken).
  std::uint32_t take(const std::string& key, const RateRule& rule, std::int64_t now_ms);

  // The decision and the charge apart, for a panel that decides a command
  // before it knows the command will be applied (the Redis engine): wait()
  // is take()'s answer without taking; charge() takes a token whatever is
  // left, so every replica applying the same events holds the same buckets.
  // A key's rule may change between calls (slow mode set anew): the tokens
  // it held stay, and refill at the rule given from then on.
  std::uint32_t wait(const std::string& key, const RateRule& rule, std::int64_t now_ms) const;
  void charge(const std::string& key, const RateRule& rule, std::int64_t at_ms);

  std::size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    std::int64_t at_ms;
    double burst;
    double per_second;
  };
  // The tokens `b` holds at `now_ms` when refilled at `per_second`, up to `burst`.
  static double level(const Bucket& b, double per_second, double burst, std::int64_t now_ms);
  void make_room(std::int64_t now_ms);

  std::size_t max_tracked_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace panelwire::core
