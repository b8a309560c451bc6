#pragma once
// Where rendered leftovers are posted: Discourse, a generic webhook, or a
// JSON Lines file. A sink says what became of one post; the importer does
// the retrying, the pacing and the bookkeeping.

#include <chrono>
#include <optional>
#include <string>

#include "panelwire/v1/leftover.pb.h"

namespace panelwire::forum {

struct Delivery {
  enum class Outcome {
    posted,   // the forum has it: post_id
    retry,    // not now (network, 5xx, 429): try again later
    refused,  // never (4xx): set aside with the reason
  };
  Outcome outcome = Outcome::retry;
  std::string post_id;
  // retry: how long the forum asked us to wait (429 Retry-After); zero:
  // the importer's own backoff.
  std::chrono::milliseconds retry_after{0};
  std::string reason;
};

// What the forum holds of one leftover.
struct Lookup {
  enum class Outcome {
    found,    // posted before: post_id
    absent,   // not there: post it
    retry,    // the forum cannot say now (as Delivery::Outcome::retry)
    refused,  // the forum will not say (a key that may not read): set aside
  };
  Outcome outcome = Outcome::absent;
  std::string post_id;
  std::chrono::milliseconds retry_after{0};
  std::string reason;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Posts `text` (the rendered leftover `l`). Posting the same leftover
  // twice (after a crash between the post and the ledger) is recognised
  // by the sink where the target allows: the webhook sends an idempotency
  // key, the JSON Lines file is checked.
  virtual Delivery deliver(const v1::Leftover& l, const std::string& text) = 0;

  // Whether the forum already holds `l`'s post, asked before posting a
  // leftover that an earlier attempt may have posted, when can_find(). A
  // target that recognises a repeated post itself (the webhook's
  // idempotency key, the JSON Lines file) needs no asking.
  virtual bool can_find() const { return false; }
  // A post's address on the forum, for the panel's pages; nullopt when
  // the target has none to give.
  virtual std::optional<std::string> url_of(const std::string& /*post_id*/) const {
    return std::nullopt;
  }
  virtual Lookup find(const v1::Leftover&) { return {}; }
};

}  // namespace panelwire::forum
