#!/usr/bin/env bash
# How much of a throttled QuickBooks realm a backfill uses (issue 7: at least 80 %), against the
# local mock in two scenarios, each with the client configured for Intuit's 500 requests a minute
# and 10 at once:
#   rate         the realm admits only REALM_RPM requests a minute (moving window)
#   concurrency  other apps hold 8 of the realm's 10 slots: 2 free, every answer 200 ms late
# Prints, per scenario: invoices in raw and windows not done, admitted requests per minute vs what
# the realm allows, the time taken vs the fastest any client could take under the realm's limits
# (the utilisation figure), the 429 count and the limit decreases. Prints figures; asserts nothing.
# Usage: [BUILD_DIR=...] [BUILD_TYPE=Release] scripts/bench-throttle.sh [INTERVAL_MS] [REALM_RPM]
#   INTERVAL_MS (default 60000, Intuit's minute) is the moving window of the rate scenario;
#   a shorter one (e.g. 15000) scales the realm's and the client's budgets to it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
INTERVAL_MS="${1:-60000}"; REALM_RPM="${2:-100}"
CLIENT_RPM=500; SLOTS=2; LATENCY_MS=200; WORKERS=4
"$ROOT/scripts/install-deps.sh"
source "$ROOT/scripts/lib/build.sh"
source "$ROOT/scripts/lib/postgres.sh"
source "$ROOT/scripts/lib/mock.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-release}"
build_quietly "${BUILD_TYPE:-Release}" tributary tributary-mock-qbo
TRIBUTARY="$BUILD_DIR/cli/tributary"
WORK="$(mktemp -d /tmp/tributary-bench-throttle.XXXXXX)"
MOCK_PID=""
cleanup() {
  if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; fi
  pg_stop
  rm -rf "$WORK"
}
pg_start
trap cleanup EXIT
export QBO_REALM_ID=9130350000000001 QBO_CLIENT_ID=mock-client-id
export QBO_CLIENT_SECRET=mock-client-secret QBO_REFRESH_TOKEN=mock-refresh-token-0

stat_of() { curl -fsS "$MOCK_URL/__admin/stats" | grep -o "\"$1\":[0-9]*" | cut -d: -f2; }

# The shortest time any client could take for N requests: the realm admits RATE per moving
# INTERVAL (a burst at once, then a window later the next), and SLOTS at a time, each answer
# LATENCY late. best_seconds N RATE INTERVAL_MS SLOTS LATENCY_MS
best_seconds() {
  local by_rate=0 by_slots=0
  [ "$2" -gt 0 ] && by_rate=$(( ($1 - 1) / $2 * $3 ))
  [ "$4" -gt 0 ] && by_slots=$(( $1 * $5 / $4 ))
  echo "scale=1; $(( by_rate > by_slots ? by_rate : by_slots )) / 1000" | bc -l
}

# run_scenario NAME REALM_RATE INTERVAL_MS SLOTS LATENCY_MS PAGE_SIZE
run_scenario() {
  local name="$1" rate="$2" interval="$3" slots="$4" latency="$5" page="$6"
  psql "$TRIBUTARY_DB_URL" -qc "DROP SCHEMA IF EXISTS raw CASCADE; DROP SCHEMA IF EXISTS state CASCADE" 2>/dev/null
  start_mock "$WORK/mock-$name.log" "$BUILD_DIR/mock/tributary-mock-qbo" --customers 10 --items 10 \
    --invoices 3000 --data-start 2024-01-01T00:00:00Z --data-end 2024-07-01T00:00:00Z \
    --rpm "$rate" --rate-interval-ms "$interval" --concurrency "$slots" --latency-ms "$latency"
  export QBO_BASE_URL="$MOCK_URL" QBO_TOKEN_URL="$MOCK_URL/oauth2/v1/tokens/bearer"
  # The client as shipped: Intuit's 500 a minute (scaled to the interval) and 10 at once.
  export QBO_RATE_INTERVAL_MS="$interval" QBO_REQUESTS_PER_MINUTE=$(( CLIENT_RPM * interval / 60000 ))
  "$TRIBUTARY" migrate >/dev/null
  local start end code=0
  start=$(date +%s.%N)
  "$TRIBUTARY" backfill --config "$ROOT/config/quickbooks.yaml" --stream invoices --start 2024-01-01 \
    --end 2024-07-01 --page-size "$page" --workers "$WORKERS" >"$WORK/$name.out" 2>"$WORK/$name.err" || code=$?
  end=$(date +%s.%N)
  local queries throttled secs admitted rows failed decreases allowed by_slots per_min best
  queries=$(stat_of query_requests); throttled=$(stat_of throttled)
  admitted=$((queries - throttled)); secs=$(echo "$end - $start" | bc -l)
  rows=$(psql "$TRIBUTARY_DB_URL" -tAc "SELECT count(*) FROM raw.qbo_invoices")
  failed=$(psql "$TRIBUTARY_DB_URL" -tAc "SELECT count(*) FROM state.windows WHERE status <> 'done'")
  decreases=$(grep -c "HTTP 429 blamed on" "$WORK/$name.err" || true)
  allowed=$(( rate * 60000 / interval )); by_slots=$(( slots * 60000 / (latency > 0 ? latency : 1) ))
  [ "$latency" -gt 0 ] && [ "$by_slots" -lt "$allowed" ] && allowed=$by_slots
  per_min=$(echo "$admitted * 60 / $secs" | bc -l)
  best=$(best_seconds "$admitted" "$rate" "$interval" "$slots" "$latency")
  printf '%-12s exit %d, %d/3000 invoices in raw, %d windows not done; %d requests admitted in %.1f s: %.0f/min vs %d/min allowed; the fastest possible client: %.1f s (%.0f %% of it); %d answered 429, %d limit decreases\n' \
    "$name" "$code" "$rows" "$failed" "$admitted" "$secs" "$per_min" "$allowed" "$best" \
    "$(echo "100 * $best / $secs" | bc -l)" "$throttled" "$decreases"
  grep "HTTP 429 blamed on" "$WORK/$name.err" | sed 's/^/    /' | cut -c1-220 || true
  kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; MOCK_PID=""
}

# Page sizes chosen so each scenario makes a few hundred requests: more than one interval.
run_scenario rate "$(( REALM_RPM * INTERVAL_MS / 60000 ))" "$INTERVAL_MS" 10 0 25
# Other apps hold 8 of the 10 slots; the realm still allows Intuit's 500 a minute.
run_scenario concurrency "$CLIENT_RPM" 60000 "$SLOTS" "$LATENCY_MS" 10
