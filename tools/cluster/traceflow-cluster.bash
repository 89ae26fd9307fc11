# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034,SC2154
# (SC2034/SC2154: globals shared with the sourcing script)
# Shared by traceflow-slurm and traceflow-parallel (sourced, not run): splits
# the user's words into `traceflow map` and `traceflow merge` options, checks
# them before any job starts, plans the byte ranges and writes the map task.
#
# The caller sets tfc_name (its name for messages) and tfc_usage (a function
# printing its help), may set tfc_allow_sshlogin=1 (-S/--sshlogin accepted),
# then calls tfc_parse "$@". Everything here is prefixed tfc_ so the scripts'
# own names cannot clash with it.

tfc_map=()          # options for every `traceflow map` (tracing options, -q, --files)
tfc_merge=()        # options for `traceflow merge` (listing options, -o, -q)
tfc_captures=()     # captures as given
tfc_sshlogins=()    # -S values, for GNU parallel
tfc_parts_per_file=""
tfc_workdir=""
tfc_output=""       # -o DIR as given: merge runs in the caller's folder so the listing shows DIR as a plain run would
tfc_format_option=""  # a file-format option given (it needs -o)
tfc_traceflow=""
tfc_workdir_made=0  # 1: the workdir is ours to remove

tfc_usage_error() {
    printf '%s: %s\ntry '\''%s --help'\''\n' "$tfc_name" "$1" "$tfc_name" >&2
    exit 1
}

tfc_error() {  # message, exit status
    printf '%s: error: %s\n' "$tfc_name" "$1" >&2
    exit "${2:-2}"
}

# Long options of traceflow that take a value (the rest are flags).
tfc_takes_value() {
    case $1 in
        --output | --format | --threads | --read | --count | --filter | --name | --byteorder | --max-open-files | \
            --lifecycle | --fin-linger | --rst-linger | --idle-timeout | --active-timeout | --max-flows | --range | \
            --parts-per-file | --workdir | --sshlogin) return 0 ;;
    esac
    return 1
}

# One option with its value (if it takes one), by long name; sorts it into map/merge.
tfc_option() {
    local name=$1 value=${2-}
    case $name in
        --parts-per-file)
            case $value in '' | *[!0-9]*) tfc_usage_error "--parts-per-file needs a whole number from 1, not '$value'" ;; esac
            # base 10 (leading zeros), and a bound that keeps i*size/K in 64 bits
            if [ "${#value}" -gt 7 ] || [ "$((10#$value))" -lt 1 ]; then
                tfc_usage_error "--parts-per-file needs a whole number from 1 to 9999999, not '$value'"
            fi
            tfc_parts_per_file=$((10#$value)) ;;
        --workdir)
            [ -n "$value" ] || tfc_usage_error "--workdir needs a folder"
            tfc_workdir=$value ;;
        --sshlogin)
            [ "${tfc_allow_sshlogin:-0}" = 1 ] || tfc_usage_error "unknown option $name"
            tfc_sshlogins+=("-S" "$value") ;;
        --read)
            tfc_captures+=("$value") ;;
        --count)
            tfc_usage_error "-c/--count cannot be split into byte ranges (a range does not know the frames before it): use a plain traceflow run" ;;
        --range | --files)
            tfc_usage_error "$name is set by $tfc_name for each part" ;;
        --output)
            [ -n "$value" ] || tfc_usage_error "--output needs a folder"
            tfc_output=$value
            tfc_merge+=("--output=$value") ;;
        --force | --json | --csv | --stream)
            tfc_merge+=("$name") ;;
        --max-open-files | --threads)
            tfc_merge+=("$name=$value") ;;
        --quiet)
            tfc_map+=("$name")
            tfc_merge+=("$name") ;;
        --help)
            tfc_usage
            exit 0 ;;
        --version)
            tfc_find_traceflow
            exec "$tfc_traceflow" --version ;;
        *)
            # Tracing options (and unknown ones, which the map check refuses as a plain run would).
            case $name in --format | --name | --byteorder | --nanosecond) tfc_format_option=$name ;; esac
            if tfc_takes_value "$name"; then tfc_map+=("$name=$value"); else tfc_map+=("$name"); fi ;;
    esac
}

# Reads the command line as traceflow does: --opt=value, --opt value, short
# clusters (-qo DIR, -j1, -oDIR), -- then captures only.
tfc_parse() {
    local word name value rest letter only_inputs=0
    while [ "$#" -gt 0 ]; do
        word=$1
        shift
        if [ "$only_inputs" = 1 ] || [ "$word" = - ] || [ -z "$word" ] || [ "${word#-}" = "$word" ]; then
            tfc_captures+=("$word")
            continue
        fi
        if [ "$word" = -- ]; then
            only_inputs=1
            continue
        fi
        case $word in
            --*=*)
                name=${word%%=*}
                value=${word#*=}
                if tfc_takes_value "$name"; then
                    tfc_option "$name" "$value"
                else
                    case $name in
                        --help | --version | --quiet | --force | --json | --csv | --stream | --files)
                            tfc_usage_error "option $name takes no value" ;;
                    esac
                    tfc_map+=("$word")  # traceflow's check says what is wrong with it
                fi ;;
            --*)
                if tfc_takes_value "$word"; then
                    [ "$#" -gt 0 ] || tfc_usage_error "option $word needs a value"
                    tfc_option "$word" "$1"
                    shift
                else
                    tfc_option "$word"
                fi ;;
            *)
                # letters until one that takes a value, which takes the rest or the next word
                rest=${word#-}
                while [ -n "$rest" ]; do
                    letter=${rest:0:1}
                    rest=${rest:1}
                    case $letter in
                        o) name=--output ;; f) name=--format ;; j) name=--threads ;; r) name=--read ;;
                        c) name=--count ;; q) name=--quiet ;; h) name=--help ;;
                        S) [ "${tfc_allow_sshlogin:-0}" = 1 ] || tfc_usage_error "unknown option -S"
                           name=--sshlogin ;;
                        *) tfc_usage_error "unknown option -$letter" ;;
                    esac
                    if tfc_takes_value "$name"; then
                        if [ -n "$rest" ]; then
                            value=$rest
                        else
                            [ "$#" -gt 0 ] || tfc_usage_error "option -$letter needs a value"
                            value=$1
                            shift
                        fi
                        tfc_option "$name" "$value"
                        break
                    fi
                    tfc_option "$name"
                done ;;
        esac
    done
    [ "${#tfc_captures[@]}" -gt 0 ] || tfc_usage_error "no capture given"
    if [ -n "$tfc_format_option" ] && [ -z "$tfc_output" ]; then
        tfc_usage_error "$tfc_format_option has no effect without -o/--output (no files are written)"
    fi
    # Per-flow files are written by merge, from the frames the parts carry.
    if [ -n "$tfc_output" ]; then tfc_map+=("--files"); fi
    return 0
}

tfc_absolute() {  # path -> absolute path (not resolving links: the user's spelling, anchored)
    case $1 in
        /*) printf '%s' "$1" ;;
        *) printf '%s/%s' "$PWD" "$1" ;;
    esac
}

# traceflow from PATH, as an absolute path (jobs may start in another folder).
tfc_find_traceflow() {
    local found
    found=$(command -v traceflow 2>/dev/null) || found=""
    case $found in
        /*) ;;
        "") tfc_error "traceflow is not on PATH: build it (target traceflow_cli) and put its folder on PATH" 1 ;;
        *) found=$(tfc_absolute "$found") ;;
    esac
    [ -x "$found" ] || tfc_error "traceflow ($found) is not executable" 1
    tfc_traceflow=$found
}

# Captures must be regular files (map reads byte ranges of them); makes them
# absolute and measures them: tfc_abs_captures, tfc_sizes.
tfc_abs_captures=()
tfc_sizes=()
tfc_check_captures() {
    local c size
    for c in "${tfc_captures[@]}"; do
        [ "$c" != - ] || tfc_usage_error "standard input cannot be split into byte ranges: give capture files"
        [ -e "$c" ] || tfc_error "$c: no such file"
        [ -f "$c" ] || tfc_usage_error "$c is not a regular file: byte ranges need a capture file"
        [ -r "$c" ] || tfc_error "$c: not readable"
        size=$(wc -c <"$c") || tfc_error "$c: cannot read its size"
        tfc_abs_captures+=("$(tfc_absolute "$c")")
        tfc_sizes+=("$((size))")
    done
}

# The work folder: the user's (kept), or a new one under $1 (removed by tfc_cleanup).
tfc_make_workdir() {
    local base=$1
    if [ -n "$tfc_workdir" ]; then
        mkdir -p -- "$tfc_workdir" || tfc_error "cannot create the work folder $tfc_workdir" 1
    else
        tfc_workdir=$(mktemp -d "$base/$tfc_name.XXXXXX") || tfc_error "cannot create a work folder under $base" 1
        tfc_workdir_made=1
    fi
    tfc_workdir=$(tfc_absolute "$tfc_workdir")
}

tfc_cleanup() {
    if [ "$tfc_workdir_made" = 1 ] && [ -n "$tfc_workdir" ]; then rm -rf -- "$tfc_workdir"; fi
}

# Runs both commands' option checks here, before any job is started: a zero-length
# map of the first capture, and merge of a part that does not exist (merge checks
# its options, and -o DIR, before it reads parts). Exit 1 as traceflow's.
tfc_probe() {
    local err=$tfc_workdir/probe.err rc=0
    "$tfc_traceflow" map ${tfc_map[@]+"${tfc_map[@]}"} --range 0:0 -- "${tfc_abs_captures[0]}" \
        "$tfc_workdir/probe.part" 2>"$err" || rc=$?
    if [ "$rc" = 1 ]; then cat -- "$err" >&2; exit 1; fi
    rc=0
    "$tfc_traceflow" merge ${tfc_merge[@]+"${tfc_merge[@]}"} -- "$tfc_workdir/probe.missing" >/dev/null 2>"$err" || rc=$?
    if [ "$rc" = 1 ]; then cat -- "$err" >&2; exit 1; fi
    rm -f -- "$tfc_workdir/probe.part" "$tfc_workdir/probe.missing" "$err"
}

# Tasks in input order: K equal byte ranges of each capture, [i*size/K, (i+1)*size/K).
tfc_task_capture=()
tfc_task_range=()
tfc_parts=()
tfc_plan() {
    local k=$1 c i size
    for c in "${!tfc_abs_captures[@]}"; do
        size=${tfc_sizes[c]}
        for ((i = 0; i < k; i++)); do
            tfc_task_capture+=("${tfc_abs_captures[c]}")
            tfc_task_range+=("$((i * size / k)):$(((i + 1) * size / k))")
        done
    done
    for i in "${!tfc_task_range[@]}"; do
        tfc_parts+=("$(printf '%s/part-%06d' "$tfc_workdir" "$i")")
    done
}

tfc_quoted_array() {  # NAME VALUE... -> a bash assignment NAME=(...) that reads back exactly
    local name=$1
    shift
    printf '%s=(' "$name"
    if [ "$#" -gt 0 ]; then printf ' %q' "$@"; fi
    printf ' )\n'
}

# The map task, a self-contained bash script in the work folder: task i (its
# argument, or the Slurm array index) maps its range into part-i. It exits 0
# when the part is written, also when traceflow said 2 (damage met): merge
# reports that damage exactly as a plain run does. No part: it fails.
tfc_write_map_script() {
    local file=$1
    {
        printf '#!/usr/bin/env bash\n'
        printf '# Written by %s: one map task (index: the first argument, or the Slurm array task id).\n' \
            "$tfc_name"
        printf 'set -u\n'
        printf 'workdir=%q\n' "$tfc_workdir"
        printf 'traceflow=%q\n' "$tfc_traceflow"
        cat <<'EOF'
# another host may keep traceflow elsewhere: its own PATH then
[ -x "$traceflow" ] || traceflow=traceflow
EOF
        tfc_quoted_array options ${tfc_map[@]+"${tfc_map[@]}"}
        tfc_quoted_array captures "${tfc_task_capture[@]}"
        tfc_quoted_array ranges "${tfc_task_range[@]}"
        cat <<'EOF'
i=${1:-${SLURM_ARRAY_TASK_ID:?no task index}}
printf -v part '%s/part-%06d' "$workdir" "$i"
rm -f -- "$part" "$workdir/map-$i.status"
rc=0
"$traceflow" map ${options[@]+"${options[@]}"} --range "${ranges[i]}" -- "${captures[i]}" "$part" \
    2>"$workdir/map-$i.err" || rc=$?
echo "$rc" >"$workdir/map-$i.status"
if [ "$rc" = 0 ] || { [ "$rc" = 2 ] && [ -s "$part" ]; }; then exit 0; fi
exit "$rc"
EOF
    } >"$file" || tfc_error "cannot write $file" 1
    chmod +x -- "$file"
}

# After a failed map: which tasks failed, with what traceflow said; 1 when none says.
tfc_report_map_failures() {
    local i status part reported=0
    for i in "${!tfc_task_range[@]}"; do
        part=${tfc_parts[i]}
        status=$(cat -- "$tfc_workdir/map-$i.status" 2>/dev/null) || status=""
        if [ -z "$status" ] || [ "$status" = 0 ] || { [ "$status" = 2 ] && [ -s "$part" ]; }; then continue; fi
        printf '%s: error: map of %s bytes %s failed (traceflow exit %s, no part written):\n' \
            "$tfc_name" "${tfc_task_capture[i]}" "${tfc_task_range[i]}" "$status" >&2
        sed 's/^/  /' -- "$tfc_workdir/map-$i.err" >&2 2>/dev/null || true
        reported=1
    done
    if [ "$reported" = 0 ]; then
        printf '%s: error: a map task failed before traceflow could say why (killed, or no such command on its host)\n' \
            "$tfc_name" >&2
        return 1
    fi
}
