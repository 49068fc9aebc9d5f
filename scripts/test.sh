#!/usr/bin/env bash
# Runs obsctl's whole test suite, setting up everything it needs first.
#
#   scripts/test.sh            # as root on Debian 12
#
# 1. scripts/test-env.sh installs Debian's Docker engine (and busybox, Compose),
#    fetches the pinned versions users run (Prometheus and promtool 3.5,
#    Alertmanager and amtool 0.28.1, node-exporter 1.9, ...) and the Kubernetes
#    manifest validators into target/test-env, starts dockerd, and builds the
#    local test images from those packages;
# 2. formatting and lints: cargo fmt --check, cargo clippy -D warnings;
# 3. cargo test for the whole workspace, with the end-to-end Docker tests and
#    the validator checks required (they fail rather than skip), the
#    validators taken from OBSCTL_TEST_TOOLS only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

step "test environment (Docker engine, pinned packages, validators, local images)"
variables=$(scripts/test-env.sh)
set -a
eval "$variables"
set +a

export OBSCTL_REQUIRE_TOOLS=1 # validator checks fail instead of skipping
export OBSCTL_E2E=1           # Docker end-to-end tests fail instead of skipping

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test"
cargo test --workspace
