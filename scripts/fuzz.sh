#!/usr/bin/env bash
# make fuzz: each parser of outside input under libFuzzer and AddressSanitizer for FUZZ_SECONDS (default 300),
# two targets at a time (one per core). Seeds: Tests/Fuzz/Seeds/TARGET; the growing corpus and any crash or
# timeout input: .build-fuzz/corpus/TARGET and .build-fuzz/artifacts/. Prints one summary line per target.
# A crash found belongs in Tests/Fuzz/Regressions/TARGET/ (make test replays them) with its fix.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-300}
targets=${FUZZ_TARGETS:-"draft registry config links html quote cron clip issue"}
fuzzer=.build-fuzz/release/briefd-fuzz
mkdir -p .build-fuzz/artifacts .build-fuzz/logs
# The project's own examples seed the targets that read them (not copied into Tests/Fuzz/Seeds).
extra_seeds() {
    case $1 in
        draft | links) echo examples/drafts ;;
        html) echo examples/pages ;;
        clip) echo examples/pages Tests/BriefdLinkTests/Fixtures/clip ;;
        issue) echo Tests/BriefdLinkTests/Fixtures/import ;;
        registry | config) echo config Tests/BriefdEndToEndTests/Fixtures/config ;;
    esac
}
run() {
    local target=$1
    mkdir -p ".build-fuzz/corpus/$target" "Tests/Fuzz/Seeds/$target"
    BRIEFD_FUZZ_TARGET=$target "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix=".build-fuzz/artifacts/$target-" \
        ".build-fuzz/corpus/$target" "Tests/Fuzz/Seeds/$target" $(extra_seeds "$target") > ".build-fuzz/logs/$target.log" 2>&1
    local status=$?
    local runs cov
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' ".build-fuzz/logs/$target.log" | grep -oE '[0-9]+$')
    cov=$(grep -oE 'cov: [0-9]+' ".build-fuzz/logs/$target.log" | tail -1 | grep -oE '[0-9]+')
    local found
    found=$(ls .build-fuzz/artifacts/ 2>/dev/null | grep -c "^$target-" || true)
    echo "$target: ${seconds} s, ${runs:-?} executions, coverage ${cov:-?} edges, exit $status, ${found} crash/timeout inputs"
}
for target in $targets; do
    run "$target" &
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do sleep 1; done
done
wait
