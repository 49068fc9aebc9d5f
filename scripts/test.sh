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
# 3. cargo test for the whole workspace, including the #[ignore]d end-to-end
#    Docker tests and validator checks (they fail rather than skip when what
#    they need is missing), the validators taken from OBSCTL_TEST_TOOLS only;
# 4. last and alone, the test that restarts the Docker daemon under a running
#    stack (tests/e2e_daemon_restart.rs): nothing else may use the engine
#    while it runs, so step 3 skips it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

step "test environment (Docker engine, pinned packages, validators, local images)"
variables=$(scripts/test-env.sh)
set -a
eval "$variables"
set +a

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

# The end-to-end tests and those that need the validators are #[ignore]d, so a
# bare `cargo test` lists them as ignored; here they run, and fail if what they
# need is missing.
daemon_restart=after_the_docker_daemon_restarts_the_stack_is_back_and_doctor_is_green_without_up

step "cargo test (with the ignored end-to-end and validator tests)"
cargo test --workspace -- --include-ignored --skip "$daemon_restart"

step "the Docker daemon restarted under a running stack (alone)"
OBSCTL_E2E_DAEMON_RESTART=1 cargo test --test e2e_daemon_restart -- \
  --include-ignored --exact "$daemon_restart"
