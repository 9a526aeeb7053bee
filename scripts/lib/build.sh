# Configure and build into $BUILD_DIR (default build/) with the given CMake build type.
build_tributary() {
  local type="${1:-RelWithDebInfo}"
  BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$type" >/dev/null
  cmake --build "$BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)"
}
