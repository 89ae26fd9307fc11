#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cluster.parallel: tools/cluster/traceflow-parallel (maps under GNU parallel,
# merge here) prints what the plain run prints, writes the same -o files and
# exits the same, for any number of parts.
# Usage: parallel_test.sh TRACEFLOW SAMPLE_PCAP BIG_PCAP
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.bash
. "$(dirname -- "${BASH_SOURCE[0]}")/common.bash"

if ! command -v parallel >/dev/null 2>&1; then
    echo "SKIPPED: GNU parallel is not installed (Debian: apt-get install parallel)"
    exit 0
fi
# Parts go under TMPDIR by default: a private one, to see that they are removed.
export TMPDIR=$tmp/tmpdir
mkdir -p "$TMPDIR"
P=$tools/traceflow-parallel

for k in 1 3 7; do
    for inputs in one two; do
        if [ "$inputs" = one ]; then captures=("$sample"); else captures=("$sample" "$big"); fi
        same_as_plain "K=$k $inputs" "$P" --parts-per-file "$k" -- "${captures[@]}"
        same_as_plain "K=$k $inputs tcp json" "$P" --parts-per-file "$k" -- \
            --bidirectional --lifecycle tcp --stats --json "${captures[@]}"
        same_as_plain "K=$k $inputs -o" "$P" --parts-per-file "$k" -- -o out "${captures[@]}"
    done
done
same_as_plain "K=7 -o csv tcp" "$P" --parts-per-file 7 -- \
    -qo out --csv --bidirectional --lifecycle=tcp --stats -f pcapng --name '{src}_{srcport}-{first}' "$sample" "$big"
if [ -f "${sample%.pcap}.pcapng" ]; then
    same_as_plain "pcapng K=3" "$P" --parts-per-file 3 -- "${sample%.pcap}.pcapng"
fi
same_as_plain "default K" "$P" -- --json --stream "$big"
same_as_plain "-S : (parallel's local login; work folder under the current one)" "$P" -S : --parts-per-file 3 -- \
    --json "$sample"

# A capture cut inside a record: the plain run lists what it read and says 2;
# so does the merge of the parts (the map that met the damage still wrote its part).
damaged=$(damaged_copy "$sample" "$tmp/damaged.pcap")
for k in 1 3 7; do
    same_as_plain "damaged K=$k" "$P" --parts-per-file "$k" -- "$damaged"
    same_as_plain "damaged then intact K=$k, tcp json -o" "$P" --parts-per-file "$k" -- \
        --bidirectional --lifecycle tcp --stats --json -o out "$damaged" "$big"
done

# --workdir: kept, with the parts in it.
expect_status "--workdir" 0 "$P" --parts-per-file 2 --workdir "$tmp/kept" -q "$sample"
if [ ! -s "$tmp/kept/part-000000" ] || [ ! -s "$tmp/kept/part-000001" ]; then fail "--workdir: parts not kept"; fi

# A map that writes no part: reported, exit 2, nothing merged.
expect_failing_map "$sample" "$P"
size=$(wc -c <"$sample")
middle="$((size / 3)):$((2 * size / 3))"
[ ! -s "$tmp/status.out" ] || fail "a map fails: something was listed"

# TERM while a map runs: the maps are stopped, the work folder removed.
slow=$(fake_traceflow slow "$middle" "echo \$\$ >$(printf '%q' "$tmp/sleeper"); exec sleep 60")
interrupted "TERM while mapping" env PATH="$slow:$PATH" "$P" --parts-per-file 3 "$sample"

# Usage errors: 1, before anything runs.
expect_status "usage: -c" 1 "$P" -c 5 "$sample"
expect_status "usage: --json --csv" 1 "$P" --json --csv "$sample"
expect_status "usage: unknown option" 1 "$P" --no-such-option "$sample"
expect_status "usage: -f without -o" 1 "$P" -f pcapng "$sample"
expect_status "usage: no capture" 1 "$P" --json
expect_status "help" 0 "$P" --help
if ! PATH=/usr/bin:/bin command -v traceflow >/dev/null; then
    expect_status "no traceflow on PATH" 1 env PATH=/usr/bin:/bin "$P" "$sample"
fi

leftover=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'traceflow-parallel*')
[ -z "$leftover" ] || fail "work folders left in TMPDIR: $leftover"
finish_tests
