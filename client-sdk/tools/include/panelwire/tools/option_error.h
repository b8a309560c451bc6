#pragma once
// A Boost.Program_options error's message for a command-line tool. Its
// formatter substitutes each value into the message until no placeholder is
// left, so a value holding its own placeholder (--per-minute=%value%) loops
// for ever; the values' '%' become '?' before the message is made.

#include <boost/program_options/errors.hpp>
#include <string>

namespace panelwire::tools {

// Changes the error's values in place: what() stays its own (an ambiguous
// option lists its candidates).
std::string option_error_message(std::exception& e);

}  // namespace panelwire::tools
