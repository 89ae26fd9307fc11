# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Shared by the cluster tests (sourced): arguments, a temp folder, and
# same_as_plain, which runs a split run and the plain run of the same options
# and compares their standard output, exit status and -o folders.
#
# Arguments of every test: TRACEFLOW SAMPLE_PCAP BIG_PCAP.

if [ "$#" -ne 3 ]; then
    echo "usage: $0 TRACEFLOW SAMPLE_PCAP BIG_PCAP" >&2
    exit 1
fi
traceflow_bin=$(readlink -f -- "$1")
sample=$(readlink -f -- "$2")
big=$(readlink -f -- "$3")
tools=$(readlink -f -- "$(dirname -- "${BASH_SOURCE[0]}")/../../tools/cluster")
for f in "$traceflow_bin" "$sample" "$big" "$tools/traceflow-parallel" "$tools/traceflow-slurm"; do
    [ -e "$f" ] || { echo "missing: $f" >&2; exit 1; }
done
# The scripts find traceflow on PATH: the binary under test first.
PATH=$(dirname -- "$traceflow_bin"):$PATH
export PATH

tmp=$(mktemp -d "${TMPDIR:-/tmp}/traceflow-cluster-test.XXXXXX")
failures=0
cases=0

# A test that starts daemons redefines this; they stop before their folder goes.
stop_services() { :; }
on_exit() {
    local rc=$?
    set +e  # stop everything even when a step of it fails
    stop_services
    if [ "$rc" = 0 ] && [ "$failures" = 0 ]; then rm -rf -- "$tmp"; else echo "files kept in $tmp" >&2; fi
}
trap on_exit EXIT
# Runs that are not in a case folder of their own start here (default work folders land here).
cd "$tmp" || exit 1

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# A copy of SOURCE cut in the middle of a record (not at a record boundary): the
# plain run of it must say 2. Prints its path.
damaged_copy() {
    local source=$1 out=$2 size cut
    size=$(wc -c <"$source")
    for ((cut = size / 2; cut < size / 2 + 64; cut++)); do
        head -c "$cut" -- "$source" >"$out"
        if [ "$(traceflow -q "$out" >/dev/null 2>&1; echo $?)" = 2 ]; then
            printf '%s' "$out"
            return 0
        fi
    done
    echo "no cut of $source is damaged" >&2
    exit 1
}

# same_as_plain LABEL SPLIT_COMMAND... -- TRACEFLOW_ARGS...
# Runs `traceflow TRACEFLOW_ARGS` and `SPLIT_COMMAND TRACEFLOW_ARGS` each in its
# own empty folder (so a relative -o DIR reads the same in both listings) and
# compares them. The split run must leave nothing else in its folder (its own
# work folder is removed).
same_as_plain() {
    local t0=$SECONDS
    local label=$1 split=() dir prc=0 src=0 extra
    shift
    while [ "$1" != -- ]; do
        split+=("$1")
        shift
    done
    shift
    cases=$((cases + 1))
    dir=$tmp/case-$cases
    mkdir -p "$dir/plain" "$dir/split"
    (cd "$dir/plain" && traceflow "$@" >../plain.out 2>../plain.err) || prc=$?
    (cd "$dir/split" && "${split[@]}" "$@" >../split.out 2>../split.err) || src=$?
    if [ ! -s "$dir/plain.out" ]; then
        fail "$label: the plain run printed nothing (exit $prc): $(head -c 500 "$dir/plain.err")"
        return 0
    fi
    if [ "$prc" != "$src" ]; then
        fail "$label: exit $src, the plain run $prc; stderr:"
        sed 's/^/  /' "$dir/split.err" >&2
    fi
    if ! cmp -s "$dir/plain.out" "$dir/split.out"; then
        fail "$label: standard output differs from the plain run's:"
        diff "$dir/plain.out" "$dir/split.out" | head -n 20 >&2
        sed 's/^/  stderr: /' "$dir/split.err" >&2
    fi
    if [ -d "$dir/plain/out" ] || [ -d "$dir/split/out" ]; then
        if ! diff -r "$dir/plain/out" "$dir/split/out" >"$dir/files.diff" 2>&1; then
            fail "$label: the -o folders differ:"
            head -n 20 "$dir/files.diff" >&2
        elif [ -z "$(ls -A "$dir/plain/out")" ]; then
            fail "$label: -o wrote no files"
        fi
    fi
    extra=$(find "$dir/split" -mindepth 1 -maxdepth 1 ! -name out)
    if [ -n "$extra" ]; then fail "$label: left behind in the current folder: $extra"; fi
    echo "ok ($label): exit $src, $(wc -l <"$dir/split.out") lines, $((SECONDS - t0)) s"
}

# expect_status LABEL STATUS COMMAND...: the command's exit status, output shown on failure.
expect_status() {
    local label=$1 want=$2 rc=0 t0=$SECONDS
    shift 2
    cases=$((cases + 1))
    "$@" >"$tmp/status.out" 2>"$tmp/status.err" || rc=$?
    if [ "$rc" != "$want" ]; then
        fail "$label: exit $rc, expected $want"
        sed 's/^/  /' "$tmp/status.err" >&2
    else
        echo "ok ($label): exit $rc, $((SECONDS - t0)) s: $(head -n 1 "$tmp/status.err")"
    fi
}

# fake_traceflow NAME RANGE ACTION: a traceflow that runs ACTION (bash) when
# one of its arguments is RANGE (one map's byte range), else is the real one.
# Prints its folder, to put first on PATH.
fake_traceflow() {
    local dir=$tmp/fake-$1 range=$2 action=$3
    mkdir -p "$dir"
    cat >"$dir/traceflow" <<EOF
#!/usr/bin/env bash
for word in "\$@"; do
    if [ "\$word" = $(printf '%q' "$range") ]; then $action; fi
done
exec $(printf '%q' "$traceflow_bin") "\$@"
EOF
    chmod +x "$dir/traceflow"
    printf '%s' "$dir"
}

# interrupted LABEL COMMAND...: runs COMMAND (a split run whose traceflow is
# fake_traceflow ... 'echo $$ >FILE; exec sleep 60' with FILE=$tmp/sleeper),
# sends it TERM once that map runs, and checks that it exits 143 and the map
# is gone. Prints the run's exit status.
interrupted() {
    local label=$1 pid rc=0 i sleeper
    shift
    cases=$((cases + 1))
    rm -f "$tmp/sleeper"
    "$@" >"$tmp/interrupted.out" 2>"$tmp/interrupted.err" &
    pid=$!
    for ((i = 0; i < 300; i++)); do
        [ ! -s "$tmp/sleeper" ] || break
        sleep 0.1
    done
    if [ ! -s "$tmp/sleeper" ]; then
        fail "$label: the slow map did not start in 30 s"
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        return 0
    fi
    sleeper=$(cat "$tmp/sleeper")
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    [ "$rc" = 143 ] || fail "$label: exit $rc after TERM, expected 143: $(cat "$tmp/interrupted.err")"
    for ((i = 0; i < 100; i++)); do
        kill -0 "$sleeper" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$sleeper" 2>/dev/null; then
        fail "$label: the map (pid $sleeper) still runs 10 s after TERM"
        kill -KILL "$sleeper" 2>/dev/null || true
    fi
    echo "ok ($label): exit $rc, its map ended"
}

finish_tests() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures of $cases checks failed" >&2
        exit 1
    fi
    echo "all $cases checks passed"
    exit 0
}

# A map that writes no part (a fake traceflow failing on the middle range of
# SAMPLE): the runner reports the map's error and exits 2. Usage:
# expect_failing_map SAMPLE RUNNER [ARG...]  (RUNNER is given --parts-per-file 3 SAMPLE)
expect_failing_map() {
    local sample=$1 size middle failing
    shift
    size=$(wc -c <"$sample")
    middle="$((size / 3)):$((2 * size / 3))"
    failing=$(fake_traceflow failing "$middle" 'echo "traceflow: error: injected I/O error" >&2; exit 2')
    expect_status "a map fails" 2 env PATH="$failing:$PATH" "$@" --parts-per-file 3 "$sample"
    grep -q "injected I/O error" "$tmp/status.err" || fail "a map fails: its error is not shown"
}
