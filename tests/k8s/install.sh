#!/usr/bin/env bash
# Installs the Kubernetes manifest validators obsctl's tests run, without
# touching the machine's own Python or Node packages:
#
#   - kubernetes-validate (PyPI, tests/k8s/requirements.txt) into a virtual
#     environment in target/test-env/venv: core kinds, in strict mode;
#   - @kubernetes-models/prometheus-operator and yaml (npm,
#     tests/k8s/package.json and its lock file) into target/test-env/npm,
#     used by tests/k8s/validate.mjs for the Prometheus Operator's kinds.
#
# Both land in target/test-env/tools (OBSCTL_TEST_TOOLS), as
# `kubernetes-validate` and `prometheus-operator-validate`.
#
#   tests/k8s/install.sh
#
# What is installed already, from the same pinned files, is kept.
#
# Environment:
#   OBSCTL_TEST_ENV_DIR  where everything goes (default target/test-env)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$repo/tests/k8s
test_env_dir=${OBSCTL_TEST_ENV_DIR:-$repo/target/test-env}
tools=$test_env_dir/tools

log() { printf 'k8s/install.sh: %s\n' "$*" >&2; }
die() { printf 'k8s/install.sh: error: %s\n' "$*" >&2; exit 1; }

# installed DIR FILE...: true when DIR was installed from exactly these FILEs.
stamp() { cat "$@" | sha256sum | cut -d' ' -f1; }
installed() {
  local dir=$1
  shift
  [[ -f $dir/.obsctl-stamp && $(<"$dir/.obsctl-stamp") == "$(stamp "$@")" ]]
}

install_kubernetes_validate() {
  local venv=$test_env_dir/venv python
  if ! installed "$venv" "$here/requirements.txt"; then
    python=$(command -v python3) || die "python3 is not installed (apt-get install python3 python3-venv)"
    log "pip install -r tests/k8s/requirements.txt into $venv"
    rm -rf "$venv"
    "$python" -m venv "$venv" \
      || die "$python -m venv failed (on Debian: apt-get install python3-venv)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2 \
      || die "pip install of tests/k8s/requirements.txt failed"
    stamp "$here/requirements.txt" >"$venv/.obsctl-stamp"
  fi
  ln -sfn "$venv/bin/kubernetes-validate" "$tools/kubernetes-validate"
}

install_operator_validate() {
  local npm_dir=$test_env_dir/npm
  if ! installed "$npm_dir" "$here/package.json" "$here/package-lock.json"; then
    command -v npm >/dev/null || die "npm is not installed (apt-get install nodejs npm)"
    log "npm ci (tests/k8s/package.json) into $npm_dir"
    rm -rf "$npm_dir"
    mkdir -p "$npm_dir"
    cp "$here/package.json" "$here/package-lock.json" "$npm_dir/"
    # The packages declare Node 22 and run on Node 20 too (the tests prove it):
    # keep npm's engine warnings out of the log.
    (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error >&2) \
      || die "npm ci of tests/k8s/package.json failed"
    stamp "$here/package.json" "$here/package-lock.json" >"$npm_dir/.obsctl-stamp"
  fi
  cat >"$tools/prometheus-operator-validate" <<SH
#!/bin/sh
# Written by tests/k8s/install.sh: tests/k8s/validate.mjs with its packages.
OBSCTL_TEST_NPM_DIR='$npm_dir' exec node '$here/validate.mjs' "\$@"
SH
  chmod 0755 "$tools/prometheus-operator-validate"
}

mkdir -p "$tools"
install_kubernetes_validate
install_operator_validate
"$tools/kubernetes-validate" --version >/dev/null || die "kubernetes-validate does not run"
log "kubernetes-validate $("$tools/kubernetes-validate" --version 2>&1 | awk '{ print $NF }'), @kubernetes-models/prometheus-operator $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$test_env_dir/npm/node_modules/@kubernetes-models/prometheus-operator/package.json" | head -n 1) (node $(node --version))"
