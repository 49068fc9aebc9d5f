#!/usr/bin/env bash
# Builds the local images obsctl's tests run in place of the upstream ones.
#
# No container registry is needed: each image is built FROM scratch out of a
# binary from a Debian package pinned in tests/images/pins.sh and unpacked by
# tests/images/fetch.sh (or, for grafana-standin, that cargo built from
# tests/grafana-standin; for app, the machine's busybox), plus exactly the
# shared libraries `ldd` lists for it. The images copy the layout of the
# upstream images (entrypoint, default command, working directory, user, data
# directories owned by that user, busybox userland where upstream has one), so
# that permission and path mistakes show up in tests as they would with the
# real images.
#
# Usage:
#   tests/images/build.sh           build all images, then print NAME=IMAGE lines
#   tests/images/build.sh --print   only print the NAME=IMAGE lines
#
# Tags are the upstream versions of the pinned Debian packages; grafana-standin
# and app, which are obsctl's own test programs, are tagged dev-<hash of their
# sources>.
# Narration goes to stderr; stdout carries only the NAME=IMAGE lines, so
#   set -a; eval "$(tests/images/build.sh --print)"; set +a
# exports them to the current shell.
#
# Needs: the packages tests/images/fetch.sh unpacks, busybox (busybox-static),
# cargo, and a running Docker engine (scripts/test-env.sh provides all of them).
# Rebuilding when nothing changed reuses Docker's build cache.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/images/pins.sh
source "$here/pins.sh"

log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

# One row per image: directory under tests/images, variable printed for it,
# pinned Debian package its tag comes from ("-" for obsctl's own test programs,
# tagged dev-<hash of their sources>, so that two checkouts with different
# versions of a test program never overwrite each other's image).
images=(
  "prometheus         OBSCTL_TEST_PROMETHEUS_IMAGE        prometheus"
  "alertmanager       OBSCTL_TEST_ALERTMANAGER_IMAGE      prometheus-alertmanager"
  "node-exporter      OBSCTL_TEST_NODE_EXPORTER_IMAGE     prometheus-node-exporter"
  "postgres-exporter  OBSCTL_TEST_POSTGRES_EXPORTER_IMAGE prometheus-postgres-exporter"
  "redis-exporter     OBSCTL_TEST_REDIS_EXPORTER_IMAGE    prometheus-redis-exporter"
  "blackbox-exporter  OBSCTL_TEST_BLACKBOX_EXPORTER_IMAGE prometheus-blackbox-exporter"
  "pushgateway        OBSCTL_TEST_PUSHGATEWAY_IMAGE       prometheus-pushgateway"
  "victoria-metrics   OBSCTL_TEST_VICTORIA_METRICS_IMAGE  victoria-metrics"
  "app                OBSCTL_TEST_APP_IMAGE               -"
  "grafana-standin    OBSCTL_TEST_GRAFANA_STANDIN_IMAGE   -"
)
repository_prefix=obsctl-test
work= # scratch directory of one build, set by build_all

# tag_for PACKAGE DIR: the tag of the image built in tests/images/DIR whose
# version comes from PACKAGE.
tag_for() {
  if [[ $1 == - ]]; then echo "dev-$(sources_hash "$2")"; else upstream_version "$(pinned_version "$1")"; fi
}

# sources_hash DIR: 12 hex digits that change whenever what goes into the
# image of tests/images/DIR changes: its folder and, for grafana-standin, the
# crate's sources and the lock file.
sources_hash() {
  local paths=("$here/$1")
  [[ $1 != grafana-standin ]] \
    || paths+=("$repo/tests/grafana-standin/Cargo.toml" "$repo/tests/grafana-standin/src" "$repo/Cargo.lock")
  find "${paths[@]}" -type f -print0 | LC_ALL=C sort -z \
    | xargs -0 sha256sum | sed "s|  $repo/|  |" | sha256sum | cut -c1-12
}

# from_package PACKAGE PATH: the file PATH of the unpacked pinned PACKAGE.
from_package() {
  package_ready "$1" \
    || die "$1 $(pinned_version "$1") is not unpacked in $test_env_dir (run tests/images/fetch.sh)"
  printf '%s%s\n' "$(package_root "$1")" "$2"
}

print_images() {
  local row dir var pkg
  for row in "${images[@]}"; do
    read -r dir var pkg <<<"$row"
    printf '%s=%s/%s:%s\n' "$var" "$repository_prefix" "$dir" "$(tag_for "$pkg" "$dir")"
  done
}

# place SRC DEST: put the file SRC (symlinks resolved) at DEST, as a hard link
# when possible: staging then costs nothing for large binaries.
place() {
  mkdir -p "$(dirname "$2")"
  cp -lL "$1" "$2" 2>/dev/null || cp -L --preserve=mode "$1" "$2"
}

# add_tree SRC DEST ROOT: copy the directory SRC to ROOT/DEST, leaving out
# symbolic links that point outside the package (to other Debian packages).
add_tree() {
  local src=$1 dest=$2 root=$3
  [[ -d $src ]] || die "$src is missing"
  mkdir -p "$root$dest"
  cp -a "$src/." "$root$dest/"
  find "$root$dest" -type l ! -exec test -e {} \; -delete
}

# image_binary SRC DEST ROOT: put the executable SRC at ROOT/DEST, with every
# shared library and the program interpreter that `ldd SRC` lists, each at the
# same absolute path under ROOT (symlinks resolved). Static binaries get none.
image_binary() {
  local src=$1 dest=$2 root=$3 deps lib
  [[ -f $src && -x $src ]] || die "$src is missing or not executable"
  place "$src" "$root$dest"
  deps=$(LC_ALL=C ldd "$src" 2>&1 || true)
  if grep -q 'not found' <<<"$deps"; then
    die "$src needs libraries that are not installed:"$'\n'"$deps"
  fi
  # "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and
  # "/lib64/ld-linux-x86-64.so.2 (0x...)"; linux-vdso has no file.
  while read -r lib; do
    [[ -e $root$lib ]] || place "$lib" "$root$lib"
  done < <(awk '$2 == "=>" { if ($3 ~ /^\//) print $3; next }
                $1 ~ /^\// { print $1 }' <<<"$deps")
}

# add_base ROOT: the files every image has: /etc/passwd and /etc/group naming
# root and nobody, and a world-writable /tmp.
add_base() {
  local root=$1
  mkdir -p "$root/etc" "$root/tmp"
  chmod 1777 "$root/tmp"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
    'nobody:x:65534:65534:nobody:/home:/bin/false' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$root/etc/group"
}

# add_busybox ROOT: add_base plus busybox as /bin/busybox with its applets linked
# in /bin, as in the busybox base of the upstream Prometheus images (so `sh` and
# `wget` exist, e.g. for health checks). Staged once per run, then copied.
add_busybox() {
  local root=$1 base=$work/busybox-base busybox
  if [[ ! -d $base ]]; then
    busybox=$(command -v busybox) \
      || die "busybox is not installed (run scripts/test-env.sh as root)"
    add_base "$base.partial"
    image_binary "$busybox" /bin/busybox "$base.partial"
    # One perl (essential on Debian) instead of hundreds of `ln -s` processes.
    "$busybox" --list | perl -e 'my $dir = shift; while (<STDIN>) { chomp;
      my $l = "$dir/$_"; -e $l or symlink("busybox", $l) or die "symlink $l: $!\n" }' \
      "$base.partial/bin"
    mv "$base.partial" "$base"
  fi
  cp -al "$base/." "$root/" 2>/dev/null || cp -a "$base/." "$root/"
}

# data_dir CTX PATH...: top-level data directories staged under data/, which
# the Dockerfile copies one by one (COPY --chown=65534:65534 data/PATH/ /PATH/)
# so that only they, and not their parents, are owned by 65534. Their parents
# are staged in rootfs/, owned by root.
data_dir() {
  local ctx=$1 path
  shift
  for path in "$@"; do
    mkdir -p "$ctx/data$path" "$ctx/rootfs$(dirname "$path")"
  done
}

# stage_<dir> CTX: fill CTX/rootfs (owned by root in the image) and CTX/data
# (owned by 65534 in the image) for one image.
stage_prometheus() {
  local ctx=$1
  add_busybox "$ctx/rootfs"
  image_binary "$(from_package prometheus /usr/bin/prometheus)" /bin/prometheus "$ctx/rootfs"
  image_binary "$(from_package promtool /usr/bin/promtool)" /bin/promtool "$ctx/rootfs"
  data_dir "$ctx" /prometheus /etc/prometheus
  cp "$here/prometheus/prometheus.yml" "$ctx/data/etc/prometheus/prometheus.yml"
}

stage_alertmanager() {
  local ctx=$1 pkg=prometheus-alertmanager
  add_busybox "$ctx/rootfs"
  image_binary "$(from_package $pkg /usr/bin/prometheus-alertmanager)" /bin/alertmanager "$ctx/rootfs"
  image_binary "$(from_package $pkg /usr/bin/amtool)" /bin/amtool "$ctx/rootfs"
  # Debian's build reads its notification templates from here (the upstream
  # binary has them built in); without them it exits after loading its config.
  add_tree "$(from_package $pkg /usr/share/prometheus/alertmanager)" \
    /usr/share/prometheus/alertmanager "$ctx/rootfs"
  [[ -f $ctx/rootfs/usr/share/prometheus/alertmanager/default.tmpl ]] \
    || die "$pkg ships no /usr/share/prometheus/alertmanager/default.tmpl"
  data_dir "$ctx" /alertmanager /etc/alertmanager
  cp "$here/alertmanager/alertmanager.yml" "$ctx/data/etc/alertmanager/alertmanager.yml"
}

stage_node-exporter() {
  local ctx=$1
  add_busybox "$ctx/rootfs"
  image_binary "$(from_package prometheus-node-exporter /usr/bin/prometheus-node-exporter)" \
    /bin/node_exporter "$ctx/rootfs"
}

stage_postgres-exporter() {
  local ctx=$1
  add_busybox "$ctx/rootfs"
  image_binary "$(from_package prometheus-postgres-exporter /usr/bin/prometheus-postgres-exporter)" \
    /bin/postgres_exporter "$ctx/rootfs"
}

stage_redis-exporter() {
  local ctx=$1
  add_base "$ctx/rootfs"
  image_binary "$(from_package prometheus-redis-exporter /usr/bin/prometheus-redis-exporter)" \
    /redis_exporter "$ctx/rootfs"
}

stage_blackbox-exporter() {
  local ctx=$1 pkg=prometheus-blackbox-exporter
  add_busybox "$ctx/rootfs"
  image_binary "$(from_package $pkg /usr/bin/prometheus-blackbox-exporter)" \
    /bin/blackbox_exporter "$ctx/rootfs"
  mkdir -p "$ctx/rootfs/etc/blackbox_exporter"
  cp "$(from_package $pkg /etc/prometheus/blackbox.yml)" "$ctx/rootfs/etc/blackbox_exporter/config.yml"
}

stage_pushgateway() {
  local ctx=$1 pkg=prometheus-pushgateway
  add_busybox "$ctx/rootfs"
  image_binary "$(from_package $pkg /usr/bin/prometheus-pushgateway)" /bin/pushgateway "$ctx/rootfs"
  # Debian's build serves its web page from here (upstream's has it built in).
  add_tree "$(from_package $pkg /usr/share/prometheus/pushgateway)" \
    /usr/share/prometheus/pushgateway "$ctx/rootfs"
  data_dir "$ctx" /pushgateway
}

stage_victoria-metrics() {
  local ctx=$1
  add_base "$ctx/rootfs"
  image_binary "$(from_package victoria-metrics /usr/bin/victoria-metrics)" \
    /victoria-metrics-prod "$ctx/rootfs"
}

stage_app() {
  local ctx=$1
  add_busybox "$ctx/rootfs"
  mkdir -p "$ctx/rootfs/www/cgi-bin"
  cp "$here/app/metrics" "$ctx/rootfs/www/metrics"
  cp "$here/app/metrics.cgi" "$ctx/rootfs/www/cgi-bin/metrics"
  chmod 0755 "$ctx/rootfs/www/cgi-bin/metrics"
}

stage_grafana-standin() {
  local ctx=$1 bin dir
  bin=$(build_standin)
  add_busybox "$ctx/rootfs"
  image_binary "$bin" /bin/grafana-standin "$ctx/rootfs"
  mkdir -p "$ctx/rootfs/usr/share/grafana"
  data_dir "$ctx" /etc/grafana/provisioning /var/lib/grafana /var/log/grafana
  for dir in datasources dashboards notifiers plugins access-control alerting; do
    mkdir -p "$ctx/data/etc/grafana/provisioning/$dir"
  done
  mkdir -p "$ctx/data/var/lib/grafana/plugins"
}

# build_standin: build the grafana-standin crate in release mode and print the
# path of its executable.
build_standin() {
  local out bin
  command -v cargo >/dev/null || die "cargo is not on PATH; it is needed to build grafana-standin"
  log "cargo build --release -p grafana-standin"
  out=$(cd "$repo" && cargo build --release -p grafana-standin \
    --message-format=json-render-diagnostics) || die "cargo could not build grafana-standin"
  bin=$(grep '"reason":"compiler-artifact"' <<<"$out" \
    | grep '"name":"grafana-standin"' \
    | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
  [[ -n $bin && -x $bin ]] || die "cargo built grafana-standin but reported no executable"
  printf '%s\n' "$bin"
}

build_all() {
  local row dir var pkg tag image ctx started previous
  docker info >/dev/null 2>&1 \
    || die "the Docker engine does not answer (start it with scripts/test-env.sh)"
  for row in "${pinned_packages[@]}"; do
    read -r pkg _ <<<"$row"
    package_ready "$pkg" \
      || die "$pkg $(pinned_version "$pkg") is not unpacked in $test_env_dir (run tests/images/fetch.sh)"
  done
  work=$(mktemp -d "${TMPDIR:-/tmp}/obsctl-test-images.XXXXXX")
  # shellcheck disable=SC2064  # expand $work now
  trap "rm -rf '$work'" EXIT
  for row in "${images[@]}"; do
    read -r dir var pkg <<<"$row"
    tag=$(tag_for "$pkg" "$dir")
    image=$repository_prefix/$dir:$tag
    ctx=$work/$dir
    started=$(date +%s.%N)
    mkdir -p "$ctx/rootfs" "$ctx/data"
    cp "$here/$dir/Dockerfile" "$ctx/Dockerfile"
    "stage_$dir" "$ctx"
    previous=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null) || previous=
    # The legacy builder keeps COPY --chown semantics simple and needs no buildx.
    if ! DOCKER_BUILDKIT=0 docker build --build-arg "VERSION=$tag" -t "$image" "$ctx" \
      >"$work/$dir.log" 2>&1; then
      tail -n 30 "$work/$dir.log" >&2
      die "docker build of $image failed"
    fi
    # A changed image leaves the previous one untagged; drop it unless in use.
    if [[ -n $previous && $previous != "$(docker image inspect -f '{{.Id}}' "$image")" ]]; then
      docker image rm "$previous" >/dev/null 2>&1 || true
    fi
    log "$(printf '%-45s %6s  %s' "$image" \
      "$(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.1fM", $1 / 1e6 }')" \
      "$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1fs", e - s }')")"
  done
}

case ${1:-} in
  --print) print_images ;;
  "") build_all; print_images ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "unknown argument: $1 (expected --print or nothing)" ;;
esac
