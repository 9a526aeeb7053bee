# Helpers of scripts/bench.sh (sourced; expects ROOT, WORK, TRIBUTARY, TRIBUTARY_DB_URL).

# Every figure goes to $WORK/results.tsv as KEY<TAB>VALUE (dotted keys nest in the JSON).
result() { printf '%s\t%s\n' "$1" "$2" >>"$WORK/results.tsv"; }

now() { date +%s.%N; }
# calc EXPR [DECIMALS]: bc, rounded for printing and the JSON (scale 6 while computing).
calc() { printf "%.${2:-2}f" "$(echo "scale=6; $1" | bc -l)"; }
sql() { psql "$TRIBUTARY_DB_URL" -qtAX -v ON_ERROR_STOP=1 -c "$1"; }

# CPU seconds (user + system) a process has used so far: how busy the mock was during a phase.
cpu_seconds() {
  local ticks
  ticks=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0)
  calc "$ticks / $(getconf CLK_TCK)"
}

mock_stat() { curl -fsS "$1/__admin/stats" | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }

# Before each timed phase: what earlier phases left dirty in PostgreSQL's buffers is written out
# now, not by the phase that happens to come next (one checkpoint, triggered by the WAL earlier
# phases wrote, would otherwise land in whichever phase is running).
settle_database() { sql "CHECKPOINT" >/dev/null; }

# Empties the warehouse as a new installation has it: raw and state gone, migrations applied.
reset_warehouse() {
  sql "DROP SCHEMA IF EXISTS raw CASCADE; DROP SCHEMA IF EXISTS state CASCADE" 2>/dev/null
  "$TRIBUTARY" --log-level warn migrate >/dev/null
}

# run_backfill NAME [EXTRA ARGS...]: the invoices backfill over START..END under GNU time. Sets
# RUN_SECS, RUN_RSS_KB, RUN_CPU (tributary's user + system seconds), RUN_CHANGED (tributary's own "raw rows inserted or changed"), RUN_MOCK_CPU
# (CPU seconds the mock spent meanwhile) and RUN_CODE; the summary line is in $WORK/NAME.out.
run_backfill() {
  local name="$1"; shift
  local start mock_cpu
  settle_database
  mock_cpu=$(cpu_seconds "$MOCK_PID")
  start=$(now)
  RUN_CODE=0
  /usr/bin/time -v -o "$WORK/$name.time" "$TRIBUTARY" --log-level warn backfill --config "$ROOT/config/quickbooks.yaml" \
    --stream invoices --start "$START" --end "$END" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || RUN_CODE=$?
  RUN_SECS=$(calc "$(now) - $start" 3)
  RUN_MOCK_CPU=$(calc "$(cpu_seconds "$MOCK_PID") - $mock_cpu")
  RUN_RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")
  RUN_CPU=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$WORK/$name.time")
  RUN_CHANGED=$(grep -o '[0-9]* raw rows inserted or changed' "$WORK/$name.out" | cut -d' ' -f1 || true)
  if [ "$RUN_CODE" -ne 0 ]; then
    echo "bench: tributary backfill ($name) exited $RUN_CODE:" >&2
    cat "$WORK/$name.out" "$WORK/$name.err" >&2
  fi
}

# Rows whose ingested_at_utc is later than $1: what a run rewrote.
rows_ingested_after() { sql "SELECT count(*) FROM raw.qbo_invoices WHERE ingested_at_utc > '$1'"; }
last_ingested() { sql "SELECT max(ingested_at_utc) FROM raw.qbo_invoices"; }

# The machine the figures come from.
machine_info() {
  local cpu mem pg
  cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
  mem=$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
  pg=$(sql "SHOW server_version")
  printf 'machine: %s CPUs (%s), %s GiB RAM, PostgreSQL %s (fsync on), %s\n' "$(nproc)" "$cpu" "$mem" "$pg" "$(uname -r)"
  result machine.nproc "$(nproc)"; result machine.cpu_model "$cpu"; result machine.mem_gib "$mem"
  result machine.postgresql "$pg"; result machine.kernel "$(uname -r)"
  result machine.fsync "$(sql "SHOW fsync")"; result machine.synchronous_commit "$(sql "SHOW synchronous_commit")"
}

# results.tsv -> JSON: dotted keys nest, numbers stay numbers.
write_results_json() {
  "$PYTHON" - "$WORK/results.tsv" "$1" <<'EOF'
import json, re, sys
out = {}
for line in open(sys.argv[1], encoding="utf-8"):
    key, _, value = line.rstrip("\n").partition("\t")
    node = out
    *parents, leaf = key.split(".")
    for p in parents:
        node = node.setdefault(p, {})
    node[leaf] = (float(value) if "." in value else int(value)) if re.fullmatch(r"-?\d+(\.\d+)?", value) else value
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(out, f, indent=2, ensure_ascii=False)
    f.write("\n")
EOF
}

# The figures of latest.json side by side.
print_summary() {
  "$PYTHON" - "$1" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
copy = d.get("copy", {}).get("rows_per_s")
print(f"\nsummary: {d['run']['records']} invoices, page size {d['run']['page_size']}, PostgreSQL fsync on")
print(f"  {'':22} {'rows/s':>9} {'seconds':>9} {'vs copy':>8}  notes")
def row(label, key, note=""):
    r = d.get(key)
    if not r:
        return
    rate = r.get("rows_per_s")
    ratio = f"{rate / copy:.2f}" if rate and copy and key != "rate" else "-"
    print(f"  {label:22} {rate if rate is not None else '-':>9} {r['seconds']:>9} {ratio:>8}  {note.format(**r)}")
row("api alone (4 clients)", "api", "{requests} requests, {mib} MiB")
row("\\copy", "copy")
row("tributary (default)", "backfill_default", "peak RSS {peak_rss_mib} MiB, {mib_per_s} MiB/s, CPU {cpu_seconds} s")
row("tributary (1 worker)", "backfill_workers1", "peak RSS {peak_rss_mib} MiB, {mib_per_s} MiB/s, CPU {cpu_seconds} s")
row("python seed loader", "python", "tributary {tributary_default_ratio}x (1 worker {tributary_workers1_ratio}x)")
row("re-run, unchanged", "rerun_unchanged", "{ratio_to_first} of the first run, {rows_rewritten} rows rewritten")
row("re-run, 1% changed", "rerun_1pct", "{ratio_to_first} of the first run, {rows_rewritten} rows rewritten of {touched}")
row("rate budget", "rate", "{records} invoices, page {page_size}, {workers} workers: {admitted_per_minute}/min admitted, "
    "{throttled_429} 429s, max {max_in_flight} in flight")
EOF2
}
