#!/usr/bin/env bash
# Runs obsctl's whole test suite, setting up everything it needs first.
#
#   scripts/test.sh            # as root on Debian 12
#
# 1. scripts/test-env.sh installs Debian's Docker engine, promtool, amtool and
#    the exporters, starts dockerd, and builds the local test images;
# 2. formatting and lints: cargo fmt --check, cargo clippy -D warnings;
# 3. cargo test for the whole workspace, with the end-to-end Docker tests and
#    the promtool/amtool checks required (they fail rather than skip).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

step "test environment (Docker engine, promtool, amtool, local images)"
images=$(scripts/test-env.sh)
set -a
eval "$images"
set +a

export OBSCTL_REQUIRE_TOOLS=1 # promtool/amtool checks fail instead of skipping
export OBSCTL_E2E=1           # Docker end-to-end tests fail instead of skipping

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test"
cargo test --workspace
