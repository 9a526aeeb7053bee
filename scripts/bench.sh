#!/usr/bin/env bash
# Throughput (issue 9): a QuickBooks invoice backfill of RECORDS records from the local mock into
# a throwaway PostgreSQL with fsync on, next to what bounds it and what teams write by hand:
#   api        the mock alone serving the same pages (4 clients): shows it is not the bottleneck
#   copy       one \copy of the rows tributary loaded into an identical table
#   backfill   tributary at default settings, then with --workers 1: rows/s, MB/s, peak RSS
#   python     the seed-style loader (scripts/bench/seed_loader.py): a row-by-row upsert
#   rerun      the same backfill again over unchanged data, then after 1% of invoices changed
#   rate       against a realm limited like Intuit's (500/min, 10 in flight, 1 s answers)
# Prints figures side by side and writes them to bench/results/latest.json; asserts nothing.
# Usage: [BUILD_DIR=...] scripts/bench.sh [--records N] [--skip-python] [--skip-rate]
#                                         [--rate-records N] [--rate-page-size N] [--rate-workers N]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RECORDS=1000000; PAGE_SIZE=1000; SKIP_PYTHON=0; SKIP_RATE=0
# About 800 requests (pages and the id sweep): two minutes at the account's 500 a minute, which
# the default settings reach by adding workers while answers take a second. --rate-workers N
# pins the worker count instead (4: what a fixed pool of four leaves unused).
RATE_RECORDS=20000; RATE_PAGE_SIZE=50; RATE_WORKERS=default
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --records) RECORDS="$2"; shift 2 ;;
    --rate-records) RATE_RECORDS="$2"; shift 2 ;;
    --rate-page-size) RATE_PAGE_SIZE="$2"; shift 2 ;;
    --rate-workers) RATE_WORKERS="$2"; shift 2 ;;
    --skip-python) SKIP_PYTHON=1; shift ;;
    --skip-rate) SKIP_RATE=1; shift ;;
    *) usage ;;
  esac
done

"$ROOT/scripts/install-deps.sh" --bench
source "$ROOT/scripts/lib/build.sh"
source "$ROOT/scripts/lib/postgres.sh"
source "$ROOT/scripts/lib/mock.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-release}"
build_quietly Release tributary tributary-mock-qbo
TRIBUTARY="$BUILD_DIR/cli/tributary"
PYTHON=/usr/bin/python3   # Debian's, where python3-requests and python3-psycopg2 are installed
MOCK_BIN="$BUILD_DIR/mock/tributary-mock-qbo"
WORK="$(mktemp -d /tmp/tributary-bench.XXXXXX)"
source "$ROOT/scripts/bench/lib.sh"
MOCK_PID=""
stop_mock() {
  if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; fi
  MOCK_PID=""
}
cleanup() {
  stop_mock
  pg_stop
  rm -rf "$WORK"
}
TRIB_PG_FSYNC=on pg_start
trap cleanup EXIT
trap 'exit 130' INT TERM   # an interrupted run still stops the mock and PostgreSQL

# Data from 180 days ago to yesterday; the backfill runs to tomorrow, so a touched record (moved
# to now) is inside its range.
TODAY=$(date -u +%F)
START=$(date -u -d "$TODAY -180 days" +%F); DATA_END=$(date -u -d "$TODAY -1 day" +%F)
END=$(date -u -d "$TODAY +1 day" +%F)
export QBO_REALM_ID=9130350000000001 QBO_CLIENT_ID=mock-client-id
export QBO_CLIENT_SECRET=mock-client-secret QBO_REFRESH_TOKEN=mock-refresh-token-0
# Against the unlimited mock the client's own 500-a-minute budget is lifted (it would be the
# whole figure); everything else is config/quickbooks.yaml as shipped (10 in flight, verification).
export QBO_REQUESTS_PER_MINUTE=0
# start_qbo_mock INVOICES MOCK-FLAGS...: --no-rotate, so the Python clients and tributary can
# each refresh with the same token.
start_qbo_mock() {
  local invoices="$1"; shift
  local began
  began=$(now)
  start_mock "$WORK/mock.log" "$MOCK_BIN" --customers 200 --items 50 --invoices "$invoices" \
    --data-start "${START}T00:00:00Z" --data-end "${DATA_END}T00:00:00Z" --no-rotate "$@"
  export QBO_BASE_URL="$MOCK_URL" QBO_TOKEN_URL="$MOCK_URL/oauth2/v1/tokens/bearer"
  MOCK_START_SECS=$(calc "$(now) - $began" 1)
}

: >"$WORK/results.tsv"
machine_info
result run.date_utc "$(date -u +%FT%TZ)"; result run.records "$RECORDS"; result run.page_size "$PAGE_SIZE"
result run.range "$START..$END"; result run.commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "data: $RECORDS invoices, LastUpdatedTime $START..$DATA_END; backfill $START..$END (7-day windows), page size $PAGE_SIZE"

start_qbo_mock "$RECORDS" --rpm 0 --concurrency 0
echo "mock: generated $RECORDS invoices in $MOCK_START_SECS s (no rate or concurrency limit)"
result mock.generate_seconds "$MOCK_START_SECS"
"$TRIBUTARY" --log-level warn migrate >/dev/null

# 1. The API alone: the same pages, 4 at once, no database.
began_cpu=$(cpu_seconds "$MOCK_PID")
"$PYTHON" "$ROOT/scripts/bench/api_client.py" "$QBO_BASE_URL" "$QBO_REALM_ID" "$QBO_TOKEN_URL" "$START" "$END" \
  "$PAGE_SIZE" 4 >"$WORK/api.json"
read -r API_ROWS API_BYTES API_REQUESTS API_SECS < <("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["rows"], d["bytes"], d["requests"], d["seconds"])' "$WORK/api.json")
API_SECS=$(calc "$API_SECS" 3); API_RATE=$(calc "$API_ROWS / $API_SECS" 0)
API_MB=$(calc "$API_BYTES / 1048576" 1)
printf 'api alone:            %d rows (%s MiB) in %d requests, %s s: %s rows/s, %s MiB/s (mock CPU %s s)\n' \
  "$API_ROWS" "$API_MB" "$API_REQUESTS" "$API_SECS" "$API_RATE" "$(calc "$API_MB / $API_SECS" 1)" \
  "$(calc "$(cpu_seconds "$MOCK_PID") - $began_cpu")"
result api.rows "$API_ROWS"; result api.mib "$API_MB"; result api.requests "$API_REQUESTS"
result api.seconds "$API_SECS"; result api.rows_per_s "$API_RATE"

# 3a. tributary at default settings.
queries_before=$(mock_stat "$MOCK_URL" query_requests)
run_backfill default --page-size "$PAGE_SIZE"
ROWS=$(sql "SELECT count(*) FROM raw.qbo_invoices")
FIRST_SECS=$RUN_SECS; FIRST_RATE=$(calc "$ROWS / $RUN_SECS" 0)
TRIB_REQUESTS=$(( $(mock_stat "$MOCK_URL" query_requests) - queries_before ))
printf 'tributary (default):  %d rows in %s s: %s rows/s, %s MiB/s of JSON, peak RSS %d MiB, %d requests (CPU: tributary %s s, mock %s s); %s\n' \
  "$ROWS" "$RUN_SECS" "$FIRST_RATE" "$(calc "$API_MB / $RUN_SECS" 1)" "$((RUN_RSS_KB / 1024))" "$TRIB_REQUESTS" \
  "$RUN_CPU" "$RUN_MOCK_CPU" "$(cat "$WORK/default.out")"
result backfill_default.rows "$ROWS"; result backfill_default.seconds "$RUN_SECS"
result backfill_default.rows_per_s "$FIRST_RATE"; result backfill_default.mib_per_s "$(calc "$API_MB / $RUN_SECS" 1)"
result backfill_default.peak_rss_mib "$((RUN_RSS_KB / 1024))"; result backfill_default.requests "$TRIB_REQUESTS"
result backfill_default.mock_cpu_seconds "$RUN_MOCK_CPU"; result backfill_default.cpu_seconds "$RUN_CPU"
result backfill_default.exit "$RUN_CODE"

# 2. One \copy of exactly those rows (every column) into a table like raw's.
psql "$TRIBUTARY_DB_URL" -qX -c "\\copy raw.qbo_invoices TO '$WORK/rows.copy'"
sql "CREATE TABLE public.bench_copy (LIKE raw.qbo_invoices INCLUDING ALL)"
settle_database
began=$(now)
psql "$TRIBUTARY_DB_URL" -qX -v ON_ERROR_STOP=1 -c "\\copy public.bench_copy FROM '$WORK/rows.copy'"
COPY_SECS=$(calc "$(now) - $began" 3); COPY_RATE=$(calc "$ROWS / $COPY_SECS" 0)
printf '\\copy:                %d rows (%s MiB file) in %s s: %s rows/s; tributary (default) at %s of it\n' \
  "$(sql "SELECT count(*) FROM public.bench_copy")" "$(calc "$(stat -c %s "$WORK/rows.copy") / 1048576" 1)" \
  "$COPY_SECS" "$COPY_RATE" "$(calc "$FIRST_RATE / $COPY_RATE")"
sql "DROP TABLE public.bench_copy"; rm -f "$WORK/rows.copy"
result copy.seconds "$COPY_SECS"; result copy.rows_per_s "$COPY_RATE"
result backfill_default.ratio_to_copy "$(calc "$FIRST_RATE / $COPY_RATE" 3)"

# 5. The same backfill again over unchanged data (a done run is extracted again).
rerun() {
  local name="$1" label="$2" before rewritten
  before=$(last_ingested)
  run_backfill "$name" --page-size "$PAGE_SIZE"
  rewritten=$(rows_ingested_after "$before")
  printf '%-21s %s s (%s of the first run), %d rows rewritten (tributary: %s changed)\n' \
    "$label" "$RUN_SECS" "$(calc "$RUN_SECS / $FIRST_SECS")" "$rewritten" "${RUN_CHANGED:-?}"
  result "$name.seconds" "$RUN_SECS"; result "$name.ratio_to_first" "$(calc "$RUN_SECS / $FIRST_SECS" 3)"
  result "$name.rows_rewritten" "$rewritten"; result "$name.exit" "$RUN_CODE"
}
rerun rerun_unchanged "re-run, unchanged:"

# 6. 1% of the invoices change (every 100th Id): their LastUpdatedTime moves to now.
TOUCHED=$(( RECORDS / 100 ))
"$PYTHON" -c 'import json,sys; n=int(sys.argv[1]); print(json.dumps({"entity":"Invoice","ids":[str(i) for i in range(1, 100*n, 100)]}))' \
  "$TOUCHED" >"$WORK/touch.json"
curl -fsS -X POST -H 'Content-Type: application/json' --data-binary "@$WORK/touch.json" "$MOCK_URL/__admin/touch" >/dev/null
result rerun_1pct.touched "$TOUCHED"
rerun rerun_1pct "re-run, 1% changed:"
echo "                      ($TOUCHED invoices touched)"

# 3b. tributary with one worker, into an empty warehouse.
reset_warehouse
run_backfill workers1 --page-size "$PAGE_SIZE" --workers 1
W1_RATE=$(calc "$ROWS / $RUN_SECS" 0)
printf 'tributary (1 worker): %d rows in %s s: %s rows/s, %s MiB/s of JSON, peak RSS %d MiB, %s of \\copy (CPU: tributary %s s, mock %s s)\n' \
  "$(sql "SELECT count(*) FROM raw.qbo_invoices")" "$RUN_SECS" "$W1_RATE" "$(calc "$API_MB / $RUN_SECS" 1)" \
  "$((RUN_RSS_KB / 1024))" "$(calc "$W1_RATE / $COPY_RATE")" "$RUN_CPU" "$RUN_MOCK_CPU"
result backfill_workers1.seconds "$RUN_SECS"; result backfill_workers1.rows_per_s "$W1_RATE"
result backfill_workers1.mib_per_s "$(calc "$API_MB / $RUN_SECS" 1)"; result backfill_workers1.peak_rss_mib "$((RUN_RSS_KB / 1024))"
result backfill_workers1.ratio_to_copy "$(calc "$W1_RATE / $COPY_RATE" 3)"; result backfill_workers1.cpu_seconds "$RUN_CPU"
result backfill_workers1.exit "$RUN_CODE"

# 4. The seed-style Python loader, into its own table.
if [ "$SKIP_PYTHON" -eq 0 ]; then
  settle_database
  "$PYTHON" "$ROOT/scripts/bench/seed_loader.py" "$QBO_BASE_URL" "$QBO_REALM_ID" "$QBO_TOKEN_URL" "$START" "$END" \
    "$PAGE_SIZE" "$TRIBUTARY_DB_URL" public.seed_invoices >"$WORK/python.json"
  read -r PY_ROWS PY_SECS < <("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["rows"], d["seconds"])' "$WORK/python.json")
  PY_SECS=$(calc "$PY_SECS" 3); PY_RATE=$(calc "$PY_ROWS / $PY_SECS" 0)
  printf 'python seed loader:   %d rows in %s s: %s rows/s; tributary (default) is %sx faster, 1 worker %sx\n' \
    "$PY_ROWS" "$PY_SECS" "$PY_RATE" "$(calc "$FIRST_RATE / $PY_RATE" 1)" "$(calc "$W1_RATE / $PY_RATE" 1)"
  result python.rows "$PY_ROWS"; result python.seconds "$PY_SECS"; result python.rows_per_s "$PY_RATE"
  result python.tributary_default_ratio "$(calc "$FIRST_RATE / $PY_RATE" 2)"
  result python.tributary_workers1_ratio "$(calc "$W1_RATE / $PY_RATE" 2)"
fi

# 7. A realm limited like Intuit's, tributary as shipped (500 a minute, 10 in flight).
if [ "$SKIP_RATE" -eq 0 ]; then
  stop_mock
  reset_warehouse
  start_qbo_mock "$RATE_RECORDS" --rpm 500 --concurrency 10 --latency-ms 1000
  unset QBO_REQUESTS_PER_MINUTE QBO_RATE_INTERVAL_MS   # the shipped config's 500 a minute
  rate_args=(--page-size "$RATE_PAGE_SIZE")
  [ "$RATE_WORKERS" = default ] || rate_args+=(--workers "$RATE_WORKERS")
  run_backfill rate "${rate_args[@]}"
  queries=$(mock_stat "$MOCK_URL" query_requests); throttled=$(mock_stat "$MOCK_URL" throttled)
  in_flight=$(mock_stat "$MOCK_URL" max_concurrent_seen); admitted=$((queries - throttled))
  per_min=$(calc "$admitted * 60 / $RUN_SECS" 0)
  printf 'rate budget:          %d invoices, page size %d, %s workers: %d requests admitted in %s s = %s/min (of 500), %d answered 429, at most %d in flight (of 10); %d rows, %s rows/s\n' \
    "$RATE_RECORDS" "$RATE_PAGE_SIZE" "$RATE_WORKERS" "$admitted" "$RUN_SECS" "$per_min" "$throttled" "$in_flight" \
    "$(sql "SELECT count(*) FROM raw.qbo_invoices")" "$(calc "$RATE_RECORDS / $RUN_SECS" 0)"
  result rate.records "$RATE_RECORDS"; result rate.page_size "$RATE_PAGE_SIZE"; result rate.workers "$RATE_WORKERS"
  result rate.seconds "$RUN_SECS"
  result rate.rows_per_s "$(calc "$RATE_RECORDS / $RUN_SECS" 0)"
  result rate.requests_admitted "$admitted"; result rate.admitted_per_minute "$per_min"
  result rate.throttled_429 "$throttled"; result rate.max_in_flight "$in_flight"; result rate.exit "$RUN_CODE"
fi

mkdir -p "$ROOT/bench/results"
write_results_json "$ROOT/bench/results/latest.json"
print_summary "$ROOT/bench/results/latest.json"
echo "figures written to bench/results/latest.json"
