#pragma once
// An invariant of a fuzz target: a crash libFuzzer records (and the corpus
// runner reports) in every build, NDEBUG or not.

#include <cstdio>
#include <cstdlib>

namespace panelwire::fuzz {

inline void check(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

}  // namespace panelwire::fuzz
