#pragma once
// Where a client message goes, given how far its session has joined: to
// the Hello, the Ping or the panel command handler, or straight back as a
// refusal. Decided from the message alone, before anything is done.

#include <cstdint>
#include <string>

#include "failure.h"

namespace panelwire::core {

enum class JoinState : std::uint8_t {
  // Only a Hello is taken.
  awaiting_hello,
  // A Hello is being acted on: neither another Hello nor a command.
  joining,
  // Everything but a Hello.
  joined,
};

enum class Route : std::uint8_t { hello, ping, command };

struct Refusal {
  // The id the Ack echoes: empty when the message's own id is out of form.
  std::string ack_id;
  Failure failure;
};

using Routed = boost::system::result<Route, Refusal>;

// Refused, in this order: an id out of form (INVALID_ARGUMENT); a Hello
// when not awaiting one (ALREADY_JOINED); no command this server knows
// (UNKNOWN_COMMAND); anything else before the join (NOT_JOINED). A panel
// command is routed whatever it holds: drafting it checks its fields.
Routed route_message(const v1::ClientMessage& msg, JoinState state);

// Routed::value() on a refusal finds this by argument-dependent lookup;
// callers check first, so it only fires on a bug.
[[noreturn]] inline void throw_exception_from_error(const Refusal& r,
                                                    const boost::source_location& loc) {
  throw_exception_from_error(r.failure, loc);
}

}  // namespace panelwire::core
