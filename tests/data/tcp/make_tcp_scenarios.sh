#!/bin/bash
# Re-record the TCP scenario captures of tests/data/tcp/ (see README.md).
# Needs root, Debian 12 with: tcpdump wireshark-common (editcap) iproute2 ethtool python3.
# Usage: sudo ./make_tcp_scenarios.sh [SCENARIO...]     (default: all)
# Writes the .pcap files next to this script; raw captures go to a temp dir.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-/usr/bin/python3}
CLI=tfcli   # client network namespace (fresh each run: no TIME_WAIT left over)
SRV=tfsrv   # server network namespace
RAW=$(mktemp -d /tmp/traceflow-tcp.XXXXXX)

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
    # static ARP entries: no ARP during the captures (they keep only TCP anyway)
    ip -n $CLI neigh replace 10.77.0.2 lladdr 02:00:00:77:00:02 dev tf0 nud permanent
    ip -n $SRV neigh replace 10.77.0.1 lladdr 02:00:00:77:00:01 dev tf1 nud permanent
}
trap 'teardown; rm -rf "$RAW"' EXIT

CAP_PID=
start_cap() {  # start_cap OUTFILE FILTER
    ip netns exec $CLI tcpdump -i tf0 -Z root --immediate-mode -U -w "$1" "$2" 2>"$1.log" &
    CAP_PID=$!
    until grep -q 'listening on' "$1.log"; do sleep 0.05; done
}
stop_cap() {
    sleep 1   # let tcpdump drain the ring buffer before SIGINT
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    cat "$1.log" >&2
}

record() {  # record SCENARIO FILTER : capture one client/server run
    local name=$1 filter=$2 ready="$RAW/$1.ready"
    start_cap "$RAW/$name.pcap" "$filter"
    ip netns exec $SRV "$PY" "$HERE/tcp_scenarios.py" server "$name" "$ready" &
    local srv=$!
    until [ -e "$ready" ]; do sleep 0.05; done
    ip netns exec $CLI "$PY" "$HERE/tcp_scenarios.py" client "$name"
    wait "$srv"
    stop_cap "$RAW/$name.pcap"
}

make_one() {
    case $1 in
    reuse_after_fin|reuse_after_rst|half_close|long_idle|many_short_flows|rst_close)
        record "$1" tcp
        cp "$RAW/$1.pcap" "$HERE/$1.pcap" ;;
    retransmitted_syn)
        # only the test connection; the queue-filling connection (client
        # port 40040) is left out by the capture filter
        record "$1" 'tcp port 40004'
        cp "$RAW/$1.pcap" "$HERE/$1.pcap" ;;
    synack_first)
        # delete frame 1 (the client's SYN)
        record "$1" tcp
        editcap -F pcap "$RAW/$1.pcap" "$HERE/$1.pcap" 1 ;;
    midstream)
        # delete frames 1-60 (handshake, request and the first data segments)
        record "$1" tcp
        editcap -F pcap "$RAW/$1.pcap" "$HERE/$1.pcap" 1-60 ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
    esac
    echo "== $1: $(capinfos -c -M "$HERE/$1.pcap" | awk -F: '/Number of packets/{print $2}') packets"
}

setup
if [ $# -eq 0 ]; then
    set -- reuse_after_fin reuse_after_rst half_close retransmitted_syn \
           synack_first midstream long_idle many_short_flows rst_close
fi
for s in "$@"; do make_one "$s"; done
