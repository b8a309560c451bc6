#pragma once
// panelwire-probe's attacks on a relay. Each runs as a coroutine on one
// io_context, prints a human summary as it goes and returns its figures;
// every loop is bounded in count and time.

#include <sys/types.h>

#include <chrono>
#include <cstddef>

#include <boost/json/object.hpp>

#include "probe_conn.h"

namespace panelwire::probe {

struct ProbePlan {
  Target target;
  pid_t server_pid = 0;
  // Attacking connections (stalled-welcome, connect-flood) or joins
  // (panel-churn).
  std::size_t count = 100;
  // Connections in flight at once.
  std::size_t concurrency = 64;
  Format format = Format::proto;

  // stalled-welcome: the panel is filled with `fill_chats` messages of
  // `chat_chars` U+0001 (six bytes each in JSON) so a fresh Welcome is
  // larger than the relay's outbound cap; the attackers' receive buffer; the
  // publisher's pace while they are connected.
  std::size_t fill_chats = 50;
  std::size_t chat_chars = 2000;
  int attacker_receive_buffer = 4096;
  std::chrono::milliseconds publish_every{50};

  // panel-churn: how long to wait after the joins (past the idle TTL) before
  // reading the RSS again and checking that the panels were dropped.
  std::chrono::milliseconds wait{0};
  // panel-churn: the joins (and the wait) again on the same relay.
  std::size_t rounds = 1;

  // connect-flood: how long the accepted connections are held once every
  // attempt has had its answer.
  std::chrono::milliseconds hold{2000};

  // Longest the attack phase of a scenario may take.
  std::chrono::milliseconds deadline{120'000};
};

Task<boost::json::object> stalled_welcome(const ProbePlan& plan);
Task<boost::json::object> panel_churn(const ProbePlan& plan);
Task<boost::json::object> connect_flood(const ProbePlan& plan);

}  // namespace panelwire::probe
