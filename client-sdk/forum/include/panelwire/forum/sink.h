#pragma once
// Where rendered leftovers are posted: Discourse, a generic webhook, or a
// JSON Lines file. A sink says what became of one post; the importer does
// the retrying, the pacing and the bookkeeping.

#include <chrono>
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

class Sink {
 public:
  virtual ~Sink() = default;
  // Posts `text` (the rendered leftover `l`). Posting the same leftover
  // twice (after a crash between the post and the ledger) is recognised
  // by the sink where the target allows: the webhook sends an idempotency
  // key, the JSON Lines file is checked.
  virtual Delivery deliver(const v1::Leftover& l, const std::string& text) = 0;
};

}  // namespace panelwire::forum
