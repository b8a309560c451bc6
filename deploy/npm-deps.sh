#!/usr/bin/env bash
# The npm packages of the JavaScript SDK and the browser pages, at the exact
# versions of their lock files, and the SDK's code generated from proto/.
# Needed to build the pages and run their tests, never to run the relay.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for dir in client-sdk/js client-sdk/web; do
  (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error)
done
(cd "$root/client-sdk/js" && npm run --silent gen)
