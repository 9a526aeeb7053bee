#!/usr/bin/env bash
# Throughput and memory of a QuickBooks backfill against the local mock, next to a plain
# `\copy` of the same payloads into a jsonb table (what PostgreSQL itself can ingest here).
# Prints figures; asserts nothing. Usage: scripts/bench.sh [INVOICES] [PAGE_SIZE] [WORKERS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
INVOICES="${1:-50000}"; PAGE_SIZE="${2:-1000}"; WORKERS="${3:-4}"
"$ROOT/scripts/install-deps.sh"
source "$ROOT/scripts/lib/build.sh"
source "$ROOT/scripts/lib/postgres.sh"
source "$ROOT/scripts/lib/mock.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-release}"
build_quietly Release tributary tributary-mock-qbo
WORK="$(mktemp -d /tmp/tributary-bench.XXXXXX)"
MOCK_PID=""
cleanup() {
  if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; fi
  pg_stop
  rm -rf "$WORK"
}
TRIB_PG_FSYNC=on pg_start
trap cleanup EXIT

start_mock "$WORK/mock.log" "$BUILD_DIR/mock/tributary-mock-qbo" --customers 200 --items 50 \
  --invoices "$INVOICES" --data-start 2024-01-01T00:00:00Z --data-end 2024-07-01T00:00:00Z \
  --rpm 0 --concurrency 0
export QBO_BASE_URL="$MOCK_URL" QBO_REALM_ID=9130350000000001
export QBO_TOKEN_URL="$QBO_BASE_URL/oauth2/v1/tokens/bearer" QBO_CLIENT_ID=mock-client-id
export QBO_CLIENT_SECRET=mock-client-secret QBO_REFRESH_TOKEN=mock-refresh-token-0
export QBO_REQUESTS_PER_MINUTE=0   # measure the pipeline, not Intuit's 500/min

"$BUILD_DIR/cli/tributary" migrate >/dev/null
start=$(date +%s.%N)
"$BUILD_DIR/cli/tributary" --log-level warn backfill --config "$ROOT/config/quickbooks.yaml" --stream invoices \
  --start 2024-01-01 --end 2024-07-01 --page-size "$PAGE_SIZE" --workers "$WORKERS" >"$WORK/run.out" &
PID=$!
peak=0
while kill -0 "$PID" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status" 2>/dev/null || echo 0)
  [ "${rss:-0}" -gt "$peak" ] && peak=$rss
  sleep 0.05
done
wait "$PID"
end=$(date +%s.%N)
rows=$(psql "$TRIBUTARY_DB_URL" -tAc "SELECT count(*) FROM raw.qbo_invoices")
bytes=$(psql "$TRIBUTARY_DB_URL" -tAc "SELECT sum(octet_length(payload::text)) FROM raw.qbo_invoices")
secs=$(echo "$end - $start" | bc -l)
printf 'tributary backfill: %d invoices (%d bytes of JSON), page %d, %d workers: %.2f s, %.0f rows/s, peak RSS %d MiB\n' \
  "$rows" "$bytes" "$PAGE_SIZE" "$WORKERS" "$secs" "$(echo "$rows / $secs" | bc -l)" "$((peak / 1024))"

# The same backfill again over unchanged data: the run is done, so it extracts again; every
# record's text matches raw's payload_md5, so nothing is rewritten (or converted to jsonb).
first_secs=$secs
before="$(psql "$TRIBUTARY_DB_URL" -tAc "SELECT max(ingested_at_utc) FROM raw.qbo_invoices")"
start=$(date +%s.%N)
"$BUILD_DIR/cli/tributary" --log-level warn backfill --config "$ROOT/config/quickbooks.yaml" --stream invoices \
  --start 2024-01-01 --end 2024-07-01 --page-size "$PAGE_SIZE" --workers "$WORKERS" >"$WORK/rerun.out"
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc -l)
rewritten=$(psql "$TRIBUTARY_DB_URL" -tAc "SELECT count(*) FROM raw.qbo_invoices WHERE ingested_at_utc > '$before'")
printf 're-run over unchanged data: %.2f s (%.2f of the first run), %d rows rewritten; %s\n' \
  "$secs" "$(echo "$secs / $first_secs" | bc -l)" "$rewritten" "$(cat "$WORK/rerun.out")"

psql "$TRIBUTARY_DB_URL" -qc "\\copy (SELECT payload::text FROM raw.qbo_invoices) TO '$WORK/payloads.txt'"
psql "$TRIBUTARY_DB_URL" -qc "CREATE TABLE bench_copy (payload jsonb)"
start=$(date +%s.%N)
psql "$TRIBUTARY_DB_URL" -qc "\\copy bench_copy FROM '$WORK/payloads.txt'"
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc -l)
printf 'plain \\copy of the same payloads into jsonb: %.2f s, %.0f rows/s\n' "$secs" "$(echo "$rows / $secs" | bc -l)"
