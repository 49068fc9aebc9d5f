#!/usr/bin/env bash
# Benchmark: `obsctl dashboards import` of many dashboards, one at a time
# (--concurrency 1) against the default pool (--concurrency 8).
#
#   benches/dashboards_import.sh [ROUNDS]
#
# Builds release binaries of obsctl and the Grafana stand-in, writes
# $DASHBOARDS dashboards (in four folders), and then, ROUNDS times (default 5)
# and alternating the two settings so that drift hits both alike, starts a
# fresh stand-in on loopback, imports every dashboard into it and times only
# the import. Prints each run, the medians and their ratio.
#
# The stand-in answers at once, while a real Grafana writes each save to its
# database. Each save is therefore delayed by STANDIN_SAVE_DELAY_MS (default
# here 20 ms: a dashboard save with its version row on a server database, or
# the round trip to a Grafana elsewhere on the network). Set it to 0 to see
# the stand-in's raw speed. A Grafana on SQLite serialises its writes, so there
# the gain from concurrency is smaller than measured here.
#
# Environment: DASHBOARDS (default 200), STANDIN_SAVE_DELAY_MS (default 20).
# Narration goes to stderr, results to stdout.
set -euo pipefail

rounds=${1:-5}
dashboards=${DASHBOARDS:-200}
delay_ms=${STANDIN_SAVE_DELAY_MS:-20}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [ROUNDS]" >&2; exit 2; }
[[ $dashboards =~ ^[1-9][0-9]*$ ]] || { echo "DASHBOARDS must be a positive number" >&2; exit 2; }
[[ $delay_ms =~ ^[0-9]+$ ]] || { echo "STANDIN_SAVE_DELAY_MS must be whole milliseconds" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is needed to wait for the stand-in" >&2; exit 2; }
export LC_ALL=C # $EPOCHREALTIME with a decimal point

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf 'bench: %s\n' "$*" >&2; }

log "building release binaries"
cargo build --release --quiet --manifest-path "$repo/Cargo.toml" -p obsctl --bin obsctl -p grafana-standin --bin grafana-standin
target_dir=$(cargo metadata --format-version 1 --no-deps --manifest-path "$repo/Cargo.toml" | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
obsctl=$target_dir/release/obsctl
standin=$target_dir/release/grafana-standin

work=$(mktemp -d)
pid=
stop_standin() {
  if [[ -n $pid ]]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
  fi
}
trap 'stop_standin; rm -rf "$work"' EXIT

# ------------------------------------------------------------- dashboards ---
log "writing $dashboards dashboards"
mkdir -p "$work/provisioning/datasources"
cat >"$work/provisioning/datasources/prometheus.yaml" <<'EOF'
apiVersion: 1
datasources:
  - {name: Prometheus, type: prometheus, uid: prom-main, url: 'http://prometheus:9090', access: proxy, isDefault: true}
EOF
for ((i = 0; i < dashboards; i++)); do
  folder=$work/dashboards/team-$((i % 4))
  mkdir -p "$folder"
  # Shaped like an exported dashboard: __inputs placeholders, a few panels.
  panels=
  for ((p = 1; p <= 6; p++)); do
    panels+="${panels:+,}{\"id\":$p,\"type\":\"timeseries\",\"title\":\"Panel $p\",\"gridPos\":{\"x\":$(((p % 2) * 12)),\"y\":$((p * 8)),\"w\":12,\"h\":8},\"datasource\":{\"type\":\"prometheus\",\"uid\":\"\${DS_PROMETHEUS}\"},\"targets\":[{\"refId\":\"A\",\"datasource\":{\"type\":\"prometheus\",\"uid\":\"\${DS_PROMETHEUS}\"},\"expr\":\"sum by (job) (rate(http_requests_total{service=\\\"svc-$i\\\"}[5m]))\"}]}"
  done
  printf '{"__inputs":[{"name":"DS_PROMETHEUS","type":"datasource","pluginId":"prometheus"}],"uid":"bench-%d","title":"Service %d","schemaVersion":39,"panels":[%s]}\n' \
    "$i" "$i" "$panels" >"$folder/service-$i.json"
done

# ---------------------------------------------------------------- stand-in ---
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "bench: no free port found" >&2
  exit 1
}

# Starts a fresh stand-in (empty: every import run creates every dashboard)
# and waits until it answers, under a deadline.
start_standin() {
  port=$(free_port)
  GF_SERVER_HTTP_ADDR=127.0.0.1 GF_SERVER_HTTP_PORT=$port GF_SECURITY_ADMIN_PASSWORD=bench \
    GF_PATHS_PROVISIONING=$work/provisioning GF_LOG_LEVEL=warn STANDIN_SAVE_DELAY_MS=$delay_ms \
    "$standin" 2>>"$work/standin.log" &
  pid=$!
  local deadline=$((SECONDS + 10))
  until curl -fs -o /dev/null "http://127.0.0.1:$port/api/health"; do
    ((SECONDS < deadline)) || { echo "bench: the stand-in did not answer in 10 s" >&2; cat "$work/standin.log" >&2; exit 1; }
    kill -0 "$pid" 2>/dev/null || { echo "bench: the stand-in exited" >&2; cat "$work/standin.log" >&2; exit 1; }
    sleep 0.05
  done
}

# One timed import into a fresh stand-in; prints the seconds it took.
run_once() {
  local concurrency=$1 start end
  start_standin
  rm -rf "$work/state"
  start=$EPOCHREALTIME
  XDG_STATE_HOME=$work/state "$obsctl" dashboards import "$work/dashboards" \
    --url "http://127.0.0.1:$port" --user admin --password bench \
    --concurrency "$concurrency" --output json >"$work/out.json"
  end=$EPOCHREALTIME
  stop_standin
  local created
  created=$(grep -o '"created":[0-9]*' "$work/out.json" | head -1 | cut -d: -f2)
  [[ $created == "$dashboards" ]] || { echo "bench: expected $dashboards created, got ${created:-none}" >&2; exit 1; }
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

log "importing $dashboards dashboards, $rounds rounds, each save delayed ${delay_ms} ms by the stand-in"
serial=()
pooled=()
for ((r = 1; r <= rounds; r++)); do
  s=$(run_once 1)
  p=$(run_once 8)
  serial+=("$s")
  pooled+=("$p")
  printf 'round %d: --concurrency 1: %ss   --concurrency 8 (default): %ss\n' "$r" "$s" "$p"
done
ms=$(printf '%s\n' "${serial[@]}" | median)
mp=$(printf '%s\n' "${pooled[@]}" | median)
echo "stand-in save delay: ${delay_ms} ms per dashboard save (STANDIN_SAVE_DELAY_MS; simulates a database write)"
echo "median --concurrency 1: ${ms}s"
echo "median --concurrency 8: ${mp}s"
awk -v a="$ms" -v b="$mp" 'BEGIN { printf "speed-up: %.1fx (target >= 4x)\n", a / b }'
