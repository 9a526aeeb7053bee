#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with Debian's clang into build-fuzz/ and runs each
# for SECONDS (default 60), starting from its committed corpus (tests/fuzz/corpus/TARGET/, never
# written to). SEED fixes libFuzzer's random seed (CI passes one, so it explores the same way each
# time); without it every run explores anew, as campaigns by hand should. Exits non-zero on any finding: a crash, a sanitizer report, a leak, an uncaught
# exception, a timeout or running out of memory; the input is kept in build-fuzz/findings/.
#   scripts/fuzz.sh [SECONDS] [SEED]
# Reproduce a finding: build-fuzz/tests/fuzz/TARGET build-fuzz/findings/TARGET/crash-...
# Keep it: copy it into tests/fuzz/corpus/TARGET/ (replayed by every `scripts/test.sh`).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
duration="${1:-60}"
seed="${2:-0}"  # 0: libFuzzer picks one
case "$duration$seed" in ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [SEED]" >&2; exit 2 ;; esac
"$ROOT/scripts/install-deps.sh"
# clang and its runtimes (libFuzzer) only for fuzzing: not part of every install.
if ! dpkg-query -W -f='${Status}' clang libclang-rt-14-dev 2>/dev/null | grep -c "install ok installed" | grep -q 2; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
fi
source "$ROOT/scripts/lib/build.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-fuzz}"
CMAKE_EXTRA_ARGS=(-DTRIBUTARY_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++)
targets=(fuzz_page fuzz_connector_file)
declare -A dictionaries=([fuzz_page]=page.dict [fuzz_connector_file]=connector.dict)
build_tributary RelWithDebInfo "${targets[@]}"

export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=()
for target in "${targets[@]}"; do
  work="$BUILD_DIR/fuzz-corpus/$target"
  findings="$BUILD_DIR/findings/$target"
  log="$BUILD_DIR/fuzz-$target.log"
  mkdir -p "$work" "$findings"
  echo "== $target: ${duration} s (log: $log)"
  if "$BUILD_DIR/tests/fuzz/$target" -max_total_time="$duration" -seed="$seed" -timeout=10 -rss_limit_mb=2048 \
       -dict="$ROOT/tests/fuzz/${dictionaries[$target]}" -artifact_prefix="$findings/" -print_final_stats=1 \
       "$work" "$ROOT/tests/fuzz/corpus/$target" >"$log" 2>&1; then
    grep -E '^#[0-9]+ +DONE|^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" || true
  else
    tail -n 80 "$log" >&2
    echo "== $target: FINDING (input kept in $findings/)" >&2
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no findings"
