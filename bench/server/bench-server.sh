#!/usr/bin/env bash
# bench_server with blst's raw sign rate measured in the same run (docs/benchmarks.md).
# usage: bench/server/bench-server.sh [BUILD_DIR] [bench_server options...]
# Builds bench_server in BUILD_DIR (default ./build), installs @chainsafe/blst as pinned
# (bench/blst-npm.sh, shared with bench/crypto/compare-blst.sh), then runs
# bench_server --blst with it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
[ $# -gt 0 ] && shift
cmake --build "$build" --target bench_server >/dev/null
modules="$("$root/bench/blst-npm.sh" "$build")"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cpus), $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$build/bench/bench_server" --blst "$modules" "$@"
