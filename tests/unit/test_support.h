#pragma once
// Small helpers the core unit tests share.

#include <string>

#include <gtest/gtest.h>

#include "clock.h"
#include "failure.h"

namespace panelwire::core::testing_support {

// Time stands still until a test moves it.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::int64_t start = 1'000) : now(start) {}
  std::int64_t now_ms() const override { return now; }
  std::int64_t now;
};

// The value of a result that must have succeeded: a reported failure, not a
// crash, when it did not.
template <class T>
T ok(Result<T> r) {
  if (!r) {
    ADD_FAILURE() << v1::ErrorCode_Name(r.error().code) << ": " << r.error().message;
    return T{};
  }
  return std::move(*r);
}

inline v1::Participant person(const std::string& id, v1::Role role = v1::ATTENDEE) {
  v1::Participant p;
  p.set_id(id);
  p.set_display_name("name-" + id);
  p.set_role(role);
  return p;
}

}  // namespace panelwire::core::testing_support
