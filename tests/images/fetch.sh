#!/usr/bin/env bash
# Downloads and unpacks the Debian packages pinned in tests/images/pins.sh
# (Prometheus 3.5, promtool, Alertmanager 0.28.1 with amtool, the exporters,
# ...) without installing anything on the machine: apt runs with a sources
# list, package lists and cache of its own under target/test-env/apt, fetches
# each .deb at its pinned version (apt checks it against the signed package
# lists), and `dpkg -x` unpacks it into target/test-env/pkgs/PACKAGE/.
# Then promtool and amtool are linked into target/test-env/tools/, the
# directory the tests take their validators from (OBSCTL_TEST_TOOLS).
#
#   tests/images/fetch.sh
#
# Packages already unpacked at their pinned version are kept; remove
# target/test-env to start over. The Debian binaries need glibc 2.34 and run on
# Debian 12 as they are.
#
# Environment:
#   OBSCTL_TEST_ENV_DIR        where everything goes (default target/test-env)
#   OBSCTL_TEST_DEBIAN_MIRROR  Debian archive to fetch from (default: the one
#                              this machine's apt uses for its own release)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/images/pins.sh
source "$repo/tests/images/pins.sh"
export LC_ALL=C

log() { printf 'fetch.sh: %s\n' "$*" >&2; }
die() { printf 'fetch.sh: error: %s\n' "$*" >&2; exit 1; }

command -v apt-get >/dev/null || die "apt-get not found; this script expects Debian"
command -v dpkg >/dev/null || die "dpkg not found; this script expects Debian"

apt_dir=$test_env_dir/apt
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o Dir::Etc::SourceParts=/dev/null
  -o Dir::Etc::Preferences=/dev/null
  -o Dir::Etc::PreferencesParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  # Only the package lists: no translations, no AppStream metadata.
  -o Acquire::Languages=none
  -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
  -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false
  -o Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false
  -o Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false
  -o DPkg::Lock::Timeout=600
)
# As root, apt would hand the download to its _apt user, which cannot write here.
[[ $(id -u) -ne 0 ]] || apt_opts+=(-o APT::Sandbox::User=root)

# mirror: the Debian archive this machine's apt uses for its own release.
mirror() {
  local codename uri
  if [[ -n ${OBSCTL_TEST_DEBIAN_MIRROR:-} ]]; then
    printf '%s\n' "${OBSCTL_TEST_DEBIAN_MIRROR%/}"
    return
  fi
  codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
  uri=$(apt-get indextargets --format '$(CODENAME) $(IDENTIFIER) $(REPO_URI)' 2>/dev/null \
    | awk -v c="$codename" '$1 == c && $2 == "Packages" { print $3; exit }')
  [[ -n $uri ]] || die "found no Debian archive for '$codename' in this machine's apt sources; set OBSCTL_TEST_DEBIAN_MIRROR"
  printf '%s\n' "${uri%/}"
}

# write_sources: one line per suite named in the pins, all signed by Debian's
# archive keys.
write_sources() {
  local row suites=() base suite
  [[ -f $keyring ]] || die "$keyring is missing (apt-get install debian-archive-keyring)"
  for row in "${pinned_packages[@]}"; do
    read -r _ _ row <<<"$row"
    for suite in $row; do
      [[ " ${suites[*]} " == *" $suite "* ]] || suites+=("$suite")
    done
  done
  base=$(mirror)
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  for suite in "${suites[@]}"; do
    printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$base" "$suite"
  done >"$apt_dir/sources.list.new"
  mv "$apt_dir/sources.list.new" "$apt_dir/sources.list"
}

apt_update() {
  log "apt-get update (private lists in $apt_dir)"
  apt-get "${apt_opts[@]}" -q update >&2 || die "apt-get update of the private package lists failed"
  updated=yes
}
updated=no

# unoffered PACKAGE...: print each PACKAGE=VERSION pin that the private lists
# lack (one apt-cache run: each one reads all the lists).
unoffered() {
  local offers pkg version
  offers=$(apt-cache "${apt_opts[@]}" madison "$@" 2>/dev/null | awk -F' *[|] *' '{ sub(/^ */, "", $1); print $1 "=" $2 }') || offers=
  for pkg in "$@"; do
    version=$(pinned_version "$pkg")
    grep -qxF "$pkg=$version" <<<"$offers" || printf '%s=%s\n' "$pkg" "$version"
  done
}

# fetch PACKAGE...: download the pinned versions and unpack each one. The
# package lists are refreshed when they lack a pinned version (first run, or
# pins changed), at most once.
fetch() {
  local pkg version specs=() debs=$test_env_dir/debs root deb lacking
  lacking=$(unoffered "$@")
  if [[ -n $lacking ]]; then
    apt_update
    lacking=$(unoffered "$@")
  fi
  for pkg in $lacking; do
    pkg=${pkg%%=*}
    die "$pkg $(pinned_version "$pkg") (pinned in tests/images/pins.sh) is not offered by the suites searched; they offer:
$(apt-cache "${apt_opts[@]}" madison "$pkg" 2>/dev/null || true)
update the pin in tests/images/pins.sh"
  done
  for pkg in "$@"; do specs+=("$pkg=$(pinned_version "$pkg")"); done
  rm -rf "$debs" && mkdir -p "$debs"
  log "apt-get download ${specs[*]}"
  if ! (cd "$debs" && apt-get "${apt_opts[@]}" -q download "${specs[@]}" >&2); then
    # Lists from an earlier run may name files the archive no longer has.
    [[ $updated == no ]] || die "apt-get download ${specs[*]} failed"
    apt_update
    (cd "$debs" && apt-get "${apt_opts[@]}" -q download "${specs[@]}" >&2) \
      || die "apt-get download ${specs[*]} failed"
  fi
  for pkg in "$@"; do
    version=$(pinned_version "$pkg")
    root=$(package_root "$pkg")
    deb=$(compgen -G "$debs/${pkg}_*.deb") || die "apt-get download left no .deb of $pkg"
    rm -rf "$root" "$root.partial"
    mkdir -p "$root.partial"
    dpkg -x "$deb" "$root.partial" || die "dpkg -x of $pkg $version failed"
    printf '%s\n' "$version" >"$root.partial/.obsctl-version"
    mv "$root.partial" "$root"
  done
  rm -rf "$debs"
}

# link_tools: the validators the tests run, in one directory.
link_tools() {
  local tools=$test_env_dir/tools
  mkdir -p "$tools"
  ln -sfn "$(package_root promtool)/usr/bin/promtool" "$tools/promtool"
  ln -sfn "$(package_root prometheus-alertmanager)/usr/bin/amtool" "$tools/amtool"
  "$tools/promtool" --version >/dev/null 2>&1 || die "$tools/promtool does not run"
  "$tools/amtool" --version >/dev/null 2>&1 || die "$tools/amtool does not run"
}

[[ $(dpkg --print-architecture) == amd64 ]] \
  || die "the pins are for amd64; this machine is $(dpkg --print-architecture)"
missing=()
for row in "${pinned_packages[@]}"; do
  read -r pkg _ <<<"$row"
  package_ready "$pkg" || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  log "all pinned packages are unpacked in $test_env_dir/pkgs"
else
  write_sources
  fetch "${missing[@]}"
  log "unpacked ${missing[*]} in $test_env_dir/pkgs"
fi
link_tools
