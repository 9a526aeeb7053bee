#!/usr/bin/env bash
# Installs every build, test and runtime dependency from Debian's packages.
# Idempotent: does nothing (and needs no network) when everything is present.
# --bench adds what only scripts/bench.sh needs (its Python loader and GNU time for peak RSS).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ca-certificates curl bc
  libcurl4-openssl-dev libsimdjson-dev libpqxx-dev libpq-dev libboost-date-time-dev
  libspdlog-dev libfmt-dev libyaml-cpp-dev libcli11-dev
  libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev libxxhash-dev
  libgtest-dev libgmock-dev
  postgresql-15 postgresql-client-15
  prometheus  # promtool: the metrics-file test validates with it (the server is not started)
  python3 python3-yaml python3-jinja2  # tests/deploy/check_deploy.py: the deployment files
)
if [ "${1:-}" = "--bench" ]; then
  PACKAGES+=(python3 python3-requests python3-psycopg2 time)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
