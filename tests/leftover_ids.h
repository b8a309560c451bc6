// Leftover ids in tests: "<panel>/<started_at_ms>/<question>", where the
// start is the moment the panel's first event was appended, which a test of
// a real relay cannot know in advance.
#pragma once

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace panelwire::testing_support {

// "<panel>/<question>": the id with the panel's start taken out, after
// checking it has one.
inline std::string without_start(const std::string& leftover_id) {
  static const std::regex shape{R"(([^/]+)/([1-9][0-9]*)/([0-9]+))"};
  std::smatch m;
  if (!std::regex_match(leftover_id, m, shape)) {
    ADD_FAILURE() << "not <panel>/<started_at_ms>/<question>: " << leftover_id;
    return leftover_id;
  }
  return m[1].str() + "/" + m[3].str();
}

}  // namespace panelwire::testing_support
