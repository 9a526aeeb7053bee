#!/usr/bin/env bash
# The main job end to end, on this machine alone: a throwaway PostgreSQL, the bundled QuickBooks
# mock, a six-month backfill of customers, invoices and items that is killed mid-way (SIGKILL)
# and resumed, then `status`, a check against the source, and an idempotent re-run; then the
# internal QuizOps API through a connector file (config/quizops.yaml): check, streams, backfill.
# Installs what it needs, builds Release, and stops everything it started.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
source "$ROOT/scripts/lib/build.sh"
source "$ROOT/scripts/lib/postgres.sh"
source "$ROOT/scripts/lib/mock.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-release}"
echo "== building (Release) into $BUILD_DIR"
build_quietly Release tributary tributary-mock-qbo tributary-mock-quizops
TRIBUTARY="$BUILD_DIR/cli/tributary"
MOCK="$BUILD_DIR/mock/tributary-mock-qbo"

WORK="$(mktemp -d /tmp/tributary-demo.XXXXXX)"
QBO_PID=""
QUIZOPS_PID=""
cleanup() {
  for pid in $QBO_PID $QUIZOPS_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pg_stop
  rm -rf "$WORK"
}
pg_start
trap cleanup EXIT

echo "== starting the QuickBooks mock (500 customers, 5000 invoices, 200 items over 2024-H1)"
start_mock "$WORK/mock.log" "$MOCK" --customers 500 --invoices 5000 --items 200 \
  --data-start 2024-01-01T00:00:00Z --data-end 2024-07-01T00:00:00Z --rpm 0
QBO_PID=$MOCK_PID
export QBO_BASE_URL="$MOCK_URL"
export QBO_TOKEN_URL="$QBO_BASE_URL/oauth2/v1/tokens/bearer"
export QBO_REALM_ID=9130350000000001 QBO_CLIENT_ID=mock-client-id
export QBO_CLIENT_SECRET=mock-client-secret QBO_REFRESH_TOKEN=mock-refresh-token-0
# Real QBO allows 500 requests a minute per realm; the mock has no such limit, so the demo
# lets the client go faster, and gives every answer 20 ms of latency so there is time to kill it.
export QBO_REQUESTS_PER_MINUTE=6000
curl -fsS -X POST "$QBO_BASE_URL/__admin/fault" -H 'Content-Type: application/json' \
  -d '{"path_prefix":"/v3/","delay_ms":20,"times":1000000}' >/dev/null

psql_q() { psql "$TRIBUTARY_DB_URL" -tAq -c "$1" 2>/dev/null || echo 0; }
CMD=(backfill --config "$ROOT/config/quickbooks.yaml" --start 2024-01-01 --end 2024-07-01 --chunk-days 7)

echo "== tributary ${CMD[*]}   (will be killed with SIGKILL mid-way)"
"$TRIBUTARY" --log-level warn "${CMD[@]}" &
RUN_PID=$!
until [ "$(psql_q "SELECT count(*) FROM state.windows WHERE status = 'done'")" -ge 30 ]; do sleep 0.1; done
kill -9 "$RUN_PID"; wait "$RUN_PID" 2>/dev/null || true
echo "   killed: $(psql_q "SELECT count(*) FILTER (WHERE status = 'done') || ' of ' || count(*) || ' windows done, ' || sum(records_loaded) || ' records committed' FROM state.windows")"

echo "== tributary status"
"$TRIBUTARY" status

echo "== tributary resume --run 1"
"$TRIBUTARY" --log-level warn resume --run 1

echo "== tributary status --run 1 (first and last windows)"
"$TRIBUTARY" status --run 1 | { head -n 5; echo "   ..."; tail -n 3; }

echo "== raw tables against the source (every record, payload compared as JSON)"
for pair in Customer:qbo_customers Invoice:qbo_invoices Item:qbo_items; do
  entity="${pair%%:*}"; table="${pair##*:}"
  curl -fsS "$QBO_BASE_URL/__admin/records/$entity" >"$WORK/$entity.json"
  # One line of JSON, loaded as a single value (CSV mode with quote/delimiter bytes JSON never has).
  PGOPTIONS="-c client_min_messages=warning" psql "$TRIBUTARY_DB_URL" -q -c "CREATE TABLE IF NOT EXISTS demo_source (entity text, doc jsonb)" \
    -c "\\copy demo_source (doc) FROM '$WORK/$entity.json' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')" \
    -c "UPDATE demo_source SET entity = '$entity' WHERE entity IS NULL" >/dev/null
  psql "$TRIBUTARY_DB_URL" -tAq -c "
    SELECT format('   %-9s source %5s   %-18s %5s   differing %s   %s', '$entity', count(e), 'raw.$table',
                  (SELECT count(*) FROM raw.$table),
                  count(*) FILTER (WHERE r.id IS NULL OR r.payload <> e->'payload'),
                  CASE WHEN count(*) FILTER (WHERE r.id IS NULL OR r.payload <> e->'payload') = 0
                        AND count(e) = (SELECT count(*) FROM raw.$table) THEN 'ok' ELSE 'MISMATCH' END)
    FROM demo_source s CROSS JOIN LATERAL jsonb_array_elements(s.doc) e
    LEFT JOIN raw.$table r ON r.id = e->>'Id'
    WHERE s.entity = '$entity'"
done
echo "   duplicates: $(psql_q "SELECT count(*) - count(DISTINCT (account, id)) FROM raw.qbo_invoices")"

echo "== re-running the same backfill: nothing changes"
before="$(psql_q "SELECT md5(string_agg(id || ingested_at_utc, ',' ORDER BY id)) FROM raw.qbo_invoices")"
"$TRIBUTARY" --log-level warn "${CMD[@]}"
after="$(psql_q "SELECT md5(string_agg(id || ingested_at_utc, ',' ORDER BY id)) FROM raw.qbo_invoices")"
[ "$before" = "$after" ] && echo "   raw.qbo_invoices unchanged (same ids, same ingested_at_utc)" || echo "   raw.qbo_invoices CHANGED"

echo "== tributary sync: from each stream's high-water mark (2024-07-01) to now"
"$TRIBUTARY" --log-level warn sync --config "$ROOT/config/quickbooks.yaml"
"$TRIBUTARY" status | sed -n '/HIGH-WATER MARK/,$p'

echo "== deletions: two invoices are deleted in QuickBooks; sync marks them (CDC), never removes them"
curl -fsS -X POST "$QBO_BASE_URL/__admin/delete" -H 'Content-Type: application/json' \
  -d '{"entity":"Invoice","ids":["7","11"]}' >/dev/null
"$TRIBUTARY" --log-level warn sync --config "$ROOT/config/quickbooks.yaml" --stream invoices
psql "$TRIBUTARY_DB_URL" -tAq -c "SELECT format('   raw.qbo_invoices: %s rows, deleted: %s', count(*),
  string_agg(id || ' at ' || to_char(deleted_at_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ', ' ORDER BY id::int)
  FILTER (WHERE deleted_at_utc IS NOT NULL)) FROM raw.qbo_invoices"

echo "== QuizOps: a connector file, no C++ (config/quizops.yaml)"
start_mock "$WORK/quizops.log" "$BUILD_DIR/mock/tributary-mock-quizops" --quizzes 20 --attempts 2000 --answers 10000 \
  --data-start 2024-01-01T00:00:00Z --data-end 2024-04-01T00:00:00Z
QUIZOPS_PID=$MOCK_PID
export QUIZOPS_BASE_URL="$MOCK_URL" QUIZOPS_TOKEN=quizops-dev-token
echo "-- tributary streams --config config/quizops.yaml"
"$TRIBUTARY" streams --config "$ROOT/config/quizops.yaml"
echo "-- tributary check --config config/quizops.yaml --connect --start 2024-03-25 --end 2024-04-01"
"$TRIBUTARY" check --config "$ROOT/config/quizops.yaml" --connect --start 2024-03-25 --end 2024-04-01
echo "-- tributary backfill --config config/quizops.yaml --start 2024-01-01 --end 2024-04-01"
"$TRIBUTARY" --log-level warn backfill --config "$ROOT/config/quizops.yaml" --start 2024-01-01 --end 2024-04-01
for kind in quizzes attempts answers; do
  source_count="$(curl -fsS "$MOCK_URL/__admin/records/$kind" | grep -o '"updated_at"' | wc -l)"
  printf '   %-9s source %5s   raw.quizops_%-9s %5s\n' "$kind" "$source_count" "$kind" \
    "$(psql_q "SELECT count(*) FROM raw.quizops_$kind")"
done
echo "== done"
