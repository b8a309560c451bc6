#!/usr/bin/env bash
# Installs what is needed, builds panelwire-server and runs it on its
# embedded engine at 127.0.0.1:8080. Extra arguments go to the server
# (see `panelwire-server --help`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/deploy/build.sh"
build="${PANELWIRE_BUILD_DIR:-$root/build/release}"
exec "$build/bin/panelwire-server" --listen "${PANELWIRE_LISTEN:-127.0.0.1:8080}" "$@"
