#!/usr/bin/env bash
# Fuzzes the spec loader, `dashboards lint` and the dashboard import mapping
# for as long as asked: the generators of tests/fuzz.rs, built with
# optimisations, from a random seed.
#
#   scripts/fuzz.sh                     # 60 s per generator
#   scripts/fuzz.sh --seconds 600       # ten minutes per generator
#   scripts/fuzz.sh --cases 100000      # a number of cases per generator instead
#   scripts/fuzz.sh --seed 1234 spec    # replay a seed; only the spec generators
#
# A trailing word filters the generators by name (spec, lint, import, bytes,
# mutated, deep...). A failing input is shrunk and saved under
# tests/fuzz-regressions/<target>/, which every suite run replays; an input
# that kills the process (a stack overflow) is saved from the last one each
# generator wrote before running it. Prints the cases run and the failures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=60
cases=""
seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
filter=survives
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --cases) cases=$2; seconds=""; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) filter=$1; shift ;;
    esac
done

export OBSCTL_FUZZ_SEED=$seed OBSCTL_FUZZ_SAVE=1
if [ -n "$seconds" ]; then
    export OBSCTL_FUZZ_SECONDS=$seconds OBSCTL_FUZZ_CASES=${OBSCTL_FUZZ_CASES:-2000}
else
    export OBSCTL_FUZZ_CASES=$cases
fi
echo "fuzzing (seed $seed, ${seconds:+$seconds s}${cases:+$cases cases} per generator, filter '$filter')" >&2

cargo test --release --test fuzz --no-run >&2
rm -f target/tmp/fuzz/*.last
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --release --test fuzz -- --nocapture --test-threads=2 "$filter" 2>&1 | tee "$log" >&2 || status=$?

total=$(grep -oE '^fuzz [a-z/-]+: [0-9]+ cases' "$log" | awk '{s += $3} END {print s + 0}')
failed=$(grep -cE '^fuzz [a-z/-]+: FAILED' "$log" || true)
echo
grep -E '^fuzz [a-z/-]+: ' "$log" || true
if [ "$status" -ne 0 ] && grep -qE 'overflowed its stack|SIGABRT|SIGSEGV|signal:' "$log"; then
    # The process died: keep what each generator was running last.
    for last in target/tmp/fuzz/*.last; do
        [ -e "$last" ] || continue
        target=$(basename "$last" .last)
        target=${target%%.*}
        dir="tests/fuzz-regressions/$target"
        mkdir -p "$dir"
        name=$(sha256sum "$last" | cut -c1-16)
        cp "$last" "$dir/$name.txt"
        echo "the process died; the last input of $target is saved as $dir/$name.txt"
        failed=$((failed + 1))
    done
fi
echo "$total cases passed, $failed failed (seed $seed)"
exit "$status"
