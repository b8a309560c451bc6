#!/usr/bin/env bash
# Installs what is needed and builds the release binaries and the browser
# pages (no tests) into $PANELWIRE_BUILD_DIR (default build/release); prints
# nothing else.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/deploy/install-deps.sh" >&2
"$root/deploy/npm-deps.sh" >&2
build="${PANELWIRE_BUILD_DIR:-$root/build/release}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPANELWIRE_TESTS=OFF >/dev/null
cmake --build "$build" --target panelwire-server panelwire panelwire-bench panelwire-forum-import panelwire_web >&2
