#!/usr/bin/env bash
# Our BLS against blst on the same operations, interleaved in one run (docs/benchmarks.md).
# usage: bench/crypto/compare-blst.sh [BUILD_DIR] [compare-blst.mjs options...]
#   BUILD_DIR defaults to ./build; options: --backend adx|portable|both, --rounds N,
#   --ms N, --markdown.
# Builds bench_bls in BUILD_DIR, installs @chainsafe/blst exactly as pinned by
# tests/crypto_blst/package-lock.json (bench/blst-npm.sh: npm ci, cached in
# BUILD_DIR/npm/bench_crypto), then runs compare-blst.mjs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
[ $# -gt 0 ] && shift
cmake --build "$build" --target bench_bls >/dev/null
modules="$("$root/bench/blst-npm.sh" "$build")"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cpus), $(date -u '+%Y-%m-%d %H:%M UTC')"
NODE_PATH="$modules" exec node "$here/compare-blst.mjs" "$build/bench/bench_bls" "$@"
