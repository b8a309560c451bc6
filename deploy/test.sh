#!/usr/bin/env bash
# Installs what is needed, builds everything and runs every test twice: in a
# release build with warnings as errors, and in an AddressSanitizer +
# UndefinedBehaviorSanitizer build; between them the threaded ones again
# under ThreadSanitizer. Then fuzzes every parser of outside input for a
# short while (deploy/fuzz.sh).
#
# The release build is GCC's (as deploy/build.sh builds the relay); the
# sanitizer builds are clang's: unoptimised and instrumented, clang builds
# them in half GCC's time (7 against 12.8 minutes for the ASan build on
# two cores), and the two compilers' warnings both hold.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/deploy/install-deps.sh"
jobs="$(nproc)"
"$root/deploy/npm-deps.sh"
start=$SECONDS

phase() { printf '== %s (at %d:%02d)\n' "$1" $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)); }

# run_suite NAME "CTEST ARGS" CMAKE ARGS...
run_suite() {
  local name="$1" ctest_args="$2"; shift 2
  local build="$root/build/test-$name"
  phase "$name build"
  cmake -S "$root" -B "$build" -G Ninja -DPANELWIRE_WERROR=ON "$@" >/dev/null
  cmake --build "$build" -j "$jobs"
  phase "$name tests"
  # Integration tests start servers of their own; two at a time fit two cores.
  # shellcheck disable=SC2086
  (cd "$build" && ctest --output-on-failure -j 2 --timeout 300 $ctest_args)
}

# Optimised as deploy/build.sh builds the relay, without debug info: a
# quarter of this build's compile time, and the sanitizer run below gives a
# failure's file and line.
run_suite release "" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG"
# ThreadSanitizer: the relay and the engines' tests built with it, and the
# release build's integration tests run against that relay
# (PANELWIRE_TEST_SERVER_BIN; a race it reports fails the test that met
# it): every threaded path a client reaches, without a third full build.
# Unoptimised: half the build time of -O1, and the tests wait on sockets
# far more than on the relay. Memory figures mean nothing under TSan's
# allocator: that one test is left to the other two runs.
(
  export TSAN_OPTIONS=second_deadlock_stack=1
  tsan="$root/build/test-tsan"
  phase "tsan build"
  cmake -S "$root" -B "$tsan" -G Ninja -DPANELWIRE_WERROR=ON -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DPANELWIRE_SANITIZE=thread >/dev/null
  cmake --build "$tsan" -j "$jobs" --target panelwire-server panelwire_engine_tests \
    panelwire_redis_tests
  phase "tsan tests"
  (cd "$tsan" && ctest --output-on-failure -j 2 --timeout 300 -L engine)
  (cd "$root/build/test-release" && PANELWIRE_TEST_SERVER_BIN="$tsan/bin/panelwire-server" \
    ctest --output-on-failure -j 2 --timeout 300 -L integration -E EvictedPanelsGiveTheirMemoryBack)
)
(
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # Line tables only: all a sanitizer's report needs, and a faster build.
  # The fuzz targets are libFuzzer's here (PANELWIRE_FUZZ), for the runs
  # below: no build of their own. The pages' browser tests ran against the
  # release relay: under ASan, Chromium beside the relay takes a third of
  # this run (1.6 of 5 minutes), for server paths the integration tests
  # reach too.
  run_suite asan "-LE browser" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DPANELWIRE_SANITIZE=address,undefined -DPANELWIRE_FUZZ=ON
)
# 10 s for each of eight targets, two at a time: a smoke run for every
# change (CI stays under 30 minutes); longer runs are deploy/fuzz.sh with
# more seconds.
phase "fuzz"
"$root/deploy/fuzz.sh" 10 "$root/build/test-asan"
phase "done"
