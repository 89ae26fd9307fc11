#!/bin/bash
# SPDX-License-Identifier: MIT
# payload_bench.sh: times `traceflow -f payload` (reassembled bytes, one file
# per direction) against `-f pcap` and against tcpflow, pair by pair, on the
# same capture; see docs/benchmarks.md, "Following streams (-f payload)".
#
# Usage: bench/payload_bench.sh [-n ROUNDS] CAPTURE...
#        bench/payload_bench.sh --reorder IN.pcap OUT.pcap [SEED [P [WINDOW]]]
#
# Per capture and per round, each pair runs A then B into fresh folders under
# $OUT (removed between runs, outside the timing), timed by /usr/bin/time:
#   payload/pcap        -q --bidirectional --lifecycle tcp -o DIR, -f payload vs -f pcap
#   payload/pcap j1     the same with -j 1
#   last/pcap           -f payload --overlap last vs -f pcap (bidirectional tcp)
#   dir payload/pcap    -q -f payload -o DIR vs -q -o DIR (directional, pcapkit lifecycle)
#   payload/index       -f payload -o DIR vs no -o at all (bidirectional tcp): the writing's share
#   tcpflow/payload     tcpflow -r CAPTURE -o DIR vs traceflow -f payload (bidirectional tcp)
# It prints, per pair, the median wall seconds of A and B, the median of the
# per-round ratios (with min-max), and the median peak RSS of each. Round 1
# also prints the files and bytes each command wrote (tcpflow's report.xml
# not counted; holes of -f payload count as bytes, as in `ls -l`).
#
# --reorder writes a copy of IN.pcap (Ethernet or raw IPv4) whose TCP data
# segments arrive out of order within their flows: each directional flow's
# data packets are walked in order and, with probability P (default 0.5), a
# packet and the flow's next one trade places when they are at most WINDOW
# records apart (default 50). The timestamps stay with the positions (a
# time-sorted IN stays sorted); only the frames move. Python 3, stdlib only.
#
# Environment: TRACEFLOW (default build/release/tools/traceflow), TCPFLOW
# (default tcpflow; empty skips it), OUT (a tmpfs folder; default
# $TRACEFLOW_BENCH_TMPFS, else $TMPDIR, else /tmp), PAIRS (space-separated
# subset of: payload j1 last dir index tcpflow; default all).
set -euo pipefail

if [ "${1:-}" = --reorder ]; then
    shift
    [ $# -ge 2 ] || { echo "usage: $0 --reorder IN.pcap OUT.pcap [SEED [P [WINDOW]]]" >&2; exit 2; }
    exec python3 - "$@" <<'PY'
import random, struct, sys
src, dst = sys.argv[1], sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
prob = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
window = int(sys.argv[5]) if len(sys.argv) > 5 else 50
data = open(src, "rb").read()
magic = data[:4]
if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
    e = "<"
elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
    e = ">"
else:
    sys.exit(f"{src}: not a pcap file (pcapng: convert with editcap -F pcap first)")
linktype = struct.unpack_from(e + "I", data, 20)[0]
if linktype not in (1, 101, 228):
    sys.exit(f"{src}: link type {linktype}: only Ethernet and raw IPv4")
rec = struct.Struct(e + "IIII")
heads, frames = [], []          # per position: (ts_sec, ts_frac); (incl, orig, offset)
flows = {}                      # (src, dst, sport, dport) -> positions of data segments
pos, size = 24, len(data)
while pos + 16 <= size:
    s, f, incl, orig = rec.unpack_from(data, pos)
    if pos + 16 + incl > size:
        break
    i = len(heads)
    heads.append((s, f))
    frames.append((incl, orig, pos + 16))
    p, end = pos + 16, pos + 16 + incl
    if linktype == 1:
        eth = p + 12
        et = data[eth] << 8 | data[eth + 1] if eth + 2 <= end else 0
        while et in (0x8100, 0x88A8) and eth + 6 <= end:
            eth += 4
            et = data[eth] << 8 | data[eth + 1]
        p = eth + 2 if et == 0x0800 else end
    if p + 20 <= end and data[p] >> 4 == 4 and data[p + 9] == 6:
        ihl = (data[p] & 15) * 4
        tot = data[p + 2] << 8 | data[p + 3]
        frag = (data[p + 6] << 8 | data[p + 7]) & 0x3FFF
        t = p + ihl
        if not frag and t + 20 <= end:
            doff = (data[t + 12] >> 4) * 4
            if tot - ihl - doff > 0:
                key = (data[p + 12:p + 16], data[p + 16:p + 20], data[t:t + 4])
                flows.setdefault(key, []).append(i)
    pos += 16 + incl
rng = random.Random(seed)
order = list(range(len(frames)))  # order[position] = which frame goes there
swaps = 0
for key in sorted(flows):
    idx = flows[key]
    k = 0
    while k + 1 < len(idx):
        a, b = idx[k], idx[k + 1]
        if b - a <= window and rng.random() < prob:
            order[a], order[b] = order[b], order[a]
            swaps += 1
            k += 2
        else:
            k += 1
with open(dst + ".tmp", "wb") as out:
    out.write(data[:24])
    for (s, f), j in zip(heads, order):
        incl, orig, off = frames[j]
        out.write(rec.pack(s, f, incl, orig))
        out.write(data[off:off + incl])
import os
os.replace(dst + ".tmp", dst)
print(f"{dst}: {len(frames)} records, {sum(map(len, flows.values()))} TCP data segments "
      f"in {len(flows)} directions, {swaps} adjacent pairs swapped (seed {seed}, p {prob}, window {window})")
PY
fi

ROUNDS=5
if [ "${1:-}" = -n ]; then ROUNDS=$2; shift 2; fi
[ $# -ge 1 ] || { echo "usage: $0 [-n ROUNDS] CAPTURE...   or   $0 --reorder IN OUT [SEED [P [WINDOW]]]" >&2; exit 2; }
T=${TRACEFLOW:-build/release/tools/traceflow}
TCPFLOW=${TCPFLOW-tcpflow}
OUT=${OUT:-${TRACEFLOW_BENCH_TMPFS:-${TMPDIR:-/tmp}}}
PAIRS=${PAIRS:-payload j1 last dir index tcpflow}
[ -x "$T" ] || { echo "$0: $T: no traceflow binary (set TRACEFLOW)" >&2; exit 2; }
[ -z "$TCPFLOW" ] || command -v "$TCPFLOW" >/dev/null || { echo "$0: $TCPFLOW not found (TCPFLOW= skips it)" >&2; exit 2; }
WORK=$(mktemp -d "$OUT/payload_bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
BT="--bidirectional --lifecycle tcp"

# run NAME CMD...: one timed run writing into $WORK/d (fresh); appends "wall KiB" to $WORK/NAME.t
run() {
    local name=$1; shift
    rm -rf "$WORK/d"
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || {
        echo "$0: failed: $*" >&2; cat "$WORK/err" >&2; exit 1; }
    cat "$WORK/time" >>"$WORK/$name.t"
    if [ "$ROUND" = 1 ] && [ -d "$WORK/d" ]; then
        find "$WORK/d" -type f ! -name report.xml -printf '%s\n' |
            awk -v n="$name" '{ s += $1; f++ } END { printf "    %-22s %7d files %14d bytes\n", n, f, s }'
    fi
    rm -rf "$WORK/d"
}

# one_pair LABEL: the A and B commands of a pair, by label, for capture $CAP
cmd_a() {
    case $1 in
        payload) echo "$T -q $BT -f payload -o $WORK/d $CAP" ;;
        j1) echo "$T -q $BT -j 1 -f payload -o $WORK/d $CAP" ;;
        last) echo "$T -q $BT -f payload --overlap last -o $WORK/d $CAP" ;;
        dir) echo "$T -q -f payload -o $WORK/d $CAP" ;;
        index) echo "$T -q $BT -f payload -o $WORK/d $CAP" ;;
        tcpflow) echo "$TCPFLOW -r $CAP -o $WORK/d" ;;
    esac
}
cmd_b() {
    case $1 in
        payload) echo "$T -q $BT -f pcap -o $WORK/d $CAP" ;;
        j1) echo "$T -q $BT -j 1 -f pcap -o $WORK/d $CAP" ;;
        last) echo "$T -q $BT -f pcap -o $WORK/d $CAP" ;;
        dir) echo "$T -q -f pcap -o $WORK/d $CAP" ;;
        index) echo "$T -q $BT $CAP" ;;
        tcpflow) echo "$T -q $BT -f payload -o $WORK/d $CAP" ;;
    esac
}
title() {
    case $1 in
        payload) echo "payload/pcap" ;; j1) echo "payload/pcap -j 1" ;; last) echo "overlap-last/pcap" ;;
        dir) echo "directional payload/pcap" ;; index) echo "payload/index only" ;; tcpflow) echo "tcpflow/payload" ;;
    esac
}

echo "traceflow $("$T" --version 2>&1 | head -1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $ROUNDS rounds"
for CAP in "$@"; do
    echo "== $CAP"
    rm -f "$WORK"/*.t
    for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
        for p in $PAIRS; do
            [ "$p" = tcpflow ] && [ -z "$TCPFLOW" ] && continue
            # shellcheck disable=SC2046
            run "$p.a" $(cmd_a "$p")
            # shellcheck disable=SC2046
            run "$p.b" $(cmd_b "$p")
        done
    done
    for p in $PAIRS; do
        [ -f "$WORK/$p.a.t" ] || continue
        paste "$WORK/$p.a.t" "$WORK/$p.b.t" | python3 -c '
import statistics as st, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
r = [a / b for a, _, b, _ in rows]
m = lambda i: st.median(x[i] for x in rows)
print(f"  {sys.argv[1]:<26} A {m(0):6.3f} s  B {m(2):6.3f} s  A/B {st.median(r):5.2f} ({min(r):.2f}-{max(r):.2f})"
      f"  peak A {m(1) / 1024:6.1f} MiB  B {m(3) / 1024:6.1f} MiB")' "$(title "$p")"
    done
done
