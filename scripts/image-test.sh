#!/usr/bin/env bash
# Builds the Docker image with podman and smoke-tests it against a throwaway PostgreSQL:
# `--version`, `migrate` (twice, on a read-only root filesystem as in deploy/k8s), the
# `state` schema afterwards, the shipped connector file, and the non-root user the deploy
# examples rely on. Prints a summary and exits non-zero if anything failed.
#
# Works on a machine with no Docker engine and no registry access: the debian:bookworm base is
# made locally with debootstrap from the host's Debian mirror and cached in podman's storage.
# Idempotent; a re-run reuses the base image and podman's layer cache. Takes minutes (a full
# Release build on a cold cache), so it is not part of scripts/test.sh.
#
#   scripts/image-test.sh            (as root, or with sudo available for the package install)
#   IMAGE=tributary:dev scripts/image-test.sh
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
IMAGE="${IMAGE:-tributary}"
cd "$ROOT"
START=$SECONDS

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
WORK="$(mktemp -d /tmp/tributary-image-test.XXXXXX)"
source "$ROOT/scripts/lib/postgres.sh"
# Logs stay in $WORK when something failed.
KEEP_WORK=0
cleanup() {
  pg_stop
  if [ "$KEEP_WORK" -eq 0 ]; then $SUDO rm -rf "$WORK"; else echo "image-test: logs kept in $WORK" >&2; fi
}
trap cleanup EXIT

die() { echo "image-test: $*" >&2; KEEP_WORK=1; exit 1; }
elapsed() { local s=$(( SECONDS - $1 )); printf '%dm%02ds' $(( s / 60 )) $(( s % 60 )); }

# ---- tools ---------------------------------------------------------------------------------
# runc, not crun: crun refuses the hybrid cgroup v1/v2 layout some VMs and CI runners have.
# postgresql-15 is for the throwaway server scripts/lib/postgres.sh starts on the host.
PACKAGES=(podman runc debootstrap postgresql-15 postgresql-client-15)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    >"$WORK/apt.log" 2>&1 || { tail -n 20 "$WORK/apt.log" >&2; die "package install failed (log above)"; }
fi
PODMAN=(podman --runtime runc)
[ -n "$SUDO" ] && PODMAN=(sudo podman --runtime runc)

declare -a CHECK_NAME CHECK_STATE CHECK_NOTE
record() { CHECK_NAME+=("$1"); CHECK_STATE+=("$2"); CHECK_NOTE+=("${3:-}"); }

# ---- base image ----------------------------------------------------------------------------
# The first Debian mirror serving bookworm in the host's apt sources (one-line or deb822 format),
# so the base image comes from wherever this machine is allowed to fetch packages.
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri="$(awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                               if ($(i + 1) == "bookworm") { print $i; exit } }' "$f")"
    [ -n "$uri" ] && { echo "$uri"; return 0; }
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri="$(awk 'BEGIN { RS = "" }
      { types = ""; uris = ""; suites = ""; enabled = "yes"
        n = split($0, line, "\n")
        for (i = 1; i <= n; i++) {
          if (line[i] ~ /^Types:/) types = substr(line[i], 7)
          else if (line[i] ~ /^URIs:/) uris = substr(line[i], 6)
          else if (line[i] ~ /^Suites:/) suites = substr(line[i], 8)
          else if (line[i] ~ /^Enabled:/) enabled = substr(line[i], 9)
        }
        if (enabled ~ /no/) next
        if ((" " types " ") ~ /[ \t]deb[ \t]/ && (" " suites " ") ~ /[ \t]bookworm[ \t]/) {
          split(uris, u, " "); print u[1]; exit
        } }' "$f")"
    [ -n "$uri" ] && { echo "$uri"; return 0; }
  done
  echo "http://deb.debian.org/debian"
}

BASE_START=$SECONDS
if "${PODMAN[@]}" image exists debian:bookworm; then
  echo "== base image debian:bookworm: cached"
  record "base image" ok "debian:bookworm cached"
else
  MIRROR="$(debian_mirror)"
  echo "== base image debian:bookworm: debootstrap from $MIRROR (a few minutes, once)"
  ROOTFS="$WORK/rootfs"
  $SUDO debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 30 "$WORK/debootstrap.log" >&2; $SUDO rm -rf "$ROOTFS"; die "debootstrap failed (log above)"; }
  # What the official images drop too: the Dockerfile runs apt-get update itself, and stale
  # lists or cached .debs would only make the base bigger.
  $SUDO rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb
  $SUDO tar -C "$ROOTFS" -c . | "${PODMAN[@]}" import --change 'CMD ["bash"]' - debian:bookworm >/dev/null \
    || die "podman import failed"
  $SUDO rm -rf "$ROOTFS"
  record "base image" ok "debian:bookworm from $MIRROR, $(elapsed "$BASE_START")"
fi
# The runtime stage uses -slim; the same minbase tree serves for both.
"${PODMAN[@]}" image exists debian:bookworm-slim || "${PODMAN[@]}" tag debian:bookworm debian:bookworm-slim

# ---- build ---------------------------------------------------------------------------------

summary() {
  echo
  echo "== summary ($IMAGE)"
  local size=""
  # Only after a successful build: otherwise it would be an older image's size.
  [ "$BUILT" -eq 1 ] && size="$("${PODMAN[@]}" image inspect "$IMAGE" --format '{{.Size}}' 2>/dev/null)"
  if [ -n "$size" ]; then
    printf '  %-14s %s\n' "image size" "$(numfmt --to=si --suffix=B "$size" 2>/dev/null || echo "$size bytes")"
  fi
  local i failed=0
  for i in "${!CHECK_NAME[@]}"; do
    printf '  %-14s %-7s %s\n' "${CHECK_NAME[$i]}" "${CHECK_STATE[$i]}" "${CHECK_NOTE[$i]}"
    [ "${CHECK_STATE[$i]}" = "ok" ] || failed=1
  done
  printf '  %-14s %s\n' "total time" "$(elapsed "$START")"
  return $failed
}

BUILT=0
BUILD_START=$SECONDS
echo "== podman build -t $IMAGE (minutes on a cold cache; log in $WORK/build.log)"
# Host networking for RUN steps: apt-get needs the network, and not every machine has a working
# container bridge.
if "${PODMAN[@]}" build --network host -t "$IMAGE" -f Dockerfile . >"$WORK/build.log" 2>&1; then
  BUILT=1
  record build ok "$(elapsed "$BUILD_START")"
else
  tail -n 40 "$WORK/build.log" >&2
  record build FAILED "see the build log tail above"
  summary
  KEEP_WORK=1
  exit 1
fi

# ---- checks --------------------------------------------------------------------------------
# Host networking is the only way a container reaches a PostgreSQL listening on loopback. The
# explicit ulimits stop runc from asking for more than this host's hard limits.
NOFILE="$(ulimit -Hn)"
[ "$NOFILE" = "unlimited" ] && NOFILE=1048576
run_image() {
  "${PODMAN[@]}" run --rm --network host \
    --ulimit "nofile=$NOFILE:$NOFILE" --ulimit nproc=32768:32768 "$@"
}

pg_start || { record postgres FAILED "pg_start failed"; summary; KEEP_WORK=1; exit 1; }
trap cleanup EXIT   # pg_start installs its own trap; ours stops the server too
DB_URL="$TRIBUTARY_DB_URL"

# --version: prints "tributary X.Y.Z". Images built before it existed only have --help.
out="$(run_image "$IMAGE" --version 2>&1)"
if [ $? -eq 0 ] && [[ "$out" == tributary\ * ]]; then
  record version ok "$(head -n 1 <<<"$out")"
elif out="$(run_image "$IMAGE" --help 2>&1)" && grep -q '^tributary' <<<"$out"; then
  echo "image-test: warning: the image has no \`tributary --version\`; checked --help instead" >&2
  record version ok "(warning: no --version, --help answered)"
else
  echo "$out" >&2
  record version FAILED "neither --version nor --help answered"
fi

# --read-only: the Kubernetes examples set readOnlyRootFilesystem, so a write outside /tmp
# would break there first. Once with --db, once (a no-op) with TRIBUTARY_DB_URL, the way every
# deploy example passes it.
migrate_failed=""
if ! out="$(run_image --read-only "$IMAGE" --db "$DB_URL" migrate 2>&1)"; then
  echo "$out" >&2
  migrate_failed="with --db"
elif ! out="$(run_image --read-only -e TRIBUTARY_DB_URL="$DB_URL" "$IMAGE" migrate 2>&1)"; then
  echo "$out" >&2
  migrate_failed="again, with TRIBUTARY_DB_URL"
fi
if [ -z "$migrate_failed" ]; then
  record migrate ok "--db, then again with TRIBUTARY_DB_URL; read-only root filesystem"
else
  record migrate FAILED "$migrate_failed (output above)"
fi

schema="$(psql "$DB_URL" -tAq -c "SELECT nspname FROM pg_namespace WHERE nspname = 'state'" 2>&1)"
if [ "$schema" = "state" ]; then
  record "schema state" ok "$(psql "$DB_URL" -tAq -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'state'") tables"
else
  record "schema state" FAILED "not found after migrate${schema:+: $schema}"
fi

# The deploy examples point at the connector file shipped in the image; `check` is offline and
# only needs the variables the file names to be set.
if out="$(run_image -e QBO_REALM_ID=1 -e QBO_CLIENT_ID=x -e QBO_CLIENT_SECRET=x -e QBO_REFRESH_TOKEN=x \
    "$IMAGE" check --config /opt/tributary/config/quickbooks.yaml 2>&1)"; then
  record "config file" ok "/opt/tributary/config/quickbooks.yaml"
else
  echo "$out" >&2
  record "config file" FAILED "check --config /opt/tributary/config/quickbooks.yaml"
fi

uid="$(run_image --entrypoint id "$IMAGE" -u 2>&1)"
if [ "$uid" = "10001" ]; then
  record non-root ok "uid 10001"
else
  record non-root FAILED "id -u printed '${uid}', expected 10001"
fi

summary || { KEEP_WORK=1; exit 1; }
