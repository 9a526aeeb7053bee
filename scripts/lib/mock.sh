# Starts a bundled mock server in the background: start_mock LOGFILE BINARY [ARGS...]
# Sets MOCK_PID and MOCK_URL; fails if the mock exits or does not listen within 60 s.
start_mock() {
  local log="$1"; shift
  local port_file
  port_file="$(mktemp /tmp/tributary-mock-port.XXXXXX)"
  rm -f "$port_file"
  "$@" --port 0 --port-file "$port_file" >"$log" 2>&1 &
  MOCK_PID=$!
  for _ in $(seq 1 600); do
    [ -s "$port_file" ] && break
    if ! kill -0 "$MOCK_PID" 2>/dev/null; then
      echo "mock failed to start:" >&2; cat "$log" >&2; return 1
    fi
    sleep 0.1
  done
  [ -s "$port_file" ] || { echo "mock did not listen within 60 s" >&2; return 1; }
  MOCK_URL="http://127.0.0.1:$(cat "$port_file")"
  rm -f "$port_file"
}
