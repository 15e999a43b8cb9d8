#!/usr/bin/env bash
# bench_server with blst's raw sign rate measured in the same run (docs/benchmarks.md).
# usage: bench/server/bench-server.sh [BUILD_DIR] [bench_server options...]
# Builds bench_server in BUILD_DIR (default ./build), installs @chainsafe/blst exactly as
# pinned by tests/crypto_blst/package-lock.json (npm ci, cached in
# BUILD_DIR/npm/bench_crypto, shared with bench/crypto/compare-blst.sh), then runs
# bench_server --blst with it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
[ $# -gt 0 ] && shift
cmake --build "$build" --target bench_server >/dev/null
work="$build/npm/bench_crypto"
mkdir -p "$work"
pins="$root/tests/crypto_blst"
if ! cmp -s "$pins/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules" ]; then
  cp "$pins/package.json" "$pins/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cpus), $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$build/bench/bench_server" --blst "$work/node_modules" "$@"
