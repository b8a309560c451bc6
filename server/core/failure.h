#pragma once
// Errors as values: a code the client can act on and a message for people.

#include <cstdint>
#include <stdexcept>
#include <string>

#include <boost/system/result.hpp>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::core {

struct Failure {
  v1::ErrorCode code = v1::INTERNAL;
  std::string message;
  std::uint32_t retry_after_ms = 0;
};

template <class T>
using Result = boost::system::result<T, Failure>;

inline Failure fail(v1::ErrorCode code, std::string message) {
  return Failure{code, std::move(message), 0};
}

// result<T, Failure>::value() on an error finds this by argument-dependent
// lookup; callers check has_value() first, so it only fires on a bug.
[[noreturn]] inline void throw_exception_from_error(const Failure& f,
                                                    const boost::source_location&) {
  throw std::runtime_error(f.message);
}

}  // namespace panelwire::core
