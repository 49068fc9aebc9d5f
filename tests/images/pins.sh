# shellcheck shell=bash
# The Debian packages obsctl's test images and validators come from, pinned to
# exact versions so that every run, on every machine, builds the same images
# and checks with the same promtool and amtool. Sourced by tests/images/fetch.sh
# (downloads and unpacks them), tests/images/build.sh (image contents and tags)
# and scripts/test-env.sh.
#
# The versions follow obsctl's pinned default images (src/model/defaults.rs):
# Prometheus 3.5 and promtool 3.5 are only in Debian's unstable suites (sid,
# forky); Alertmanager 0.28.1 with amtool, node-exporter 1.9 and the other
# exporters come from trixie. A pinned version that none of its suites carries
# any more (sid moves) is an error naming it and what the suites offer: update
# the pin here.
#
# Needs `repo` set to the repository root before it is sourced.

# package                       version          suites searched for it
pinned_packages=(
  "prometheus                     3.5.3+ds1-6      sid forky"
  "promtool                       3.5.3+ds1-6      sid forky"
  "prometheus-alertmanager        0.28.1+ds-1      trixie"
  "prometheus-node-exporter       1.9.0-1+b4       trixie"
  "prometheus-blackbox-exporter   0.26.0-1         trixie"
  "prometheus-pushgateway         1.11.0-1+b6      trixie"
  "prometheus-postgres-exporter   0.17.1-1+b4      trixie"
  "prometheus-redis-exporter      1.69.0-1         trixie"
  "victoria-metrics               1.112.0+ds1-2    trixie"
)

# Everything downloaded or unpacked for the tests lives here, outside git
# (target/ is ignored) and rebuilt from the pins when removed.
test_env_dir=${OBSCTL_TEST_ENV_DIR:-$repo/target/test-env}

# pinned_version PACKAGE: the pinned Debian version of PACKAGE.
pinned_version() {
  local row pkg version
  for row in "${pinned_packages[@]}"; do
    read -r pkg version _ <<<"$row"
    if [[ $pkg == "$1" ]]; then
      printf '%s\n' "$version"
      return
    fi
  done
  printf 'pins.sh: error: %s is not pinned in tests/images/pins.sh\n' "$1" >&2
  return 1
}

# upstream_version VERSION: the upstream part of a Debian version (epoch,
# Debian revision and +ds/~ suffixes removed), e.g. 3.5.3+ds1-6 -> 3.5.3.
upstream_version() {
  local version=${1#*:}
  version=${version%-*}
  printf '%s\n' "${version%%[+~]*}"
}

# package_root PACKAGE: where fetch.sh unpacked the pinned PACKAGE.
package_root() { printf '%s/pkgs/%s\n' "$test_env_dir" "$1"; }

# package_ready PACKAGE: true when the pinned version of PACKAGE is unpacked.
package_ready() {
  local stamp
  stamp=$(package_root "$1")/.obsctl-version
  [[ -f $stamp && $(<"$stamp") == "$(pinned_version "$1")" ]]
}
