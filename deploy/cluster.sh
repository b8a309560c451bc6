#!/usr/bin/env bash
# A panelwire cluster on this machine, all on loopback: redis-server with
# its append-only file synced on every write (an acked event survives a
# Redis crash), N panelwire nodes sharing it, and haproxy in front as the
# WebSocket load balancer (it sends new connections to nodes whose
# GET /readyz answers 200).
#
#   deploy/cluster.sh start [N [node options...]]   N nodes (default 3)
#   deploy/cluster.sh stop
#   deploy/cluster.sh status
#
# Ports: haproxy on PANELWIRE_CLUSTER_PORT (default 8080) for ws:// and on
# PANELWIRE_CLUSTER_TLS_PORT (default 8443) for wss://, with a self-signed
# certificate for 127.0.0.1 made at the first start (tls.pem in the cluster
# directory; give your own there for anything but local use); the nodes on
# the ports after 8080, Redis on PANELWIRE_REDIS_PORT (default 6380). Data, logs
# and pid files live in PANELWIRE_CLUSTER_DIR (default /tmp/panelwire-cluster).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${PANELWIRE_CLUSTER_DIR:-/tmp/panelwire-cluster}"
port="${PANELWIRE_CLUSTER_PORT:-8080}"
tls_port="${PANELWIRE_CLUSTER_TLS_PORT:-8443}"
redis_port="${PANELWIRE_REDIS_PORT:-6380}"
build="${PANELWIRE_BUILD_DIR:-$root/build/release}"

wait_for() {  # wait_for DESCRIPTION COMMAND...
  local what="$1"; shift
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "cluster: $what did not come up (logs in $dir)" >&2
  return 1
}

ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ]; }

start() {
  local nodes="${1:-3}"; shift || true
  "$root/deploy/build.sh"
  mkdir -p "$dir"
  if [ -e "$dir/redis.pid" ]; then echo "cluster: already running (deploy/cluster.sh stop)" >&2; exit 1; fi

  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir" --save "" \
    --appendonly yes --appendfsync always --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  wait_for "redis-server" redis-cli -p "$redis_port" ping

  # Every node keys participant ids with one secret, so a guest keeps its id
  # (and its votes) on whichever node it reaches.
  [ -s "$dir/id.secret" ] || (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/id.secret")

  local servers=""
  for i in $(seq 1 "$nodes"); do
    local p=$((port + i))
    nohup "$build/bin/panelwire-server" --listen "127.0.0.1:$p" \
      --redis "redis://127.0.0.1:$redis_port" --id-secret-file "$dir/id.secret" \
      --trusted-proxy 127.0.0.1 "$@" \
      >"$dir/node$i.log" 2>&1 &
    echo $! >"$dir/node$i.pid"
    wait_for "node $i" ready "$p"
    servers+="  server node$i 127.0.0.1:$p check inter 1s fall 2 rise 1"$'\n'
  done

  # haproxy takes the certificate and its key from one file.
  if [ ! -s "$dir/tls.pem" ]; then
    (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null &&
      cat "$dir/tls.crt" "$dir/tls.key" >"$dir/tls.pem")
  fi

  local cfg
  cfg="$(<"$root/deploy/haproxy.cfg.in")"
  cfg="${cfg//@BIND@/127.0.0.1:$port}"
  cfg="${cfg//@TLS_BIND@/  bind 127.0.0.1:$tls_port ssl crt $dir/tls.pem alpn http/1.1}"
  printf '%s\n' "${cfg//@SERVERS@/${servers%$'\n'}}" >"$dir/haproxy.cfg"
  haproxy -f "$dir/haproxy.cfg" -D -p "$dir/haproxy.pid"
  wait_for "haproxy" ready "$port"
  echo "cluster: $nodes nodes behind ws://127.0.0.1:$port/v1/ws and wss://127.0.0.1:$tls_port/v1/ws" \
    "(certificate $dir/tls.crt), Redis on 127.0.0.1:$redis_port"
}

stop() {
  local f
  for f in "$dir"/haproxy.pid "$dir"/node*.pid "$dir"/redis.pid; do
    [ -e "$f" ] || continue
    kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  # Nodes close their clients with 1001; Redis syncs its file and exits.
  for f in "$dir"/haproxy.pid "$dir"/node*.pid "$dir"/redis.pid; do
    [ -e "$f" ] || continue
    local pid; pid="$(cat "$f")"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  echo "cluster: stopped"
}

status() {
  local f
  for f in "$dir"/redis.pid "$dir"/node*.pid "$dir"/haproxy.pid; do
    [ -e "$f" ] || continue
    local name; name="$(basename "$f" .pid)"
    if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$name: running"; else echo "$name: gone"; fi
  done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 64 ;;
esac
