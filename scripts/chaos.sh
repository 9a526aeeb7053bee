#!/usr/bin/env bash
# The crash and fault campaign (docs/reliability.md, "Crash and fault campaign"):
#   scripts/chaos.sh ROUNDS [SEED] [FIRST_ROUND]
# Each round backfills the QuickBooks mock (config/quickbooks.yaml) and a generic REST mock
# (an offset-paged stream proven by the verification sweep, and an anchored one) with faults
# on, SIGKILLs tributary at random instants, every third round crashes PostgreSQL (immediate
# shutdown) under it, resumes until both runs are done, then checks raw and state against the
# mocks' records. Prints the figures; exits 1 on any mismatch or failure.
# SEED (default: random, printed) fixes every round's choices; round K of a campaign is
# replayed alone with `scripts/chaos.sh 1 SEED K`. A failing round's logs are kept and named.
# Installs what it needs, builds into $BUILD_DIR (default build/), and runs its own throwaway
# PostgreSQL (it restarts it, so never a shared one).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/chaos.sh ROUNDS [SEED] [FIRST_ROUND]" >&2
  exit 2
fi
ROUNDS="$1"
SEED="${2:-$(( (RANDOM << 30) ^ (RANDOM << 15) ^ RANDOM ))}"
FIRST="${3:-1}"
"$ROOT/scripts/install-deps.sh"
source "$ROOT/scripts/lib/build.sh"
source "$ROOT/scripts/lib/postgres.sh"
build_quietly "${BUILD_TYPE:-RelWithDebInfo}" tributary tributary-chaos

WORK="$(mktemp -d /tmp/tributary-chaos.XXXXXX)"
pg_start
status=0
"$BUILD_DIR/tests/chaos/tributary-chaos" --rounds "$ROUNDS" --seed "$SEED" --first-round "$FIRST" \
  --tributary "$BUILD_DIR/cli/tributary" --qbo-config "$ROOT/config/quickbooks.yaml" --work-dir "$WORK" \
  --db-url "$TRIBUTARY_DB_URL" --pg-bin "$PG_BIN" --pg-dir "$PG_DIR" || status=$?
if [ "$status" -eq 0 ]; then rm -rf "$WORK"; else echo "chaos: logs kept in $WORK" >&2; fi
exit "$status"
