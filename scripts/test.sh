#!/usr/bin/env bash
# Runs every test: installs dependencies (idempotent), builds, starts a throwaway PostgreSQL,
# runs ctest (unit tests and PostgreSQL integration tests), stops PostgreSQL.
#   scripts/test.sh [--sanitize] [CTEST ARGS...]
# --sanitize builds into build-sanitize/ with AddressSanitizer and UndefinedBehaviorSanitizer
# (leaks included) and fails any test whose process, or a child it starts, reports anything.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
sanitize=0
ctest_args=()
for arg in "$@"; do
  if [ "$arg" = "--sanitize" ]; then sanitize=1; else ctest_args+=("$arg"); fi
done
"$ROOT/scripts/install-deps.sh"
source "$ROOT/scripts/lib/build.sh"
source "$ROOT/scripts/lib/postgres.sh"
if [ "$sanitize" -eq 1 ]; then
  BUILD_DIR="${BUILD_DIR:-$ROOT/build-sanitize}"
  CMAKE_EXTRA_ARGS=(-DTRIBUTARY_SANITIZE=ON)
  # halt_on_error/exitcode: a report ends the process with a failure; child processes (the CLI,
  # the mocks) inherit these, so tests that check exit codes see it too.
  export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:exitcode=66:detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1:check_initialization_order=1"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=67:suppressions=$ROOT/tests/sanitizer/ubsan.supp"
  export LSAN_OPTIONS="exitcode=68:suppressions=$ROOT/tests/sanitizer/lsan.supp:print_suppressions=0"
fi
build_tributary "${BUILD_TYPE:-RelWithDebInfo}"
pg_start
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 300 ${ctest_args[@]+"${ctest_args[@]}"}
# Then a short crash and fault campaign (scripts/chaos.sh; its own PostgreSQL, under a minute):
# not with --sanitize (every process several times slower) nor when ctest arguments pick tests.
# A fixed seed, so every run draws the same plans (where kills land still varies); campaigns
# with fresh seeds are run by hand: scripts/chaos.sh 50.
if [ "$sanitize" -eq 0 ] && [ ${#ctest_args[@]} -eq 0 ]; then
  BUILD_DIR="$BUILD_DIR" "$ROOT/scripts/chaos.sh" 4 20261202
fi
