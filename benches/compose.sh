#!/usr/bin/env bash
# Benchmark: obsctl against docker compose (1.29) on the same stack, and
# against the physical limit of bringing that stack up with the Docker CLI.
#
# Both bring up Prometheus, Alertmanager, the Grafana stand-in and node-exporter
# from the same local images (tests/images/build.sh), with the same rendered
# configuration, commands, mounts, data volumes, restart policy and 127.0.0.1
# port bindings, and Prometheus joins an application's network (made by this
# script, with a container labelled prometheus.io/scrape on it, which obsctl
# discovers at every `up`). The two tools alternate (which goes first swaps
# every round) and each measurement is:
#
#   cold up   from nothing (no container, network or volume) until every
#             published service answers its readiness endpoint and Prometheus
#             lists its four targets and the Alertmanager: for obsctl,
#             `obsctl up` itself (it waits for both); for Compose, `up -d`
#             then polling /-/ready and /api/health, then /api/v1/targets and
#             /api/v1/alertmanagers
#   no-op up  the same command again with nothing changed (for obsctl: the
#             plan against Docker, the application's network checked, the
#             labelled containers read, and nothing written)
#   down      stop and remove containers and network, keeping the volumes
#
#   limit     the least any tool can do for a cold up through Docker: one
#             `docker network create`, every container created at once
#             (`docker run -d` in parallel, no start order; Prometheus
#             created, connected to the application's network and started),
#             then the same readiness and wiring polling as for Compose
#
# Prints the median of each (milliseconds) and obsctl/Compose ratios next to
# the targets: cold up <= 1.0x, no-op up <= 0.3x and < 50 ms, down <= 1.0x;
# and obsctl's cold up against the limit (target <= 1.1x). Most of a cold up
# is Prometheus' first service-discovery pass (about 5 s) before it lists its
# targets, which no tool can shorten, so the limit is the measure that counts.
#
# Usage: benches/compose.sh [ROUNDS]        (default 5)
# Environment: OBSCTL (binary, default target/release/obsctl, built if absent),
#   COMPOSE (default docker-compose), OBSCTL_TEST_*_IMAGE (default: build.sh --print),
#   BENCH_PORT_BASE (default 29000, below the ephemeral port range, so that no
#   client socket of the polling holds one; obsctl uses BASE+90/93/30,
#   Compose BASE+190/193/130, the limit BASE+290/293/230),
#   BENCH_COMPOSE_ORDER (default 1: the Compose file has the same depends_on
#   order as obsctl's start stages; 0 lets Compose start everything at once).
# Needs: a running Docker engine, the test images, docker-compose, curl; root
# (the Grafana password file is handed to the container's uid, as obsctl does).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${1:-5}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "compose.sh: ROUNDS must be a positive number" >&2; exit 2; }
obsctl=${OBSCTL:-$repo/target/release/obsctl}
compose=${COMPOSE:-docker-compose}
base=${BENCH_PORT_BASE:-29000}
export LC_ALL=C

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

command -v "$compose" >/dev/null || die "$compose not found (apt-get install docker-compose)"
command -v curl >/dev/null || die "curl not found"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (scripts/test-env.sh starts one)"
if [[ ! -x $obsctl ]]; then
  log "building obsctl (release)"
  (cd "$repo" && cargo build --release --quiet) || die "cargo build failed"
fi
eval "$(bash "$repo/tests/images/build.sh" --print | sed 's/^/: ${/; s/=/:=/; s/$/}/')"
for image in "$OBSCTL_TEST_PROMETHEUS_IMAGE" "$OBSCTL_TEST_ALERTMANAGER_IMAGE" \
  "$OBSCTL_TEST_NODE_EXPORTER_IMAGE" "$OBSCTL_TEST_GRAFANA_STANDIN_IMAGE" "$OBSCTL_TEST_APP_IMAGE"; do
  docker image inspect "$image" >/dev/null 2>&1 || die "image $image is missing (run tests/images/build.sh)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/obsctl-bench.XXXXXX")
# The application's network (made below, once cleanup is set up).
app_net=bench-app-$$

o_dir=$work/obsctl
c_dir=$work/compose
l_dir=$work/limit
mkdir -p "$o_dir" "$c_dir" "$l_dir"

# spec NAME PORT_OFFSET: the spec both stacks are rendered from.
spec() {
  cat <<EOF
name: $1
networks: [$app_net]
prometheus: {image: "$OBSCTL_TEST_PROMETHEUS_IMAGE", port: $((base + $2 + 90))}
alertmanager: {image: "$OBSCTL_TEST_ALERTMANAGER_IMAGE", port: $((base + $2 + 93))}
grafana: {image: "$OBSCTL_TEST_GRAFANA_STANDIN_IMAGE", port: $((base + $2 + 30))}
exporters:
  node: {image: "$OBSCTL_TEST_NODE_EXPORTER_IMAGE"}
EOF
}
spec bench-obsctl 0 >"$o_dir/obsctl.yaml"
spec bench-compose 100 >"$c_dir/obsctl.yaml"
spec bench-limit 200 >"$l_dir/obsctl.yaml"

# The Compose stack uses files rendered by obsctl for its own name, so that
# both run exactly the same configuration.
# So does the limit, for its own name.
for dir in "$c_dir" "$l_dir"; do
  (cd "$dir" && "$obsctl" render >/dev/null 2>&1) || die "obsctl render failed"
  mkdir -p "$dir/.obsctl/grafana/secrets"
  head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$dir/.obsctl/grafana/secrets/admin-password"
  chmod 0600 "$dir/.obsctl/grafana/secrets/admin-password"
  chown 472 "$dir/.obsctl/grafana/secrets/admin-password"
done
d=$c_dir/.obsctl
# depends SERVICE...: the same start order obsctl uses (exporters and
# Alertmanager, then Prometheus, then Grafana), unless BENCH_COMPOSE_ORDER=0.
depends() {
  [[ ${BENCH_COMPOSE_ORDER:-1} == 0 ]] && return
  printf '    depends_on: [%s]' "$(printf '%s, ' "$@" | sed 's/, $//')"
}
cat >"$c_dir/docker-compose.yml" <<EOF
version: "2.4"
services:
  node-exporter:
    image: $OBSCTL_TEST_NODE_EXPORTER_IMAGE
    container_name: bench-compose-node-exporter
    command: ["--path.rootfs=/host"]
    pid: host
    volumes: ["/:/host:ro"]
    restart: unless-stopped
  alertmanager:
    image: $OBSCTL_TEST_ALERTMANAGER_IMAGE
    container_name: bench-compose-alertmanager
    command: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager", "--cluster.listen-address="]
    volumes: ["$d/alertmanager:/etc/alertmanager:ro", "alertmanager-data:/alertmanager"]
    ports: ["127.0.0.1:$((base + 193)):9093"]
    extra_hosts: ["host.docker.internal:host-gateway"]
    restart: unless-stopped
  prometheus:
    image: $OBSCTL_TEST_PROMETHEUS_IMAGE
    container_name: bench-compose-prometheus
    command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.enable-lifecycle", "--storage.tsdb.retention.time=15d"]
    volumes: ["$d/prometheus:/etc/prometheus:ro", "prometheus-data:/prometheus"]
    ports: ["127.0.0.1:$((base + 190)):9090"]
    extra_hosts: ["host.docker.internal:host-gateway"]
    networks: [default, app]
    restart: unless-stopped
$(depends alertmanager node-exporter)
  grafana:
    image: $OBSCTL_TEST_GRAFANA_STANDIN_IMAGE
    container_name: bench-compose-grafana
    environment:
      GF_SECURITY_ADMIN_USER: admin
      GF_SECURITY_ADMIN_PASSWORD__FILE: /etc/grafana/secrets/admin-password
      GF_USERS_ALLOW_SIGN_UP: "false"
      GF_AUTH_ANONYMOUS_ENABLED: "false"
      GF_SERVER_ROOT_URL: http://localhost:$((base + 130))/
    volumes:
      - "$d/grafana/provisioning:/etc/grafana/provisioning:ro"
      - "$d/grafana/dashboards:/etc/grafana/dashboards:ro"
      - "$d/grafana/secrets:/etc/grafana/secrets:ro"
      - "grafana-data:/var/lib/grafana"
    ports: ["127.0.0.1:$((base + 130)):3000"]
    restart: unless-stopped
$(depends prometheus)
volumes:
  prometheus-data:
  alertmanager-data:
  grafana-data:
networks:
  app:
    external: true
    name: $app_net
EOF

o() { (cd "$o_dir" && "$obsctl" "$@" >/dev/null 2>"$work/obsctl.err") || { cat "$work/obsctl.err" >&2; die "obsctl $* failed"; }; }
c() { (cd "$c_dir" && "$compose" -p benchcompose --ansi never "$@" >/dev/null 2>"$work/compose.err") || { cat "$work/compose.err" >&2; die "$compose $* failed"; }; }

# ready OFFSET: poll the readiness endpoints of the stack whose ports are
# BASE+OFFSET+90/93/30 (60 s deadline).
ready() {
  local deadline=$((${EPOCHREALTIME/./} + 60000000)) url
  for url in "http://127.0.0.1:$((base + $1 + 90))/-/ready" "http://127.0.0.1:$((base + $1 + 93))/-/ready" \
    "http://127.0.0.1:$((base + $1 + 30))/api/health"; do
    until curl -sf -o /dev/null --max-time 1 "$url"; do
      ((${EPOCHREALTIME/./} < deadline)) || die "stack not ready: $url"
      sleep 0.02
    done
  done
}

# wired OFFSET: poll that stack's Prometheus until it lists its four targets
# and the Alertmanager, as `obsctl up` waits for (60 s deadline).
wired() {
  local deadline=$((${EPOCHREALTIME/./} + 60000000)) prom="http://127.0.0.1:$((base + $1 + 90))/api/v1"
  until (($(curl -sf --max-time 1 "$prom/targets?state=active" | grep -o '"scrapePool"' | wc -l) >= 4)) &&
    curl -sf --max-time 1 "$prom/alertmanagers" | grep -q '"activeAlertmanagers":\[{'; do
    ((${EPOCHREALTIME/./} < deadline)) || die "the Prometheus on port $((base + $1 + 90)) did not list its targets and Alertmanager"
    sleep 0.02
  done
}

# timed VAR CMD...: run CMD, append its wall time in ms to the array VAR.
timed() {
  local -n into=$1
  shift
  local start=${EPOCHREALTIME/./}
  "$@"
  into+=($(((${EPOCHREALTIME/./} - start) / 1000)))
}

compose_cold() { c up -d; ready 100; wired 100; }

# The limit: the Compose file's containers, started by hand, all at once.
ld=$l_dir/.obsctl
l() { "$@" >/dev/null 2>"$work/limit.err" || { cat "$work/limit.err" >&2; die "$* failed"; }; }
limit_cold() {
  l docker network create bench-limit-net
  l docker run -d --name bench-limit-node-exporter --network bench-limit-net --pid host \
    -v /:/host:ro --restart unless-stopped "$OBSCTL_TEST_NODE_EXPORTER_IMAGE" --path.rootfs=/host &
  l docker run -d --name bench-limit-alertmanager --network bench-limit-net \
    -v "$ld/alertmanager:/etc/alertmanager:ro" -v bench-limit-alertmanager-data:/alertmanager \
    -p "127.0.0.1:$((base + 293)):9093" --add-host host.docker.internal:host-gateway --restart unless-stopped \
    "$OBSCTL_TEST_ALERTMANAGER_IMAGE" --config.file=/etc/alertmanager/alertmanager.yml \
    --storage.path=/alertmanager --cluster.listen-address= &
  { l docker create --name bench-limit-prometheus --network bench-limit-net \
    -v "$ld/prometheus:/etc/prometheus:ro" -v bench-limit-prometheus-data:/prometheus \
    -p "127.0.0.1:$((base + 290)):9090" --add-host host.docker.internal:host-gateway --restart unless-stopped \
    "$OBSCTL_TEST_PROMETHEUS_IMAGE" --config.file=/etc/prometheus/prometheus.yml \
    --storage.tsdb.path=/prometheus --web.enable-lifecycle --storage.tsdb.retention.time=15d
    l docker network connect "$app_net" bench-limit-prometheus
    l docker start bench-limit-prometheus; } &
  l docker run -d --name bench-limit-grafana --network bench-limit-net \
    -e GF_SECURITY_ADMIN_USER=admin -e GF_SECURITY_ADMIN_PASSWORD__FILE=/etc/grafana/secrets/admin-password \
    -e GF_USERS_ALLOW_SIGN_UP=false -e GF_AUTH_ANONYMOUS_ENABLED=false \
    -e "GF_SERVER_ROOT_URL=http://localhost:$((base + 230))/" \
    -v "$ld/grafana/provisioning:/etc/grafana/provisioning:ro" -v "$ld/grafana/dashboards:/etc/grafana/dashboards:ro" \
    -v "$ld/grafana/secrets:/etc/grafana/secrets:ro" -v bench-limit-grafana-data:/var/lib/grafana \
    -p "127.0.0.1:$((base + 230)):3000" --restart unless-stopped "$OBSCTL_TEST_GRAFANA_STANDIN_IMAGE" &
  wait
  ready 200
  wired 200
}
limit_down() {
  docker rm -f bench-limit-node-exporter bench-limit-alertmanager bench-limit-prometheus bench-limit-grafana >/dev/null 2>&1 || true
  docker network rm bench-limit-net >/dev/null 2>&1 || true
  docker volume rm bench-limit-alertmanager-data bench-limit-prometheus-data bench-limit-grafana-data >/dev/null 2>&1 || true
}

o_cold=() o_noop=() o_down=() c_cold=() c_noop=() c_down=() l_cold=()
run_obsctl() {
  o down --volumes
  timed o_cold o up --pull never
  timed o_noop o up --pull never
  timed o_down o down
  o down --volumes
}
run_compose() {
  c down -v
  timed c_cold compose_cold
  timed c_noop c up -d
  timed c_down c down
  c down -v
}
run_limit() {
  limit_down
  timed l_cold limit_cold
  limit_down
}
cleanup() {
  limit_down
  (cd "$o_dir" && "$obsctl" down --volumes >/dev/null 2>&1) || true
  (cd "$c_dir" && "$compose" -p benchcompose down -v >/dev/null 2>&1) || true
  docker rm -f "$app_net" >/dev/null 2>&1 || true
  docker network rm "$app_net" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# The application: its own network, and one container labelled for scraping.
docker network create "$app_net" >/dev/null || die "cannot create network $app_net"
docker run -d --name "$app_net" --network "$app_net" --label prometheus.io/scrape=true \
  --label prometheus.io/path=/cgi-bin/metrics "$OBSCTL_TEST_APP_IMAGE" >/dev/null \
  || die "cannot start the application container"

log "$rounds rounds, alternating; obsctl $("$obsctl" --version | awk '{print $2}'), $("$compose" version --short 2>/dev/null || echo compose)"
# One untimed warm-up of each, so neither pays for cold caches.
run_obsctl
run_compose
run_limit
o_cold=() o_noop=() o_down=() c_cold=() c_noop=() c_down=() l_cold=()
for ((i = 1; i <= rounds; i++)); do
  if ((i % 2)); then run_obsctl; run_compose; run_limit; else run_limit; run_compose; run_obsctl; fi
  log "round $i: obsctl cold ${o_cold[-1]} noop ${o_noop[-1]} down ${o_down[-1]} ms; compose cold ${c_cold[-1]} noop ${c_noop[-1]} down ${c_down[-1]} ms; limit cold ${l_cold[-1]} ms"
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
row() { # name obsctl compose target-ratio [absolute-ms]
  local ratio verdict=ok
  ratio=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", a / b }')
  awk -v r="$ratio" -v t="$4" 'BEGIN { exit !(r > t) }' && verdict=MISSED
  [[ -n ${5:-} ]] && (($2 >= $5)) && verdict=MISSED
  printf '%-10s %10s %12s %7sx   <= %sx%s  %s\n' "$1" "$2" "$3" "$ratio" "$4" "${5:+ and < $5 ms}" "$verdict"
}
printf '%-10s %10s %12s %8s   %s\n' "median ms" obsctl compose ratio target
row "cold up" "$(median "${o_cold[@]}")" "$(median "${c_cold[@]}")" 1.0
row "no-op up" "$(median "${o_noop[@]}")" "$(median "${c_noop[@]}")" 0.3 50
row "down" "$(median "${o_down[@]}")" "$(median "${c_down[@]}")" 1.0
printf '%-10s %10s %12s %8s   %s\n' "median ms" obsctl limit ratio target
row "cold up" "$(median "${o_cold[@]}")" "$(median "${l_cold[@]}")" 1.1
