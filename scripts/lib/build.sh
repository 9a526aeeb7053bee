# Configure and build into $BUILD_DIR (default build/): build_tributary TYPE [TARGET...]
# (no target: everything, tests included). Extra CMake arguments: the CMAKE_EXTRA_ARGS array.
build_tributary() {
  local type="${1:-RelWithDebInfo}"
  shift || true
  BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$type" ${CMAKE_EXTRA_ARGS[@]+"${CMAKE_EXTRA_ARGS[@]}"} >/dev/null
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)" "${targets[@]}"
}

# As build_tributary, but the build log is shown only when the build fails (demo, benches, chaos).
build_quietly() {
  local log
  log="$(mktemp /tmp/tributary-build.XXXXXX)"
  if ! build_tributary "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}
