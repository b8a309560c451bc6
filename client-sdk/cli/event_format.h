#pragma once
// How the CLI prints panel events: one line each, stable enough for scripts
// to grep ("#<seq> [HH:MM:SS] <name>: <text>").

#include <cstdint>
#include <string>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::cli {

// One line without the trailing newline. Control characters in user text
// are shown escaped so a message cannot forge another line.
std::string format_event(const v1::Event& ev);

// A server time (ms since the Unix epoch) in UTC, by strftime's `format`.
std::string format_utc(std::int64_t at_ms, const char* format);

// "CODE: message" of an ack's error.
std::string format_error(const v1::Error& error);

}  // namespace panelwire::cli
