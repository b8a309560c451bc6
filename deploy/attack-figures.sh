#!/usr/bin/env bash
# The figures of the relay under attack, from the release binaries: for each
# scenario a fresh panelwire-server on a free loopback port with the flags
# the scenario needs, panelwire-probe against it, then SIGTERM and a look at
# the server's last log line. Prints a Markdown table of the figures.
#
#   deploy/attack-figures.sh
#
# PANELWIRE_BUILD_DIR  build directory (default build/release; configured
#                      like deploy/build.sh when it is not yet)
# ATTACK_NO_BUILD=1    use the binaries there as they are
# ATTACK_JOBS          parallel build jobs (default 2)
# ATTACK_LOG_LEVEL     the servers' --log-level (default warn)
# ATTACK_KEEP=1        keep the work directory (logs, probe output)
#
# Every connection goes to 127.0.0.1. Needs jq.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PANELWIRE_BUILD_DIR:-$root/build/release}"
log_level="${ATTACK_LOG_LEVEL:-warn}"

command -v jq >/dev/null || { echo "attack-figures.sh needs jq (apt-get install jq)" >&2; exit 1; }

if [ "${ATTACK_NO_BUILD:-0}" != 1 ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    "$root/deploy/install-deps.sh" >&2
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DPANELWIRE_TESTS=OFF >/dev/null
  fi
  cmake --build "$build" -j "${ATTACK_JOBS:-2}" --target panelwire-server panelwire-probe >&2
fi
server_bin="$build/bin/panelwire-server"
probe_bin="$build/bin/panelwire-probe"
for b in "$server_bin" "$probe_bin"; do
  [ -x "$b" ] || { echo "attack-figures.sh: no $b" >&2; exit 1; }
done

work="$(mktemp -d /tmp/panelwire-attack-XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    sleep 1
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [ "${ATTACK_KEEP:-0}" = 1 ]; then
    echo "attack-figures.sh: logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

failures=0
port=""

# start_server NAME NOFILE FLAG...: NOFILE is the descriptor limit to start
# it with, or - for the inherited one. Sets server_pid and port.
start_server() {
  local name="$1" nofile="$2"
  shift 2
  (
    if [ "$nofile" != - ]; then ulimit -n "$nofile"; fi
    exec "$server_bin" --listen 127.0.0.1:0 --log-level "$log_level" \
      --outbox "$work/$name.outbox.jsonl" --data-dir "$work/$name.data" "$@" >"$work/$name.out" 2>"$work/$name.log"
  ) &
  server_pid=$!
  port=""
  for _ in $(seq 100); do
    port="$(sed -n 's/^panelwire-server listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
      "$work/$name.out" 2>/dev/null)"
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "attack-figures.sh: $name: the server did not start:" >&2
    cat "$work/$name.log" >&2
    exit 1
  fi
}

# stop_server NAME: SIGTERM, then how it ended, into $work/NAME.stop.
stop_server() {
  local name="$1" rc=0 last sessions
  local started=$SECONDS
  kill -TERM "$server_pid"
  for _ in $(seq 200); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    echo "did not stop within 20 s of SIGTERM (killed)" >"$work/$name.stop"
    failures=$((failures + 1))
    server_pid=""
    return
  fi
  wait "$server_pid" || rc=$?
  server_pid=""
  last="$(tail -n 1 "$work/$name.log")"
  sessions="$(sed -n 's/.*event=stopped sessions_left=\([0-9]*\).*/\1/p' <<<"$last")"
  if [ -z "$sessions" ]; then
    sessions="not in the log at $log_level"
  else
    [ "$sessions" = 0 ] || failures=$((failures + 1))
    sessions="sessions_left=$sessions"
  fi
  [ "$rc" = 0 ] || failures=$((failures + 1))
  echo "exit $rc in $((SECONDS - started)) s, $sessions" >"$work/$name.stop"
}

# run NAME NOFILE "SERVER FLAGS" PROBE ARGS...: one scenario on its own server.
run() {
  local name="$1" nofile="$2" flags="$3" rc=0
  shift 3
  # shellcheck disable=SC2086  # the flags are words
  start_server "$name" "$nofile" $flags
  echo "== $name: panelwire-server ${flags:-(defaults)}$([ "$nofile" = - ] || echo " (ulimit -n $nofile)")" >&2
  "$probe_bin" "$@" --url "ws://127.0.0.1:$port/v1/ws" --server-pid "$server_pid" \
    >"$work/$name.probe" 2>"$work/$name.probe.err" || rc=$?
  sed '$d' "$work/$name.probe" >&2
  tail -n 1 "$work/$name.probe" >"$work/$name.json"
  if [ "$rc" != 0 ] || ! jq -e . "$work/$name.json" >/dev/null 2>&1; then
    echo "attack-figures.sh: $name: the probe failed (exit $rc):" >&2
    cat "$work/$name.probe.err" >&2
    echo '{"error":"probe failed"}' >"$work/$name.json"
    failures=$((failures + 1))
  fi
  stop_server "$name"
  echo "   stop: $(cat "$work/$name.stop")" >&2
  printf '%s\n' "$flags" >"$work/$name.flags"
  [ "$nofile" = - ] || printf ' (ulimit -n %s)' "$nofile" >>"$work/$name.flags"
}

open_joins="--max-connections-per-address 0 --joins-per-address-per-minute 0 --frames-per-second 0"
run stalled - "--chat-per-minute 0 --joins-per-address-per-minute 0" \
  stalled-welcome --connections 100
# The same with the kernel's send buffer autotuning (no bound per socket).
run stalled-autotune - "--chat-per-minute 0 --joins-per-address-per-minute 0 \
--socket-send-buffer-bytes 0" stalled-welcome --connections 100
run churn - "--max-panels 200000 $open_joins --panel-idle-ttl-ms 20000" \
  panel-churn --joins 100000 --wait-ms 35000 --rounds 2
run churn-defaults - "" panel-churn --joins 100000
run churn-cap - "$open_joins" panel-churn --joins 100000
run flood - "" connect-flood --connections 10000
run flood-fds 1024 "--max-connections-per-address 0" connect-flood --connections 10000

# The table.
mib='(. / 1024 * 10 | round / 10 | tostring) + " MiB"'
outcomes='[to_entries[] | "\(.key)=\(.value)"] | join(", ")'
row() { # NAME JQ-FILTER-FOR-THE-OUTCOME JQ-BEFORE JQ-DURING JQ-AFTER
  local name="$1"
  local flags stop cells
  flags="$(tr -d '\n' <"$work/$name.flags")"
  stop="$(cat "$work/$name.stop")"
  if jq -e 'has("error")' "$work/$name.json" >/dev/null; then
    cells="$(jq -r '"probe failed: \(.error)"' "$work/$name.json") | | | "
  else
    cells="$(jq -r "def mib: $mib; def outcomes: $outcomes; \
      \"\($2) | \($3) | \($4) | \($5)\"" "$work/$name.json")"
  fi
  # shellcheck disable=SC2016  # the backquotes are Markdown
  printf '| %s | `%s` | %s | %s |\n' "$name" "${flags:-defaults}" "$cells" "$stop"
}

echo
echo "| scenario | relay flags (else defaults) | what happened | RSS before | RSS during (peak) | RSS after | SIGTERM |"
echo "|---|---|---|---|---|---|---|"
for f in stalled stalled-autotune; do
  row "$f" '"\(.attackers_joined) of \(.attackers_joined + .attackers_failed) attackers joined a panel whose JSON Welcome is \(.welcome_bytes) B, sent a Ping and stopped reading (SO_RCVBUF 4096); RSS \(.rss_attack_kib | mib) once all had; first socket closed by the relay after \(.first_attacker_gone_s * 10 | round / 10) s, all after \(.attackers_gone_s * 10 | round / 10) s (\(.attacker_outcomes | outcomes)); \(.published) chats published meanwhile, a healthy JSON reader missed \(.watcher_missed) (history grew by \(.watcher_event_bytes / 1024 | round) KiB of JSON frames); fresh join afterwards: \(if .fresh_join_ok then "ok" else "FAILED" end); kernel TCP buffers (whole machine) \(.tcp_buffers_baseline_kib | mib) → peak \(.tcp_buffers_peak_kib | mib) → \(.tcp_buffers_after_kib | mib)"' \
    '.rss_baseline_kib | mib' '.rss_peak_kib | mib' \
    '"\(.rss_after_kib | mib) (\(if .rss_after_minus_baseline_kib >= 0 then "+" else "" end)\(.rss_after_minus_baseline_kib | mib))"'
done
row churn '"\(.joins) joins to random panel ids, one chat each, \(.concurrency) at a time, in \(.seconds * 10 | round / 10) s: \(.outcomes | outcomes); \(.kib_per_panel * 10 | round / 10) KiB per panel; after 35 s (idle TTL 20 s, a heap trim looked at every 10 s) sampled panels joined again: \(.rechecked_panels | outcomes). Round 2 on the same relay: \(.later_rounds[0] | "\(.outcomes | outcomes), RSS \(.rss_after_joins_kib | mib) after the joins, \(.rss_after_ttl_kib | mib) after the TTL, sampled panels \(.rechecked_panels | outcomes)")"' \
  '.rss_before_kib | mib' '"\(.rss_after_joins_kib | mib) after the joins"' \
  '"\(.rss_after_ttl_kib | mib) after the TTL"'
row churn-defaults '"\(.joins) joins as above in \(.seconds * 10 | round / 10) s: \(.outcomes | outcomes)"' \
  '.rss_before_kib | mib' '.rss_peak_kib | mib' '.rss_after_joins_kib | mib'
row churn-cap '"\(.joins) joins as above in \(.seconds * 10 | round / 10) s: \(.outcomes | outcomes)"' \
  '.rss_before_kib | mib' '.rss_peak_kib | mib' '.rss_after_joins_kib | mib'
for f in flood flood-fds; do
  row "$f" '"\(.connections) connections from one address, \(.concurrency) in flight, in \(.seconds * 100 | round / 100) s: \(.outcomes | outcomes); answered in \([.answer_ms | to_entries[] | "\(.key): p50 \(.value.p50_ms * 10 | round / 10) ms, p99 \(.value.p99_ms * 10 | round / 10) ms, max \(.value.max_ms * 10 | round / 10) ms"] | join("; ")); relay descriptors \(.fds_before) → \(.fds_holding) → \(.fds_after)"' \
    '.rss_before_kib | mib' '"\(.rss_peak_kib | mib) holding"' '.rss_after_kib | mib'
done

# What the figures say, beyond the table: failures (the relay misbehaved)
# and warnings (memory that did not come back down).
verdict() { # NAME LEVEL JQ-CONDITION MESSAGE-JQ
  local name="$1" level="$2"
  jq -e 'has("error")' "$work/$name.json" >/dev/null && return
  if ! jq -e "$3" "$work/$name.json" >/dev/null; then
    echo "- $level: $name: $(jq -r "$4" "$work/$name.json")"
    [ "$level" = warning ] || failures=$((failures + 1))
  fi
}
echo
for f in stalled stalled-autotune; do
  verdict "$f" FAILURE '.attackers_gone and .fresh_join_ok and .watcher_missed == 0
    and (.watcher_cut | not) and (.publisher_cut | not)' \
    '"attackers gone: \(.attackers_gone), fresh join: \(.fresh_join_ok), healthy reader missed \(.watcher_missed), cut: \(.watcher_cut)/\(.publisher_cut)"'
  # Near the baseline: what the panel's history grew by, and 16 MiB.
  verdict "$f" warning '.rss_after_minus_baseline_kib <= .watcher_event_bytes / 1024 + 16384' \
    '"RSS after the attack is \(.rss_after_minus_baseline_kib / 1024 | round) MiB above its baseline (the history grew by \(.watcher_event_bytes / 1048576 | round) MiB)"'
done
verdict churn FAILURE '.rechecked_panels | keys == ["dropped"]' \
  '"panels joined again past the idle TTL: \(.rechecked_panels)"'
verdict churn warning '.rss_after_ttl_kib - .rss_before_kib <= 16384' \
  '"RSS past the idle TTL (every sampled panel dropped) is \((.rss_after_ttl_kib - .rss_before_kib) / 1024 | round) MiB above where it started"'
for f in flood flood-fds; do
  verdict "$f" FAILURE '.fds_after == .fds_before' '"descriptors \(.fds_before) before, \(.fds_after) after"'
done
if grep -q "not in the log" "$work"/*.stop; then
  echo "- note: the relay logs sessions_left at info; ATTACK_LOG_LEVEL=info checks it"
fi
echo
if [ "$failures" -gt 0 ]; then
  echo "attack-figures.sh: $failures failure(s)" >&2
  exit 1
fi
