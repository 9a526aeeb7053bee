#!/usr/bin/env bash
# How claiming windows scales with workers, PostgreSQL only (docs/performance.md, "Many
# workers"): a throwaway PostgreSQL with fsync on, a run of N windows per worker count, each
# worker a thread on its own connection that claims a window, commits one checkpoint and
# finishes it, with the lease heartbeat running. Prints windows a second; asserts nothing.
# Usage: scripts/bench-claims.sh [WINDOWS [WORKERS...]]   (default: 5000 windows; 1 2 4 8 16 32 64)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib/build.sh"
source "$ROOT/scripts/lib/postgres.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-release}"
WINDOWS="${1:-5000}"
shift || true
WORKERS=("$@")
[ ${#WORKERS[@]} -gt 0 ] || WORKERS=(1 2 4 8 16 32 64)
build_quietly "${BUILD_TYPE:-Release}" claim_bench
TRIB_PG_FSYNC=on pg_start
trap pg_stop EXIT
echo "machine: $(nproc) CPUs, PostgreSQL fsync on; $WINDOWS windows per worker count"
"$BUILD_DIR/tests/bench/claim_bench" "$WINDOWS" "${WORKERS[@]}"
