# Throwaway PostgreSQL 15 for tests, demo and benchmarks. Source this file, then:
#   pg_start        initdb into a temp dir, start on a free loopback port, export
#                   TRIBUTARY_DB_URL and TRIBUTARY_TEST_DB_URL; a trap stops it on exit.
#   pg_stop         stop it and delete the directory (idempotent).
# As root the server runs as the `postgres` user (PostgreSQL refuses to run as root).
# TRIB_PG_FSYNC=on keeps durability settings (benchmarks); default off for speed.

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_pg_free_port() {
  local port i
  for i in $(seq 1 100); do
    # Below Linux's ephemeral range (32768+): a port nothing listens on can still be held by an
    # outgoing connection, and then the server cannot bind it.
    port=$(( 20000 + RANDOM % 12000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "no free port found" >&2
  return 1
}

pg_start() {
  if [ ! -x "$PG_BIN/initdb" ]; then echo "postgres: $PG_BIN/initdb not found (run scripts/install-deps.sh)" >&2; return 1; fi
  PG_DIR="$(mktemp -d /tmp/tributary-pg.XXXXXX)"
  chmod 755 "$PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DIR"
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${TRIB_PG_FSYNC:-off}" = "on" ] && durability=""
  durability+=" ${TRIB_PG_OPTIONS:-}"  # more server settings, e.g. "-c shared_buffers=1GB"
  _pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  # A port that looked free may be taken by the time the server binds it: try a few.
  local attempt started=0
  for attempt in 1 2 3 4 5; do
    PG_PORT="$(_pg_free_port)" || return 1
    if _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 $durability" >/dev/null; then
      started=1
      break
    fi
  done
  [ "$started" -eq 1 ] || { cat "$PG_DIR/server.log" >&2; return 1; }
  trap pg_stop EXIT
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE tributary" >/dev/null
  export TRIBUTARY_DB_URL="postgresql://postgres@127.0.0.1:$PG_PORT/tributary"
  export TRIBUTARY_TEST_DB_URL="$TRIBUTARY_DB_URL"
  echo "postgres: running on 127.0.0.1:$PG_PORT (data in $PG_DIR)" >&2
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
  PG_DIR=""
}
