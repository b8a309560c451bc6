#pragma once
// The importer's line back to the panel: a ForumUpdate per question (where
// it was posted, an answer given there) sent to the panel on the relay, so
// every node and page shows it. The importer signs a moderator token of its
// own with the relays' token secret; the relay accepts these after the
// panel has ended, and one sent again changes nothing.
//
// One short connection per update: they are few (one per leftover and per
// forum answer), and an importer holds no panel open.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::forum {

struct RelayLinkOptions {
  std::vector<std::string> urls;  // ws://host:port/v1/ws, tried in turn
  std::string token_secret;
  // One update, connection and ack included.
  std::chrono::milliseconds timeout{10'000};
};

// What became of one update.
struct RelayAnswer {
  enum class Outcome {
    applied,  // the panel has it (or had it already)
    refused,  // never: the relay's typed error says the update is wrong
    failed,   // not now (no connection, no answer in time, a busy relay)
  };
  Outcome outcome = Outcome::failed;
  std::string reason;
  bool applied() const { return outcome == Outcome::applied; }
};

// Whether sending the same update again may succeed after the relay
// answered `code`: a busy, unready or restarting relay, or a token it does
// not take yet (a secret being rotated); not a wrong update.
bool worth_retrying(v1::ErrorCode code);

class RelayLink {
 public:
  explicit RelayLink(RelayLinkOptions options) : options_(std::move(options)) {}
  // Blocks until the relay answered or the timeout. Any thread: each call
  // has its own connection.
  RelayAnswer send(const std::string& panel, const v1::ForumUpdate& update);

 private:
  RelayLinkOptions options_;
};

}  // namespace panelwire::forum
