#!/usr/bin/env bash
# Parse throughput of the page readers per simdjson kernel (docs/performance.md, "simdjson"): a
# QuickBooks-like page of invoices read over and over by read_json_page, and an id-sweep page by
# parse_id_page, under the kernel libsimdjson picks for this CPU and under every other kernel the
# CPU can run, fallback last. On an x86-64 CPU with AVX2 it then runs the same bench with the
# readers compiled for simdjson's haswell kernel, to show what -march flags would add.
# Prints figures; asserts nothing.
# Usage: scripts/bench-parse.sh [--invoices N] [--pages N] [--trials N] [--kernel NAME]
# BUILD_DIR (default build-release) and BUILD_TYPE (default Release) choose the build.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib/build.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-release}"
targets=(parse_bench)
if [ "$(uname -m)" = x86_64 ] && grep -qw avx2 /proc/cpuinfo; then
  targets+=(parse_bench_haswell)
fi
build_quietly "${BUILD_TYPE:-Release}" "${targets[@]}"

echo "== page readers as built (the project's flags)"
"$BUILD_DIR/tests/bench/parse_bench" "$@"
if [ "${#targets[@]}" -gt 1 ]; then
  echo
  echo "== page readers compiled for haswell (-mavx2 -mbmi -mpclmul -mlzcnt; not what we ship)"
  "$BUILD_DIR/tests/bench/parse_bench_haswell" "$@"
fi
