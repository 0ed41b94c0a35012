#!/bin/sh
# Runs every cargo-fuzz target for a set time, one after another, at the lowest
# CPU priority. Not part of CI: run it by hand before a release.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 600, every target)
#
# New inputs go to fuzz/work/<target>/ (not committed); the seeds committed in
# fuzz/corpus/<target>/ are read too. Crashes land in fuzz/artifacts/<target>/.
# The last libFuzzer status line of each target is appended to fuzz/work/summary.txt.
# Needs the nightly toolchain and `cargo install cargo-fuzz`.
set -eu

seconds=${1:-600}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/../fuzz"
targets=${*:-$(cargo +nightly fuzz list)}

cargo +nightly fuzz build
mkdir -p work
echo "== $(date -u +%Y-%m-%dT%H:%MZ) ${seconds}s per target" >> work/summary.txt
status=0
for target in $targets; do
    mkdir -p "work/$target"
    log="work/$target.log"
    echo "fuzzing $target for ${seconds}s (log: fuzz/$log)"
    if nice -n 19 cargo +nightly fuzz run "$target" "work/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 > "$log" 2>&1; then
        result=ok
    else
        result=CRASH
        status=1
    fi
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "$target: $result runs=${runs:-?} last: $last" | tee -a work/summary.txt
done
exit $status
