#!/usr/bin/env bash
# Builds the fuzz targets (tests/fuzz) with clang's libFuzzer, AddressSanitizer
# and UndefinedBehaviorSanitizer in build/fuzz, and runs each for SECONDS
# (default 30) on a fresh copy of its seed corpus. Fails on any crash, leak,
# undefined behaviour or hang; the input that did it is left in
# build/fuzz/run/<target>/ (crash-*, leak-*, timeout-*) to add to the corpus.
#
# Usage: deploy/fuzz.sh [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-30}"
"$root/deploy/install-deps.sh"
jobs="$(nproc)"
build="$root/build/fuzz"

echo "== fuzz build"
# Line tables only: a crash's file and line, at less build time than -g.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG" -DCMAKE_CXX_COMPILER=clang++ \
  -DPANELWIRE_FUZZ=ON -DPANELWIRE_WERROR=ON >/dev/null
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
failed=()
echo "== fuzz runs, ${seconds} s each"
for entry in "${targets[@]}"; do
  name="${entry%%:*}"
  max_len="${entry##*:}"
  run="$build/run/$name"
  rm -rf "$run"
  mkdir -p "$run"
  # A copy: what the run adds stays out of the source tree.
  cp -r "$root/tests/fuzz/corpus/$name" "$run/corpus"
  status=0
  # stdin from /dev/null: an input naming stdin as a file must not wait for a terminal.
  (cd "$run" && "$build/bin/fuzz_$name" -max_total_time="$seconds" -max_len="$max_len" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$run/" corpus \
    </dev/null >"$run/log" 2>&1) || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log" | tail -1)"
  per_sec="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$run/log" | tail -1)"
  took="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$run/log" | tail -1)"
  if [ "$status" -ne 0 ]; then
    echo "fuzz_$name: FAILED (exit $status) after ${runs:-?} runs; log: $run/log"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz invariant broken|artifact_prefix|Test unit written)' \
      "$run/log" | head -20 || true
    failed+=("$name")
  else
    printf 'fuzz_%-14s %10s runs in %3s s, %7s execs/s\n' "$name" "${runs:-?}" "${took:-?}" \
      "${per_sec:-?}"
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing failed: ${failed[*]}"
  exit 1
fi
