#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man page (tools/traceflow/traceflow.1) and the bash completion
# (tools/traceflow/traceflow.bash-completion) against the tool itself.
#
#   man_completion_test.sh options    TRACEFLOW MANPAGE COMPLETION
#       every option `traceflow --help` prints is in the man page and in the
#       completion, and every option these two name is one --help knows
#       (--help is read now, so neither can drift from the tool); the
#       completion offers every value --help lists as a|b|c and the --fields
#       names the tool knows
#   man_completion_test.sh render     MANPAGE
#       the man page renders without warnings (groff -ww, man --warnings);
#       SKIPPED when neither groff nor man is installed
#   man_completion_test.sh completion COMPLETION
#       `traceflow --for<TAB>` gives --format, `traceflow -f <TAB>` the
#       formats, and the other fixed values, files and subcommands
set -uo pipefail

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# Long options (--name) in text on stdin, one a line, sorted and unique.
long_options() { grep -oE -- '--[a-z][a-z0-9-]*' | sort -u; }
# Short options (-x, a single letter standing alone) in text on stdin.
short_options() { grep -oE -- '(^|[^A-Za-z0-9-])-[A-Za-z]([^A-Za-z0-9-]|$)' | grep -oE -- '-[A-Za-z]' | sort -u; }
# Lines of $1 missing from $2 (both sorted).
missing() { comm -23 <(printf '%s\n' "$1") <(printf '%s\n' "$2") | grep -v '^$'; }

check_options() {
    local traceflow=$1 manpage=$2 completion=$3
    local help
    help=$("$traceflow" --help) || { fail "'$traceflow --help' failed"; return; }
    local help_long help_short
    help_long=$(long_options <<<"$help")
    # Short options where --help defines them ("  -r, --read FILE"), not in prose ("tcpdump's -w").
    help_short=$(grep -E -- '^ +-[A-Za-z], --' <<<"$help" | short_options)
    [[ -n $help_long && -n $help_short ]] || { fail "no options found in --help"; return; }

    # The man page: roff's \- is a plain '-'. Long options anywhere; short
    # options of the tool where they are defined (the line after each .TP).
    local man man_long man_short
    man=$(sed 's/\\-/-/g' "$manpage")
    man_long=$(long_options <<<"$man")
    man_short=$(awk '/^\.TP/ { getline; print }' <<<"$man" | short_options)

    # The completion: the option lists it offers.
    local comp comp_long comp_short
    # shellcheck disable=SC1090
    comp=$(bash -c 'source "$1" && printf "%s\n" $_traceflow_run_options $_traceflow_map_options $_traceflow_merge_options' \
        _ "$completion") || { fail "sourcing $completion failed"; return; }
    comp_long=$(grep -E -- '^--' <<<"$comp" | sort -u)
    comp_short=$(grep -E -- '^-[A-Za-z]$' <<<"$comp" | sort -u)

    local m
    m=$(missing "$help_long" "$man_long") && fail "long options of --help missing from $manpage:" "${m//$'\n'/ }"
    m=$(missing "$help_short" "$man_short") && fail "short options of --help not described in $manpage:" "${m//$'\n'/ }"
    m=$(missing "$man_long" "$help_long") && fail "long options in $manpage that --help does not know:" "${m//$'\n'/ }"
    m=$(missing "$man_short" "$help_short") && fail "short options described in $manpage that --help does not know:" "${m//$'\n'/ }"
    m=$(missing "$help_long" "$comp_long") && fail "long options of --help missing from $completion:" "${m//$'\n'/ }"
    m=$(missing "$help_short" "$comp_short") && fail "short options of --help missing from $completion:" "${m//$'\n'/ }"
    m=$(missing "$comp_long" "$help_long") && fail "long options in $completion that --help does not know:" "${m//$'\n'/ }"
    m=$(missing "$comp_short" "$help_short") && fail "short options in $completion that --help does not know:" "${m//$'\n'/ }"

    # The version in the man page's title line is the tool's.
    local version
    version=$("$traceflow" --version)
    grep -qF "\"$version\"" "$manpage" || fail "$manpage does not say \"$version\" (traceflow --version) in its .TH line"

    # Fixed values --help lists as a|b|c on an option's line (-f, --sort, --byteorder)
    # are all offered for that option; --fields offers the fields the tool knows.
    COMPLETION=$completion
    local line option values got missing_values
    while IFS= read -r line; do
        option=$(grep -oE -- '--[a-z][a-z0-9-]* [A-Z]' <<<"$line" | head -n 1 | cut -d' ' -f1)
        [[ -n $option ]] || continue
        values=$(sed -E 's/^ +(-[A-Za-z], )?--[a-z0-9-]+ [^ ]+ +//' <<<"$line" \
            | grep -oE '[a-z0-9]+(\|[a-z0-9]+)+' | tr '|' '\n' | sort -u)
        [[ -n $values ]] || continue
        got=$(complete_words traceflow "$option" '')
        missing_values=$(missing "$values" "$got") &&
            fail "completion of $option misses values --help lists: ${missing_values//$'\n'/ }"
    done < <(grep -E -- '^ +(-[A-Za-z], )?--[a-z]' <<<"$help")
    local known
    known=$("$traceflow" --json --fields no-such-field - 2>&1 </dev/null | grep -oE 'known: [a-z_,]+' | cut -c8- | tr ',' '\n' | sort -u)
    if [[ -n $known ]]; then
        got=$(complete_words traceflow --json --fields '')
        [[ $got == "$known" ]] || fail "completion of --fields offers [${got//$'\n'/ }], the tool knows [${known//$'\n'/ }]"
    else
        echo "note: no 'known: ...' list in the error for an unknown --fields name; fields not compared"
    fi
    echo "checked $(wc -l <<<"$help_long") long and $(wc -l <<<"$help_short") short options of --help"
}

check_render() {
    local manpage=$1 ran=0 out
    if command -v groff >/dev/null; then
        ran=1
        out=$(groff -man -ww -z "$manpage" 2>&1) || fail "groff failed on $manpage"
        [[ -z $out ]] || fail "groff -man -ww warns on $manpage:"$'\n'"$out"
    fi
    if command -v man >/dev/null; then
        ran=1
        out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$manpage" 2>&1 >/dev/null) || fail "man -l failed on $manpage"
        [[ -z $out ]] || fail "man --warnings warns on $manpage:"$'\n'"$out"
    fi
    if ((!ran)); then
        echo "SKIPPED: neither groff nor man is installed (apt-get install groff-base man-db)"
        exit 0
    fi
}

# Runs the completion for the words given (the last one is being completed)
# in a fresh bash and prints COMPREPLY, one a line, sorted.
complete_words() {
    bash -c '
        completion=$1; shift
        source "$completion" || exit 3
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="${COMP_WORDS[*]}"
        COMP_POINT=${#COMP_LINE}
        _traceflow
        printf "%s\n" "${COMPREPLY[@]}"
    ' _ "$COMPLETION" "$@" | grep -v '^$' | sort
}

expect() {  # expected (lines, any order) -- words
    local expected=$1
    shift
    local got
    got=$(complete_words "$@")
    expected=$(tr ' ' '\n' <<<"$expected" | grep -v '^$' | sort)
    [[ $got == "$expected" ]] || fail "completing '$*': expected [${expected//$'\n'/ }], got [${got//$'\n'/ }]"
}

check_completion() {
    COMPLETION=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
    work=$(mktemp -d) || exit 2
    trap 'rm -rf "$work"' EXIT
    cd "$work" || exit 2
    mkdir flows flows2
    touch capture.pcap capture.pcapng part1 'with space.pcap'
    local formats='pcap cap pcapng json plist xml tree txt text payload'

    expect '--format' traceflow --form
    expect '--force --format' traceflow --for
    expect "$formats" traceflow -f ''
    expect "$formats" traceflow --format ''
    expect 'pcap pcapng' traceflow -o flows -f pc
    expect "$formats" traceflow -qf ''
    expect 'json' traceflow --format = js
    expect '--format=json' traceflow --format=js
    expect 'pcapkit tcp' traceflow --lifecycle ''
    expect 'tcp' traceflow --bidirectional --lifecycle t
    expect 'little big' traceflow -o flows --byteorder ''
    expect 'flows flows2' traceflow -o ''
    expect 'flows flows2' traceflow -qo fl
    expect 'flows flows2' traceflow --output f
    expect 'capture.pcap capture.pcapng' traceflow -r cap
    expect 'capture.pcap capture.pcapng' traceflow --json cap
    local got
    got=$(complete_words traceflow wi)
    [[ $got == 'with space.pcap' ]] || fail "completing 'traceflow wi': expected [with space.pcap], got [$got]"
    expect 'map merge' traceflow m
    expect 'part1' traceflow merge --join p
    expect '' traceflow --filter ''
    expect '' traceflow -c ''
    expect '--stats --stream' traceflow --st
    expect '--files --filter' traceflow map --fil
    expect '--stream' traceflow merge --st
    expect '--join --json' traceflow merge --j
    expect '' traceflow merge --bidir
    expect '' traceflow map --jo
    expect '--json' traceflow --js
    expect 'capture.pcap capture.pcapng' traceflow -- cap
    expect '' traceflow -- --for
    expect 'flows flows2' traceflow f
    expect 'first last packets bytes duration' traceflow --sort ''
    expect 'bytes' traceflow --sort by
    expect 'src srcport' traceflow --json --fields sr
    expect 'number,label,dst number,label,dstport' traceflow --json --fields number,label,ds
    expect '' traceflow --flows ''
    expect '--conn' traceflow map --co
    expect '--fields --filter --fin-linger' traceflow --fi
    expect 'port portrange' traceflow -r capture.pcap po
    expect 'port portrange' traceflow -qr capture.pcap --json po
    expect 'capture.pcap capture.pcapng' traceflow -oresults cap
}

mode=${1-}
shift || true
case $mode:$# in
    options:3) check_options "$@" ;;
    render:1) check_render "$@" ;;
    completion:1) check_completion "$@" ;;
    *)
        echo "usage: $0 options TRACEFLOW MANPAGE COMPLETION | render MANPAGE | completion COMPLETION" >&2
        exit 2
        ;;
esac

if ((failures)); then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "ok"
