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

class RelayLink {
 public:
  explicit RelayLink(RelayLinkOptions options) : options_(std::move(options)) {}
  // Nullopt when the relay applied `update` to `panel` (or had already);
  // else why not (the relay's typed error, or no connection).
  std::optional<std::string> send(const std::string& panel, const v1::ForumUpdate& update);

 private:
  RelayLinkOptions options_;
};

}  // namespace panelwire::forum
