#!/usr/bin/env bash
# Installs @chainsafe/blst exactly as pinned by tests/crypto_blst/package-lock.json (npm
# ci) into BUILD_DIR/npm/bench_crypto, once, and prints its node_modules directory: the
# blst that bench/crypto/compare-blst.sh and bench/server/bench-server.sh compare with.
# usage: bench/blst-npm.sh BUILD_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$1"
work="$build/npm/bench_crypto"
mkdir -p "$work"
pins="$root/tests/crypto_blst"
if ! cmp -s "$pins/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules" ]; then
  cp "$pins/package.json" "$pins/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
echo "$work/node_modules"
