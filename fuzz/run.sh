#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds traceflow's libFuzzer targets and runs them with the project's settings.
#
#   fuzz/run.sh [all|TARGET...]          build, seed and fuzz (default: all four)
#   fuzz/run.sh repro TARGET FILE...     run TARGET once on each FILE (a crash reproducer)
#   fuzz/run.sh summary [TARGET...]      executions and final cov/ft from the last run's logs
#
# Environment (defaults): BUILD_DIR (build-fuzz), TRACEFLOW_REFERENCE_DIR
# (../shared/reference; seeds come from its captures/), JOBS (2),
# RUNS (10000000 executions in total), MAX_TIME (900 s per target),
# MAX_LEN (4096), FUZZ_DEFINES.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${BUILD_DIR:-$src/build-fuzz}
ref=${TRACEFLOW_REFERENCE_DIR:-$src/../shared/reference}
jobs=${JOBS:-2}
runs=${RUNS:-10000000}
max_time=${MAX_TIME:-900}
max_len=${MAX_LEN:-4096}
all_targets=(fuzz_pcap_reader fuzz_pcapng_reader fuzz_decoder fuzz_trace)

# A small ASan quarantine: use-after-free is still caught for the last 16 MB
# freed, and the fuzz_trace target runs ~3x faster (fewer fresh pages).
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

build_targets() {
    cmake -S "$src" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE= \
        -DTRACEFLOW_BUILD_FUZZERS=ON -DTRACEFLOW_BUILD_TESTS=OFF -DTRACEFLOW_BUILD_EXAMPLES=OFF \
        -DTRACEFLOW_BUILD_BENCHMARKS=OFF -DTRACEFLOW_INSTALL=OFF \
        "-DTRACEFLOW_FUZZ_DEFINES=${FUZZ_DEFINES:-}" >/dev/null
    cmake --build "$build" -j"$jobs"
}

make_seeds() {
    # Seeds live in the build folder, never in the repository.
    if [[ ! -d "$ref/captures" ]]; then
        echo "no seed captures in $ref/captures (set TRACEFLOW_REFERENCE_DIR)" >&2
        exit 1
    fi
    mkdir -p "$build/seeds/captures" "$build/seeds/frames"
    cp -u "$ref"/captures/* "$build/seeds/captures/"
    if [[ -z "$(ls -A "$build/seeds/frames")" ]]; then
        "$build/fuzz/make_decoder_seeds" "$build/seeds/frames" "$ref"/captures/*
    fi
}

seed_dir() {
    case $1 in
        fuzz_decoder) echo "$build/seeds/frames" ;;
        *) echo "$build/seeds/captures" ;;
    esac
}

run_target() {
    local t=$1
    local corpus=$build/corpus/$t artifacts=$build/artifacts/$t logs=$build/logs/$t
    mkdir -p "$corpus" "$artifacts" "$logs"
    echo "== $t: fork mode, $jobs workers, until $runs executions or ${max_time}s; log $logs/fuzz.log"
    # Fork mode keeps fuzzing after a crash (each reproducer is saved to the
    # artifacts folder) and stops at -runs total executions or -max_total_time.
    "$build/fuzz/$t" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -runs="$runs" -max_total_time="$max_time" -timeout=5 -rss_limit_mb=2048 -max_len="$max_len" \
        -artifact_prefix="$artifacts/" "$corpus" "$(seed_dir "$t")" >"$logs/fuzz.log" 2>&1 || true
    summary "$t"
}

summary() {
    local t=$1 log=$build/logs/$t/fuzz.log
    [[ -f $log ]] || { echo "  $t: no log"; return; }
    # Fork mode's status lines: "#EXECS: cov: C ft: F corp: ... time: T job: J".
    echo "  $t: $(grep -E '^#[0-9]+: cov:' "$log" | tail -1)"
    grep -E '^INFO: (fuzzed for|exiting)' "$log" | tail -2 | sed 's/^/    /' || true
    grep -E 'CRASH|Test unit written|invariant broken|runtime error|ERROR: AddressSanitizer|ERROR: LeakSanitizer' \
        "$log" | sort | uniq -c | sed 's/^/    /' || true
    echo "    reproducers: $(ls "$build/artifacts/$t" 2>/dev/null | wc -l) in $build/artifacts/$t"
}

case ${1:-all} in
    repro)
        shift
        t=$1
        shift
        build_targets >/dev/null
        "$build/fuzz/$t" -runs=1 "$@"
        ;;
    summary)
        shift
        for t in "${@:-${all_targets[@]}}"; do summary "$t"; done
        ;;
    all)
        build_targets
        make_seeds
        for t in "${all_targets[@]}"; do run_target "$t"; done
        ;;
    *)
        build_targets
        make_seeds
        for t in "$@"; do run_target "$t"; done
        ;;
esac
