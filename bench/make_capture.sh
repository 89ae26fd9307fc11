#!/bin/bash
# SPDX-License-Identifier: MIT
# make_capture.sh: records real local HTTP traffic and amplifies it into a
# large pcap for traceflow_bench (see docs/benchmarks.md).
#
# Needs root, Debian 12 with: tcpdump tcpreplay (tcprewrite) wireshark-common
# (mergecap, capinfos) iproute2 ethtool curl python3 iputils-ping.
#
# Usage: sudo bench/make_capture.sh [OUT.pcap] [SIZE_GB] [SECONDS]
#   OUT.pcap  result (default $TRACEFLOW_BENCH_DIR/http_big.pcap, else
#             bench-data/http_big.pcap under the current folder; several GB:
#             never commit it; the repository ignores its own bench-data/)
#   SIZE_GB   approximate size of the result (default 2; 1-4 is the useful range)
#   SECONDS   how long the base traffic is recorded (default 60)
# Environment: TRACEFLOW_BENCH_DIR (folder of the default OUT), CLIENTS
# (parallel curl loops, default 4), SERVERS (http.server processes on ports
# 8000.., default 2), KEEP_BASE=1 keeps the base capture next to OUT,
# VARIANTS=0 skips the sorted and shuffled copies, PY (the python3 to run).
#
# What it does:
#  1. Two network namespaces tfbcli / tfbsrv joined by a veth pair (10.78.0.1 /
#     10.78.0.2), MTU 1500, IPv6 off, TSO/GSO/GRO and checksum offload off, so
#     every captured frame is a real <= 1514-byte packet.
#  2. SERVERS x python3 -m http.server (HTTP/1.1, keep-alive) serve files of
#     0.1 KiB to 1 MiB; CLIENTS bash loops run curl with 1-6 URLs per connection drawn
#     from a fixed mix (mostly small objects, some medium, a few large), plus a
#     slow ping for a little non-TCP traffic. tcpdump records tfbcli's end.
#  3. The base capture is copied with `tcprewrite --seed=N --fixcsum` for
#     N = 1..K (each seed maps the two hosts to a different address pair, so
#     every copy holds distinct flows) and the copies are concatenated with
#     `mergecap -a` until SIZE_GB is reached: capture time steps back at each
#     join (copies - 1 times).
#  4. Unless VARIANTS=0: OUT's records sorted by time (reordercap:
#     OUT.sorted.pcap) and in a random order (bench/shuffle_pcap.py, seed 1:
#     OUT.shuffled.pcap), for modes whose cost depends on time order.
# Every file is written under a temporary name and renamed when complete.
set -euo pipefail

OUT=${1:-${TRACEFLOW_BENCH_DIR:-bench-data}/http_big.pcap}
SIZE_GB=${2:-2}
SECONDS_BASE=${3:-60}
CLIENTS=${CLIENTS:-4}
SERVERS=${SERVERS:-2}
PY=${PY:-/usr/bin/python3}
CLI=tfbcli
SRV=tfbsrv
for tool in ip tcpdump tcprewrite mergecap capinfos reordercap curl "$PY"; do
    command -v "$tool" >/dev/null || { echo "make_capture.sh: '$tool' is missing (see the list above)" >&2; exit 1; }
done
OUTDIR=$(dirname "$OUT")
mkdir -p "$OUTDIR"
TMP=$(mktemp -d "$OUTDIR/make_capture.XXXXXX")

teardown() { ip netns del $CLI 2>/dev/null || true; ip netns del $SRV 2>/dev/null || true; }
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    teardown
    rm -rf "$TMP"
}
trap cleanup EXIT

# --- 1. namespaces -----------------------------------------------------------
teardown
ip netns add $CLI
ip netns add $SRV
ip -n $CLI link add tfb0 address 02:00:00:78:00:01 type veth peer name tfb1 address 02:00:00:78:00:02 netns $SRV
for pair in "$CLI tfb0 10.78.0.1" "$SRV tfb1 10.78.0.2"; do
    set -- $pair
    ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
    ip -n "$1" link set "$2" mtu 1500
    ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" link set lo up
    ip -n "$1" link set "$2" up
    # quickack: no delayed ACKs, else http.server's header/body writes meet
    # Nagle and every response stalls 40 ms
    ip -n "$1" route replace 10.78.0.0/24 dev "$2" quickack 1
done
# many short connections: let the client reuse ports quickly
ip netns exec $CLI sysctl -qw net.ipv4.tcp_tw_reuse=1
ip netns exec $CLI sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
sleep 1

# --- 2. content, server, capture, clients ------------------------------------
mkdir "$TMP/www"
size_file() { head -c "$2" /dev/urandom | base64 -w 76 >"$TMP/www/$1"; truncate -s "$2" "$TMP/www/$1"; }
size_file tiny.txt 100
size_file small.html 1500
size_file page.html 8000
size_file style.css 20000
size_file script.js 60000
size_file image.jpg 200000
size_file video.bin 1048576

# One http.server per port 8000.. (a single one is GIL-bound at ~50 new connections/s).
for ((s = 0; s < SERVERS; s++)); do
    ip netns exec $SRV "$PY" -m http.server -b 10.78.0.2 -p HTTP/1.1 -d "$TMP/www" $((8000 + s)) \
        >"$TMP/http$s.log" 2>&1 &
    PIDS+=($!)
done
until [ "$(ip netns exec $SRV ss -Hltn 'sport >= :8000' | grep -c LISTEN)" -ge "$SERVERS" ]; do sleep 0.1; done

BASE=$TMP/base.pcap
ip netns exec $CLI tcpdump -i tfb0 -Z root -B 131072 -s 0 -w "$BASE" 2>"$TMP/tcpdump.log" &
CAP=$!
until grep -q 'listening on' "$TMP/tcpdump.log"; do sleep 0.05; done

ip netns exec $CLI ping -q -i 0.5 10.78.0.2 >/dev/null 2>&1 &
PIDS+=($!)

# Object mix per request (weights out of 100): tiny 25, small 25, page 20,
# style 10, script 10, image 5, a 404 5; plus video.bin (1 MiB) for 1 URL in 200.
# Starting a process costs ~70 ms on a small VM, so one curl runs 40
# connections: each carries 1-6 requests on HTTP/1.1 keep-alive, the last one
# with "Connection: close" (the server closes; curl's last connection is
# closed by the client when it exits).
client() {
    local seed=$1 end=$((SECONDS + SECONDS_BASE))
    RANDOM=$seed
    local objects=(tiny.txt tiny.txt tiny.txt tiny.txt tiny.txt small.html small.html small.html small.html
                   small.html page.html page.html page.html page.html style.css style.css script.js
                   script.js image.jpg missing.png)
    # sets $u without a subshell: a fork costs ~10 ms here
    pick() { if ((RANDOM % 200 == 0)); then u=$URL/video.bin; else u=$URL/${objects[RANDOM % 20]}; fi; }
    while [ $SECONDS -lt $end ]; do
        local args=() c i n u
        for ((c = 0; c < 40; c++)); do
            n=$((1 + RANDOM % 6))
            for ((i = 1; i < n; i++)); do pick; args+=("$u"); done
            [ $n -gt 1 ] && args+=(--next)
            pick
            args+=(-H "Connection: close" "$u")
            [ $c -lt 39 ] && args+=(--next)
        done
        curl -s --http1.1 "${args[@]}" >/dev/null 2>&1 || true
    done
}
export -f client
export SECONDS_BASE
CLIENT_PIDS=()
for c in $(seq 1 "$CLIENTS"); do
    URL=http://10.78.0.2:$((8000 + c % SERVERS)) ip netns exec $CLI bash -c "client $c" &
    CLIENT_PIDS+=($!)
    PIDS+=($!)
done
wait "${CLIENT_PIDS[@]}" || true
sleep 1
kill -INT $CAP
wait $CAP || true
cat "$TMP/tcpdump.log" >&2
capinfos -c -s -u "$BASE" >&2

# --- 3. amplify ----------------------------------------------------------------
base_bytes=$(stat -c %s "$BASE")
if [ "$base_bytes" -lt 1000000 ]; then
    echo "base capture too small ($base_bytes bytes): no traffic recorded?" >&2
    exit 1
fi
want=$(awk -v g="$SIZE_GB" 'BEGIN { printf "%.0f", g * 1024 * 1024 * 1024 }')
copies=$(((want + base_bytes - 1) / base_bytes))
[ "$copies" -lt 1 ] && copies=1
echo "base: $base_bytes bytes; $copies copies for ~$SIZE_GB GiB" >&2
parts=()
for n in $(seq 1 "$copies"); do
    tcprewrite --seed="$n" --fixcsum --infile="$BASE" --outfile="$TMP/part$n.pcap"
    parts+=("$TMP/part$n.pcap")
done
mergecap -a -F pcap -w "$TMP/out.pcap" "${parts[@]}"
rm -f "${parts[@]}"
mv "$TMP/out.pcap" "$OUT"
if [ "${KEEP_BASE:-0}" = 1 ]; then
    cp "$BASE" "$TMP/base.copy.pcap"
    mv "$TMP/base.copy.pcap" "${OUT%.pcap}.base.pcap"
fi
capinfos -c -s -u -e -a "$OUT"

# --- 4. time-order variants ----------------------------------------------------
if [ "${VARIANTS:-1}" = 1 ]; then
    reordercap "$OUT" "$TMP/sorted.pcap" >&2
    mv "$TMP/sorted.pcap" "${OUT%.pcap}.sorted.pcap"
    "$PY" "$(dirname "$0")/shuffle_pcap.py" "$OUT" "$TMP/shuffled.pcap" 1
    mv "$TMP/shuffled.pcap" "${OUT%.pcap}.shuffled.pcap"
fi
