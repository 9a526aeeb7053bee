#!/usr/bin/env bash
# Runs every test: installs dependencies (idempotent), builds, starts a throwaway PostgreSQL,
# runs ctest (unit tests and PostgreSQL integration tests), stops PostgreSQL.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
source "$ROOT/scripts/lib/build.sh"
source "$ROOT/scripts/lib/postgres.sh"
build_tributary "${BUILD_TYPE:-RelWithDebInfo}"
pg_start
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 300 "$@"
