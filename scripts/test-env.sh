#!/usr/bin/env bash
# Prepares a Debian 12 machine to run obsctl's Docker-based tests.
#
#   1. installs, from Debian's package registry, a Docker engine (docker.io),
#      busybox (busybox-static, the userland of the test images) and Compose
#      1.29 (docker-compose), plus npm and python3-venv for the validators,
#      and openssl and curl (a short-lived TLS server and a job's push in the
#      probe tests), each skipped when it is already there;
#   2. fetches the Debian packages pinned in tests/images/pins.sh (Prometheus
#      and promtool 3.5, Alertmanager and amtool 0.28.1, the exporters, ...)
#      into target/test-env without installing them (tests/images/fetch.sh),
#      and the Kubernetes manifest validators into private environments there
#      (tests/k8s/install.sh): the tests run promtool, amtool and the
#      validators from target/test-env/tools;
#   3. starts the Docker engine in the background unless `docker info` already
#      answers, and waits until it does;
#   4. builds the local test images with tests/images/build.sh.
#
# It starts nothing of obsctl's own. Run it as root; it is safe to run again,
# and reuses what target/test-env already holds.
# Narration and a summary go to stderr; stdout carries only NAME=VALUE lines:
# OBSCTL_TEST_TOOLS (the validators' directory) and the NAME=IMAGE lines of
# tests/images/build.sh, so the variables can be exported with
#   set -a; eval "$(scripts/test-env.sh)"; set +a
#
# Environment:
#   OBSCTL_TEST_DOCKERD_LOG      where dockerd logs when started here
#                                (default /var/log/obsctl-test-dockerd.log)
#   OBSCTL_TEST_DOCKERD_TIMEOUT  seconds to wait for the engine (default 60)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dockerd_log=${OBSCTL_TEST_DOCKERD_LOG:-/var/log/obsctl-test-dockerd.log}
dockerd_timeout=${OBSCTL_TEST_DOCKERD_TIMEOUT:-60}
[[ $dockerd_timeout =~ ^[0-9]+$ ]] || { echo "test-env: error: OBSCTL_TEST_DOCKERD_TIMEOUT must be whole seconds" >&2; exit 2; }
export LC_ALL=C # also makes $EPOCHREALTIME use a decimal point
export DEBIAN_FRONTEND=noninteractive
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

log() { printf 'test-env: %s\n' "$*" >&2; }
die() { printf 'test-env: error: %s\n' "$*" >&2; exit 1; }
now() { printf '%s\n' "$EPOCHREALTIME"; }
since() { awk -v s="$1" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", e - s }'; }

[[ $(id -u) -eq 0 ]] || die "run as root (it installs packages and starts dockerd)"
command -v apt-get >/dev/null || die "apt-get not found; this script expects Debian 12"

summary=()

# ---------------------------------------------------------------- packages ---
# Each package with the binary that shows it is installed. Prometheus,
# Alertmanager and the exporters are not among them: the versions the tests
# need come from newer Debian suites, fetched without installing them.
packages=(
  "docker.io                    dockerd"
  "busybox-static               busybox"
  "docker-compose               docker-compose"
  "npm                          npm"
  "openssl                      openssl"
  "curl                         curl"
)

apt_get() { apt-get -o DPkg::Lock::Timeout=600 -q "$@"; }

# Package lists are refreshed only when a wanted package has no install
# candidate, or when an install from the current lists fails (stale lists).
updated=no
apt_update() { log "apt-get update"; apt_get update >&2; updated=yes; }

# (Not `| grep -q`: with pipefail, apt-cache dying of SIGPIPE would read as "no".)
has_candidate() { [[ $(apt-cache policy "$1" 2>/dev/null) =~ Candidate:\ [^\(] ]]; }

install_packages() {
  local missing=() row pkg bin started created_policy=no
  for row in "${packages[@]}"; do
    read -r pkg bin <<<"$row"
    command -v "$bin" >/dev/null || missing+=("$pkg")
  done
  # tests/k8s/install.sh makes a virtual environment (Debian splits venv out).
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
  if ((${#missing[@]} == 0)); then
    summary+=("packages: all present, nothing installed")
    return
  fi
  started=$(now)
  for pkg in "${missing[@]}"; do
    if ! has_candidate "$pkg"; then apt_update; break; fi
  done
  # Keep package scripts from starting services (dockerd through systemd or
  # init scripts): this script starts the engine itself.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    created_policy=yes
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  log "apt-get install ${missing[*]}"
  if ! apt_get install -y --no-install-recommends "${missing[@]}" >&2; then
    [[ $updated == no ]] || die "apt-get install ${missing[*]} failed"
    apt_update
    apt_get install -y --no-install-recommends "${missing[@]}" >&2 \
      || die "apt-get install ${missing[*]} failed"
  fi
  if [[ $created_policy == yes ]]; then
    rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
  for row in "${packages[@]}"; do
    read -r pkg bin <<<"$row"
    command -v "$bin" >/dev/null || die "$pkg is installed but $bin is not on PATH"
  done
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 \
    || die "python3-venv is installed but python3 cannot make a virtual environment"
  summary+=("packages: installed ${missing[*]} in $(since "$started") (apt-get update: $updated)")
}

# ---------------------------------------------------------------- iptables ---
# dockerd needs working iptables with a nat table for its bridge networks and
# published ports. Debian 12 defaults to the nftables backend; where the kernel
# lacks nf_tables, the legacy backend is selected instead. With neither, dockerd
# runs with --iptables=false: containers on one bridge still reach each other
# and 127.0.0.1 port publishing still works through docker-proxy.
dockerd_args=()
iptables_works() { "$1" -w -t nat -L -n >/dev/null 2>&1 && "$1" -w -t filter -L -n >/dev/null 2>&1; }

choose_iptables() {
  if iptables_works iptables; then
    summary+=("iptables: $(iptables -V 2>/dev/null | sed 's/.*(\(.*\))/\1/') backend works")
  elif command -v iptables-legacy >/dev/null && iptables_works iptables-legacy; then
    update-alternatives --set iptables /usr/sbin/iptables-legacy >&2
    update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >&2 || true
    summary+=("iptables: nf_tables unusable, switched to the legacy backend")
  else
    dockerd_args+=(--iptables=false --ip6tables=false)
    summary+=("iptables: no usable backend, dockerd runs with --iptables=false")
  fi
}

# ------------------------------------------------------------------ dockerd ---
docker_answers() { timeout 10 docker info >/dev/null 2>&1; }

start_dockerd() {
  local started pid deadline
  if docker_answers; then
    summary+=("dockerd: already running ($(docker version -f '{{.Server.Version}}' 2>/dev/null))")
    return
  fi
  started=$(now)
  if pid=$(pidof -s dockerd); then
    log "dockerd (pid $pid) is running but not answering yet; waiting for it"
  else
    choose_iptables
    mkdir -p "$(dirname "$dockerd_log")"
    log "starting dockerd${dockerd_args[*]:+ ${dockerd_args[*]}} (log: $dockerd_log)"
    # Its own session, so it outlives this script and the terminal.
    setsid dockerd "${dockerd_args[@]}" >>"$dockerd_log" 2>&1 </dev/null &
    pid=$!
  fi
  deadline=$((${EPOCHREALTIME/./} + dockerd_timeout * 1000000)) # microseconds
  until docker_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$dockerd_log" >&2 || true
      die "dockerd exited before answering (last lines of $dockerd_log above)"
    fi
    if ((${EPOCHREALTIME/./} >= deadline)); then
      tail -n 40 "$dockerd_log" >&2 || true
      die "dockerd did not answer within ${dockerd_timeout}s (last lines of $dockerd_log above)"
    fi
    sleep 0.2
  done
  summary+=("dockerd: started (pid $pid, $(docker version -f '{{.Server.Version}}' 2>/dev/null)), ready in $(since "$started"), log $dockerd_log")
}

# ------------------------------------------------- pinned packages, tools ---
# timed STEP COMMAND...: run COMMAND, adding its duration to the summary.
timed() {
  local step=$1 started
  shift
  started=$(now)
  "$@" || die "$step failed: $*"
  summary+=("$step: $(since "$started")")
}

fetch_pinned() {
  timed "pinned Debian packages (tests/images/fetch.sh)" bash "$repo/tests/images/fetch.sh"
  local row pkg version
  # shellcheck source=tests/images/pins.sh
  source "$repo/tests/images/pins.sh"
  for row in "${pinned_packages[@]}"; do
    read -r pkg version _ <<<"$row"
    summary+=("  $pkg $version")
  done
}

install_validators() {
  timed "Kubernetes validators (tests/k8s/install.sh)" bash "$repo/tests/k8s/install.sh"
  summary+=("tools: $tools_dir: $(ls "$tools_dir" | tr '\n' ' ')")
  printf 'OBSCTL_TEST_TOOLS=%s\n' "$tools_dir"
}

# ------------------------------------------------------------------- images ---
build_images() {
  local started out line
  started=$(now)
  out=$(bash "$repo/tests/images/build.sh") || die "tests/images/build.sh failed"
  summary+=("images: built in $(since "$started")")
  while read -r line; do summary+=("  ${line#*=}"); done <<<"$out"
  printf '%s\n' "$out"
}

total_started=$(now)
tools_dir=${OBSCTL_TEST_ENV_DIR:-$repo/target/test-env}/tools
install_packages
fetch_pinned
install_validators
start_dockerd
build_images
log "summary (total $(since "$total_started")):"
for line in "${summary[@]}"; do printf '  %s\n' "$line" >&2; done
