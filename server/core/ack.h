#pragma once
// The Ack that answers one command: its seq, or why it was refused.

#include <cstdint>
#include <string>

#include "failure.h"

namespace panelwire::core {

// `seq`: the event the command made, 0 when it made none (Hello, Ping).
v1::ServerMessage make_ack(const std::string& id, std::uint64_t seq);

// `id` is empty when the command's own id could not be read or echoed.
v1::ServerMessage make_ack_error(const std::string& id, const Failure& f);

}  // namespace panelwire::core
