#pragma once
// The message of a Boost.Program_options error, made safe from its formatter:
// it puts each value into the message again until no placeholder is left, so
// a value holding its own placeholder (--threads=%value%) never ends and eats
// memory. The values' '%' are taken out first (found by tests/fuzz).

#include <algorithm>
#include <string>

#include <boost/program_options/errors.hpp>

namespace panelwire::app {

namespace detail {

// Reaches the error's values, a protected member.
struct OptionErrorValues : boost::program_options::error_with_option_name {
  static void defuse(boost::program_options::error_with_option_name& e) {
    for (auto& [placeholder, value] : e.*(&OptionErrorValues::m_substitutions))
      std::replace(value.begin(), value.end(), '%', '?');
  }
};

}  // namespace detail

inline std::string option_error_message(boost::program_options::error& e) {
  if (auto* named = dynamic_cast<boost::program_options::error_with_option_name*>(&e))
    detail::OptionErrorValues::defuse(*named);
  return e.what();
}

}  // namespace panelwire::app
