#!/usr/bin/env bash
# Runs each fuzz target (tests/fuzz) for SECONDS (default 30) on a fresh copy
# of its seed corpus, as many at once as there are cores. Fails on any crash,
# leak, undefined behaviour or hang; the input that did it is left in
# BUILD/run/<target>/ (crash-*, leak-*, timeout-*) to add to the corpus.
#
# BUILD (default build/fuzz) is a build with PANELWIRE_FUZZ=ON: libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer. When it is not given,
# build/fuzz is configured (optimised, for more runs a second) and only the
# targets are built; the test command passes its own sanitizer build,
# which has them already.
#
# Usage: deploy/fuzz.sh [SECONDS] [BUILD]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-30}"
build="${2:-}"
"$root/deploy/install-deps.sh"
jobs="$(nproc)"

if [ -z "$build" ]; then
  build="$root/build/fuzz"
  echo "== fuzz build"
  # Line tables only: a crash's file and line, at less build time than -g.
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG" -DCMAKE_CXX_COMPILER=clang++ \
    -DPANELWIRE_SANITIZE=address,undefined -DPANELWIRE_FUZZ=ON -DPANELWIRE_WERROR=ON >/dev/null
fi
# Absolute: each run works in its own directory.
build="$(cd "$build" && pwd)"
# Without libFuzzer the targets are plain corpus replayers that would read
# -max_total_time=... as a file name: say what is wrong instead.
if ! grep -q '^PANELWIRE_FUZZ:BOOL=ON$' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "fuzz.sh: $build is not a fuzz build (configure it with -DPANELWIRE_FUZZ=ON)" >&2
  exit 2
fi
cmake --build "$build" -j "$jobs" --target panelwire_fuzz_targets

# Target and its largest input: a WebSocket frame is at most 64 KiB
# (--max-frame-bytes); the rest are small files and strings.
targets=(
  frame_proto:65536
  frame_json:65536
  ws_reader:16384
  token:8192
  panel_catalog:16384
  server_config:4096
  forum_render:16384
  discourse_answers:65536
)

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# One target's run; its one-line summary (or its failure and the input that
# caused it) goes to run/<target>/result, printed in order once all have run.
fuzz_one() {
  local name="${1%%:*}" max_len="${1##*:}"
  local run="$build/run/$name" status=0
  rm -rf "$run"
  mkdir -p "$run"
  # A copy: what the run adds stays out of the source tree.
  cp -r "$root/tests/fuzz/corpus/$name" "$run/corpus"
  # stdin from /dev/null: an input naming stdin as a file must not wait for a terminal.
  (cd "$run" && "$build/bin/fuzz_$name" -max_total_time="$seconds" -max_len="$max_len" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$run/" corpus \
    </dev/null >"$run/log" 2>&1) || status=$?
  local runs per_sec took
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log" | tail -1)"
  per_sec="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$run/log" | tail -1)"
  took="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$run/log" | tail -1)"
  if [ "$status" -ne 0 ]; then
    {
      echo "fuzz_$name: FAILED (exit $status) after ${runs:-?} runs; log: $run/log"
      grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz invariant broken|artifact_prefix|Test unit written)' \
        "$run/log" | head -20 || true
    } >"$run/result"
  else
    printf 'fuzz_%-14s %10s runs in %3s s, %7s execs/s\n' "$name" "${runs:-?}" "${took:-?}" \
      "${per_sec:-?}" >"$run/result"
    touch "$run/passed"
  fi
}

echo "== fuzz runs, ${seconds} s each, $jobs at a time"
for entry in "${targets[@]}"; do
  # A free core for each run: a slot opens when any run ends.
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fuzz_one "$entry" &
done
# fuzz_one records its verdict itself and never fails.
wait

failed=()
for entry in "${targets[@]}"; do
  name="${entry%%:*}"
  cat "$build/run/$name/result" 2>/dev/null || echo "fuzz_$name: no result"
  [ -e "$build/run/$name/passed" ] || failed+=("$name")
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing failed: ${failed[*]}"
  exit 1
fi
