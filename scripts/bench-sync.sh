#!/usr/bin/env bash
# What a scheduled sync costs in requests (issue 8: a sparse range must not cost a request per
# empty default-size window). Against the generic REST mock holding RECORDS records in January
# 2024 and nothing since, with a stream that cannot count (offset paging, no `volume`):
#   backfill   a weekly-chunked backfill from 2024-01-01 to now, for comparison
#   first      the stream's first sync from 2024-01-01 to now (about three years, mostly empty)
#   again      the next sync, right after (one lookback of one hour)
#   quiet      a sync after its mark is moved back 30 days (a month of no activity)
# Prints, per case: requests, windows, and seconds. Prints figures; asserts nothing.
# Usage: [BUILD_DIR=...] scripts/bench-sync.sh [RECORDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RECORDS="${1:-2000}"
"$ROOT/scripts/install-deps.sh"
source "$ROOT/scripts/lib/build.sh"
source "$ROOT/scripts/lib/postgres.sh"
source "$ROOT/scripts/lib/mock.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-release}"
build_quietly "${BUILD_TYPE:-Release}" tributary tributary-mock-rest
TRIBUTARY="$BUILD_DIR/cli/tributary"
WORK="$(mktemp -d /tmp/tributary-bench-sync.XXXXXX)"
MOCK_PID=""
cleanup() {
  if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; fi
  pg_stop
  rm -rf "$WORK"
}
pg_start
trap cleanup EXIT
start_mock "$WORK/mock.log" "$BUILD_DIR/mock/tributary-mock-rest" --records "$RECORDS" \
  --data-start 2024-01-01 --data-end 2024-02-01 --max-limit 100
export REST_BASE_URL="$MOCK_URL"
cat >"$WORK/bench.yaml" <<'EOF'
kind: rest
name: bench
account: bench
base_url: ${REST_BASE_URL}
defaults: {chunk_days: 7, page_size: 100}
streams:
  items:
    path: /items
    params: {updated_since: "{window_start}", updated_before: "{window_end}"}
    records: /items
    primary_key: /id
    cursor: {field: /updated_at, format: iso8601}
    paginator: {kind: offset, total: /total}
    table: raw.bench_items
EOF

requests() { curl -fsS "$MOCK_URL/__admin/stats" | grep -o '"requests":[0-9]*' | cut -d: -f2; }
psql_value() { "$PG_BIN/psql" -qAt "$TRIBUTARY_DB_URL" -c "$1"; }

# measure NAME COMMAND...: requests, windows of the newest run, seconds
measure() {
  local name="$1"; shift
  local before after started code=0
  before="$(requests)"; started="$(date +%s%N)"
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || code=$?
  after="$(requests)"
  local windows
  windows="$(psql_value "SELECT count(*) FROM state.windows WHERE run_id = (SELECT max(run_id) FROM state.runs)")"
  printf '%-9s exit %-3s %6s requests %6s windows %8.1f s   %s\n' "$name" "$code" "$((after - before))" \
    "$windows" "$(awk -v a="$started" -v b="$(date +%s%N)" 'BEGIN { print (b - a) / 1e9 }')" \
    "$(tail -1 "$WORK/$name.out")"
}

NOW="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
measure backfill "$TRIBUTARY" backfill --config "$WORK/bench.yaml" --start 2024-01-01 --end "$NOW"
psql_value "DELETE FROM state.runs" >/dev/null
measure first "$TRIBUTARY" sync --config "$WORK/bench.yaml" --start 2024-01-01
measure again "$TRIBUTARY" sync --config "$WORK/bench.yaml" --lag 0s
# A month of no activity since the last sync: state says everything up to 30 days ago is done.
psql_value "DELETE FROM state.runs;
  WITH run AS (INSERT INTO state.runs (connector, account, streams, mode, requested_start_utc, requested_end_utc,
                 chunk, page_size, status)
               VALUES ('bench', 'bench', '{items}', 'sync', '2024-01-01', now() - interval '30 days', '7 days', 0, 'done')
               RETURNING run_id)
  INSERT INTO state.windows (run_id, stream, window_start_utc, window_end_utc, status)
  SELECT run_id, 'items', '2024-01-01', now() - interval '30 days', 'done' FROM run" >/dev/null
measure quiet "$TRIBUTARY" sync --config "$WORK/bench.yaml"
