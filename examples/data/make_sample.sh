#!/bin/bash
# Re-record examples/data/sample.pcap and sample.pcapng (see README.md).
# Needs root, Debian 12 with: tcpdump wireshark-common (editcap) iproute2
# ethtool iputils-ping curl netcat-openbsd python3.
# Usage: sudo ./make_sample.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-/usr/bin/python3}
CLI=tfcli   # client network namespace
SRV=tfsrv   # server network namespace
TMP=$(mktemp -d /tmp/traceflow-sample.XXXXXX)
URL=http://10.77.0.2:8000

# --- two network namespaces joined by a veth pair ---------------------------
# tfcli: tf0 10.77.0.1 02:00:00:77:00:01 (client side, captured here)
# tfsrv: tf1 10.77.0.2 02:00:00:77:00:02 (server side)
teardown() { ip netns del $CLI 2>/dev/null || true; ip netns del $SRV 2>/dev/null || true; }
setup() {
    teardown
    ip netns add $CLI
    ip netns add $SRV
    ip -n $CLI link add tf0 address 02:00:00:77:00:01 type veth peer name tf1 address 02:00:00:77:00:02 netns $SRV
    # no IPv6 (no ND/MLD noise) and no offloads, so every captured frame is a
    # real <=1500-byte packet with a correct checksum
    ip netns exec $CLI sysctl -qw net.ipv6.conf.tf0.disable_ipv6=1
    ip netns exec $SRV sysctl -qw net.ipv6.conf.tf1.disable_ipv6=1
    ip netns exec $CLI ethtool -K tf0 tx off tso off gso off gro off >/dev/null 2>&1 || true
    ip netns exec $SRV ethtool -K tf1 tx off tso off gso off gro off >/dev/null 2>&1 || true
    ip -n $CLI addr add 10.77.0.1/24 dev tf0
    ip -n $SRV addr add 10.77.0.2/24 dev tf1
    for ns in $CLI $SRV; do ip -n $ns link set lo up; done
    ip -n $CLI link set tf0 up
    ip -n $SRV link set tf1 up
    sleep 1
}
SRV_PID=
cleanup() {
    [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null || true
    teardown
    rm -rf "$TMP"
}
trap cleanup EXIT

# --- the files served ----------------------------------------------------------
mkdir "$TMP/www"
printf '<html><body><h1>traceflow sample</h1></body></html>\n' >"$TMP/www/index.html"
printf 'hello from the traceflow sample\n' >"$TMP/www/hello.txt"
printf 'second file, fetched on the same keep-alive connection\n' >"$TMP/www/notes.txt"
# 20480 bytes: 320 lines of 64 bytes
for i in $(seq 0 319); do printf 'line %04d %053d\n' "$i" 0; done >"$TMP/www/data.bin"

setup
ip netns exec $SRV "$PY" -m http.server -b 10.77.0.2 -p HTTP/1.1 -d "$TMP/www" 8000 \
    >"$TMP/http.log" 2>&1 &
SRV_PID=$!
until ip netns exec $SRV ss -Hltn 'sport = :8000' | grep -q LISTEN; do sleep 0.1; done

# --- two captures of the same traffic: microsecond and nanosecond timestamps
ip netns exec $CLI tcpdump -i tf0 -Z root --immediate-mode -U -w "$TMP/sample.pcap" 2>"$TMP/us.log" &
CAP_US=$!
ip netns exec $CLI tcpdump -i tf0 -Z root --immediate-mode -U --time-stamp-precision=nano \
    -w "$TMP/sample-nano.pcap" 2>"$TMP/ns.log" &
CAP_NS=$!
until grep -q 'listening on' "$TMP/us.log" && grep -q 'listening on' "$TMP/ns.log"; do sleep 0.05; done

C="ip netns exec $CLI"
$C ping -c 2 -i 0.2 10.77.0.2 >/dev/null                          # ARP + 2 ICMP echo
$C curl -s -o /dev/null "$URL/"                                    # TCP 1: index.html
$C curl -s -o /dev/null -o /dev/null "$URL/hello.txt" "$URL/notes.txt"  # TCP 2: keep-alive, 2 requests
$C curl -s -o /dev/null "$URL/data.bin"                            # TCP 3: 20480-byte download
$C curl -s -o /dev/null "$URL/missing.txt"                         # TCP 4: 404, server closes
$C curl -s -o /dev/null -I "$URL/hello.txt"                        # TCP 5: HEAD
$C curl -s -o /dev/null http://10.77.0.2:8081/ || true             # TCP 6: closed port -> RST
echo "hello over udp" | $C nc -u -w1 10.77.0.2 9999 || true        # UDP + ICMP port unreachable

sleep 1   # let tcpdump drain the ring buffer before SIGINT
kill -INT $CAP_US $CAP_NS
wait $CAP_US $CAP_NS || true
cat "$TMP/us.log" "$TMP/ns.log" >&2

cp "$TMP/sample.pcap" "$HERE/sample.pcap"
editcap -F pcapng "$TMP/sample-nano.pcap" "$HERE/sample.pcapng"
capinfos -c -i -u "$HERE/sample.pcap" "$HERE/sample.pcapng"
