#!/usr/bin/env bash
# Our BLS against blst on the same operations, interleaved in one run (docs/benchmarks.md).
# usage: bench/crypto/compare-blst.sh [BUILD_DIR] [compare-blst.mjs options...]
#   BUILD_DIR defaults to ./build; options: --backend adx|portable|both, --rounds N,
#   --ms N, --markdown.
# Builds bench_bls in BUILD_DIR, installs @chainsafe/blst exactly as pinned by
# tests/crypto_blst/package-lock.json (npm ci, cached in BUILD_DIR/npm/bench_crypto),
# then runs compare-blst.mjs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
[ $# -gt 0 ] && shift
cmake --build "$build" --target bench_bls >/dev/null
work="$build/npm/bench_crypto"
mkdir -p "$work"
pins="$root/tests/crypto_blst"
if ! cmp -s "$pins/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules" ]; then
  cp "$pins/package.json" "$pins/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cpus), $(date -u '+%Y-%m-%d %H:%M UTC')"
NODE_PATH="$work/node_modules" exec node "$here/compare-blst.mjs" "$build/bench/bench_bls" "$@"
