#!/usr/bin/env bash
# Builds obsctl from this checkout and installs the binary.
#
#   ./install.sh                  # installs into ~/.cargo/bin (cargo's default)
#   PREFIX=/usr/local ./install.sh  # installs into /usr/local/bin
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command -v cargo >/dev/null || { echo "install.sh: cargo not found; install Rust from your distribution or rustup first" >&2; exit 1; }

args=(install --locked --path .)
if [[ -n ${PREFIX:-} ]]; then
  args+=(--root "$PREFIX")
fi
cargo "${args[@]}"

bin_dir=${PREFIX:-${CARGO_HOME:-$HOME/.cargo}}/bin
echo "install.sh: installed $("$bin_dir/obsctl" --version) to $bin_dir/obsctl"
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "install.sh: $bin_dir is not on your PATH; add it, or run $bin_dir/obsctl" ;;
esac
echo "install.sh: next, run \`obsctl up\` in any folder to start the default stack (Docker required)"
