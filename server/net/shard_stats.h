#pragma once
// What one shard counts for the metrics (docs/operations.md), on its own
// thread only: plain numbers, nothing shared on the per-message path. A
// scrape asks every shard for a copy, made on the shard's thread, and adds
// the copies up.

#include <array>
#include <cstdint>
#include <string_view>

#include "latency_histogram.h"
#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::net {

struct ShardStats {
  // The close codes the relay sends, each counted apart; one slot more for
  // any other, so the label's values stay a fixed few.
  static constexpr std::array<std::uint16_t, 9> kCloseCodes = {1000, 1001, 1003, 1007, 1008,
                                                               1009, 1011, 1013, 4000};
  static constexpr std::size_t kRoles = v1::Role_ARRAYSIZE;
  static constexpr std::size_t kCodes = v1::ErrorCode_ARRAYSIZE;
  static constexpr std::size_t kFormats = 2;  // core::WireFormat: proto, json

  static std::size_t close_slot(std::uint16_t code) {
    for (std::size_t i = 0; i < kCloseCodes.size(); ++i)
      if (kCloseCodes[i] == code) return i;
    return kCloseCodes.size();
  }

  // Gauges, counted when the copy is made.
  // Joined sessions by role and wire format.
  std::array<std::array<std::uint64_t, kFormats>, kRoles> joined{};
  // Connections not (or no longer) in a panel: HTTP, upgrading, joining.
  std::uint64_t unjoined = 0;
  // Bytes queued for clients and not yet taken by their sockets.
  std::uint64_t outbound_bytes = 0;
  // Panels with a member on this shard.
  std::uint64_t panels = 0;

  // Counters, since the start.
  // Joins answered: [0] accepted, [code] refused with that code.
  std::array<std::uint64_t, kCodes> joins{};
  // Commands answered: [0] applied (or recognised as a retry), [code]
  // refused with that code.
  std::array<std::uint64_t, kCodes> commands{};
  // Commands that appended an event (retries not counted again).
  std::uint64_t events_appended = 0;
  // Event frames handed to clients' queues: one per event per receiver.
  std::uint64_t event_frames = 0;
  // Closes the relay began, by code (see close_slot).
  std::array<std::uint64_t, kCloseCodes.size() + 1> closes{};
  // Clients dropped without a close: silent past the idle timeout.
  std::uint64_t keepalive_drops = 0;
  // From a command's arrival to its engine's answer.
  core::LatencyHistogram append_latency;
  // One event handed to every local member of its panel.
  core::LatencyHistogram fanout_latency;

  void merge(const ShardStats& o) {
    for (std::size_t r = 0; r < kRoles; ++r)
      for (std::size_t f = 0; f < kFormats; ++f) joined[r][f] += o.joined[r][f];
    unjoined += o.unjoined;
    outbound_bytes += o.outbound_bytes;
    panels += o.panels;
    for (std::size_t i = 0; i < kCodes; ++i) {
      joins[i] += o.joins[i];
      commands[i] += o.commands[i];
    }
    events_appended += o.events_appended;
    event_frames += o.event_frames;
    for (std::size_t i = 0; i < closes.size(); ++i) closes[i] += o.closes[i];
    keepalive_drops += o.keepalive_drops;
    append_latency.merge(o.append_latency);
    fanout_latency.merge(o.fanout_latency);
  }
};

}  // namespace panelwire::net
