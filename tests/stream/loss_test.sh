#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# stream.loss: real TCP loss through a router. Three network namespaces
# (client - router - server, veth pairs, offloads off so segments are MTU
# sized); the router's nftables forward chain drops a random share of the TCP
# segments it forwards, so the transfers see real losses, retransmissions and
# out-of-order arrivals. The client downloads files of random content from an
# HTTP server (separate connections and one keep-alive connection carrying
# two requests) while tcpdump captures on the client's and the server's veth.
# Then `traceflow --conn -f payload -o DIR --json` runs on each capture and
# must give, for every connection: no gaps and no conflicts in either stream,
# files as long as the stream, the GET requests in {label}.orig and, in
# {label}.resp, HTTP responses whose bodies equal the served files byte for
# byte. The client-side capture sees every byte the client got; the
# server-side one sees every byte sent, retransmissions as overlaps.
# Prints "SKIPPED: why" without root, a needed tool or network namespaces.
# Usage: loss_test.sh TRACEFLOW   (LOSS_PERCENT=5 by default)
set -uo pipefail

skip() {
    echo "SKIPPED: $*"
    exit 0
}

if [ "$#" -ne 1 ]; then
    echo "usage: $0 TRACEFLOW" >&2
    exit 1
fi
traceflow_bin=$(readlink -f -- "$1")
[ -x "$traceflow_bin" ] || { echo "missing or not executable: $1" >&2; exit 1; }
loss=${LOSS_PERCENT:-5}
port=8000

[ "$(id -u)" = 0 ] || skip "network namespaces, nftables and tcpdump need root"
for tool in ip nft ethtool tcpdump curl python3; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
# The interpreter itself (not a wrapper such as a pyenv shim), so that the
# server's PID is the server's.
python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || skip "python3 does not run"
[ -x "$python" ] || skip "python3 does not run"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/traceflow-stream-loss.XXXXXX")
failures=0
pids=()
namespaces=()

stop_services() {
    local pid i
    for pid in ${pids[@]+"${pids[@]}"}; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in ${pids[@]+"${pids[@]}"}; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    pids=()
}
on_exit() {
    local rc=$? ns
    set +e  # clean up everything even when a step of it fails
    stop_services
    for ns in ${namespaces[@]+"${namespaces[@]}"}; do ip netns del "$ns" 2>/dev/null; done
    if [ "$rc" = 0 ] && [ "$failures" = 0 ]; then rm -rf -- "$tmp"; else echo "files kept in $tmp" >&2; fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM
cd "$tmp" || exit 1

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
# A step of the set-up that must work (the test cannot go on without it).
must() {
    "$@" >>"$tmp/setup.log" 2>&1 || { fail "set-up step failed: $* (see $tmp/setup.log)"; exit 1; }
}

# --- Network: client (10.201.1.1) - router - server (10.201.2.2) -------------
ns_c=tf-loss-$$-client
ns_r=tf-loss-$$-router
ns_s=tf-loss-$$-server
ip netns add "$ns_c" 2>"$tmp/netns.err" || skip "cannot create network namespaces: $(head -n 1 "$tmp/netns.err")"
namespaces+=("$ns_c")
must ip netns add "$ns_r"
namespaces+=("$ns_r")
must ip netns add "$ns_s"
namespaces+=("$ns_s")
# Made inside the namespaces: the names cannot clash with the host's.
must ip -n "$ns_c" link add c0 type veth peer name r0 netns "$ns_r"
must ip -n "$ns_s" link add s0 type veth peer name r1 netns "$ns_r"
must ip -n "$ns_c" addr add 10.201.1.1/24 dev c0
must ip -n "$ns_r" addr add 10.201.1.254/24 dev r0
must ip -n "$ns_r" addr add 10.201.2.254/24 dev r1
must ip -n "$ns_s" addr add 10.201.2.2/24 dev s0
for pair in "$ns_c c0" "$ns_r r0" "$ns_r r1" "$ns_s s0"; do
    read -r ns dev <<<"$pair"
    # Real MTU-sized segments on the wire and in the captures, with checksums.
    for feature in tso gso gro lro sg tx rx ufo; do
        ip netns exec "$ns" ethtool -K "$dev" "$feature" off >/dev/null 2>&1 || true
    done
    must ip -n "$ns" link set "$dev" up
    must ip -n "$ns" link set lo up
done
must ip -n "$ns_c" route add default via 10.201.1.254
must ip -n "$ns_s" route add default via 10.201.2.254
must ip netns exec "$ns_r" sysctl -w net.ipv4.ip_forward=1

# The router drops LOSS_PERCENT % of the TCP segments it forwards (both ways).
must ip netns exec "$ns_r" nft add table inet lossy
must ip netns exec "$ns_r" nft add chain inet lossy forward '{ type filter hook forward priority 0; policy accept; }'
must ip netns exec "$ns_r" nft add rule inet lossy forward meta l4proto tcp numgen random mod 100 '<' "$loss" counter drop

# --- Server: files of random content over HTTP/1.1 (keep-alive) --------------
mkdir -p www got
head -c 204800 /dev/urandom >www/small.bin
head -c 1048576 /dev/urandom >www/medium.bin
head -c 3145728 /dev/urandom >www/large.bin
cat >server.py <<'EOF'
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; responses carry Content-Length
handler = functools.partial(Handler, directory=sys.argv[3])
http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), handler).serve_forever()
EOF
ip netns exec "$ns_s" "$python" server.py 10.201.2.2 "$port" "$tmp/www" >server.log 2>&1 &
pids+=("$!")
up=0
for ((i = 0; i < 100; i++)); do
    if ip netns exec "$ns_s" curl -s -o /dev/null --max-time 2 "http://10.201.2.2:$port/"; then up=1; break; fi
    sleep 0.1
done
[ "$up" = 1 ] || { fail "the HTTP server did not start (see $tmp/server.log)"; exit 1; }

# --- Captures on the client's and the server's veth ---------------------------
start_capture() {  # NAMESPACE DEVICE NAME
    ip netns exec "$1" tcpdump -Z root -n -U --immediate-mode -B 16384 -i "$2" -w "$3.pcap" "tcp port $port" 2>"$3.tcpdump.err" &
    local pid=$!
    pids+=("$pid")
    eval "pid_$3=$pid"
    for ((i = 0; i < 100; i++)); do
        grep -q "listening on" "$3.tcpdump.err" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    fail "tcpdump on $2 did not start: $(cat "$3.tcpdump.err")"
    exit 1
}
stop_capture() {  # NAME
    local pid_var=pid_$1
    local pid=${!pid_var}
    kill -INT "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    local rest=() p
    for p in "${pids[@]}"; do [ "$p" = "$pid" ] || rest+=("$p"); done
    pids=("${rest[@]}")
    # A capture that missed packets is no test of traceflow (the end of a
    # capture is lost too when tcpdump stops with packets still in its buffer).
    local captured received dropped
    captured=$(sed -n 's/^\([0-9]*\) packets captured$/\1/p' "$1.tcpdump.err")
    received=$(sed -n 's/^\([0-9]*\) packets received by filter$/\1/p' "$1.tcpdump.err")
    dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$1.tcpdump.err")
    if [ -z "$captured" ] || [ "$captured" != "$received" ] || [ "${dropped:-1}" != 0 ]; then
        fail "tcpdump ($1) did not write every packet (not traceflow's fault): $(tr '\n' ' ' <"$1.tcpdump.err")"
    fi
}
start_capture "$ns_c" c0 client
start_capture "$ns_s" s0 server

# --- Downloads, all at once: three connections of one request each (HTTP/1.0
# and 1.1) and one keep-alive connection carrying two requests. ---------------
url=http://10.201.2.2:$port
services=("${pids[@]}")
downloads=()  # NAME:PID (the PID is curl's: ip netns exec execs it)
get() {  # NAME CURL_ARGS...
    local name=$1
    shift
    ip netns exec "$ns_c" curl -sS --fail --connect-timeout 20 --max-time 60 "$@" >"$name.curl.out" 2>"$name.curl.err" &
    downloads+=("$name:$!")
    pids+=("$!")
}
t0=$SECONDS
get d1 --http1.0 -o got/small.bin "$url/small.bin"
get d2 --http1.1 -o got/medium.bin "$url/medium.bin"
get d3 --http1.1 -o got/large.bin "$url/large.bin"
get d4 --http1.1 -w '%{num_connects}\n' -o got/ka-medium.bin "$url/medium.bin" -o got/ka-small.bin "$url/small.bin"
for g in "${downloads[@]}"; do
    wait "${g#*:}" || fail "download ${g%%:*} failed: $(cat "${g%%:*}.curl.err")"
done
pids=("${services[@]}")  # the downloads are over (their ids may be reused)
echo "downloads took $((SECONDS - t0)) s"
for pair in small.bin:small.bin medium.bin:medium.bin large.bin:large.bin ka-medium.bin:medium.bin ka-small.bin:small.bin; do
    cmp -s "got/${pair%%:*}" "www/${pair#*:}" || fail "curl got a different $pair (the network, not traceflow)"
done
[ "$(tr -d '\n' <d4.curl.out)" = 10 ] || fail "curl did not reuse its connection for the second request (num_connects: $(tr '\n' ' ' <d4.curl.out))"
sleep 1  # the last ACKs and FINs reach the captures
stop_capture client
stop_capture server
drops=$(ip netns exec "$ns_r" nft list chain inet lossy forward | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
echo "router dropped ${drops:-?} TCP segments (${loss} %)"
[ "${drops:-0}" -gt 0 ] || fail "the router dropped no segment: this run tests no loss"
[ "$failures" = 0 ] || exit 1

# --- traceflow and the checks --------------------------------------------------
cat >check.py <<'EOF'
# check.py FLOWS_JSONL WWW_DIR PORT CAPTURE_NAME EXPECTED_PATH...
import json, os, sys

flows_path, www, port, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
expected = sorted(sys.argv[5:])
problems = []
def problem(flow, text):
    problems.append(f"{name}: flow {flow.get('number')} {flow.get('label')}: {text}")

def stream_bytes(flow, key):
    s = flow.get("streams", {}).get(key)
    if s is None:
        problem(flow, f"no streams.{key} in the JSON line")
        return b""
    for what in ("gaps", "conflicts"):
        if s.get(what):
            problem(flow, f"streams.{key}.{what} = {s[what]} (expected none)")
    path = s.get("file")
    data = b""
    if path is not None:
        if not os.path.exists(path):
            problem(flow, f"streams.{key}.file {path} does not exist")
            return b""
        with open(path, "rb") as f:
            data = f.read()
    if len(data) != s.get("length"):
        problem(flow, f"streams.{key}: file {path} holds {len(data)} bytes, length says {s.get('length')}")
    return data

def first_differences(got, want, base):
    out, n = [], min(len(got), len(want))
    i = 0
    while i < n and len(out) < 5:
        if got[i] != want[i]:
            j = i
            while j < n and got[j] != want[j]:
                j += 1
            out.append(f"[{base + i},{j - i}]")
            i = j
        else:
            i += 1
    total = sum(1 for k in range(n) if got[k] != want[k])
    return total, out

requested = []
connections = keep_alive = 0
with open(flows_path) as f:
    lines = [l for l in f if l.strip()]
for line in lines:
    flow = json.loads(line)
    # The line as messages show it: the frame index shortened to its length.
    line = json.dumps({k: (f"<{len(v)} frames>" if k == "index" and isinstance(v, list) else v)
                       for k, v in flow.items()})
    if flow.get("dstport") != port:
        if flow.get("srcport") == port:
            problem(flow, "labelled from the server side (expected the client as initiator): " + line)
        continue
    connections += 1
    orig, resp = stream_bytes(flow, "orig"), stream_bytes(flow, "resp")
    # Requests: GET lines with headers and no body.
    paths, pos = [], 0
    while pos < len(orig):
        end = orig.find(b"\r\n\r\n", pos)
        if end < 0:
            problem(flow, f".orig: no end of request headers after offset {pos}: {orig[pos:pos + 60]!r}")
            break
        request_line = orig[pos:orig.find(b"\r\n", pos)].decode("latin-1").split()
        if len(request_line) != 3 or request_line[0] != "GET":
            problem(flow, f".orig offset {pos}: not a GET request: {orig[pos:pos + 60]!r}")
            break
        paths.append(request_line[1])
        pos = end + 4
    if not paths:
        problem(flow, f"no request in .orig ({len(orig)} bytes): {line}")
        continue
    if len(paths) > 1:
        keep_alive += 1
    requested += paths
    # Responses, one per request, in order.
    pos = 0
    for path in paths:
        end = resp.find(b"\r\n\r\n", pos)
        if end < 0:
            problem(flow, f".resp: no response headers for {path} at offset {pos} ({len(resp)} bytes): {resp[pos:pos + 60]!r}")
            break
        head = resp[pos:end].decode("latin-1").split("\r\n")
        status = head[0].split()
        headers = {h.split(":", 1)[0].strip().lower(): h.split(":", 1)[1].strip() for h in head[1:] if ":" in h}
        if len(status) < 2 or status[1] != "200":
            problem(flow, f".resp offset {pos}: status {head[0]!r} for {path}")
            break
        body_at = end + 4
        if "content-length" in headers:
            body = resp[body_at:body_at + int(headers["content-length"])]
        else:
            body = resp[body_at:]
        want_path = os.path.join(www, path.lstrip("/"))
        with open(want_path, "rb") as w:
            want = w.read()
        if body != want:
            total, ranges = first_differences(body, want, body_at)
            problem(flow, f".resp: body of {path} (at .resp offset {body_at}) differs from {want_path}: "
                          f"{len(body)} bytes vs {len(want)}; {total} bytes differ, first differing "
                          f"[.resp offset,length]: {' '.join(ranges) or 'none (only the length)'}; JSON: {line}")
        pos = body_at + len(body)
    if pos < len(resp) and not problems:
        problem(flow, f".resp: {len(resp) - pos} bytes after the last response at offset {pos}")

if sorted(requested) != expected:
    problems.append(f"{name}: requests seen {sorted(requested)}, expected {expected}")
if keep_alive == 0:
    problems.append(f"{name}: no connection carried two requests (keep-alive)")
for p in problems:
    print("FAIL: " + p, file=sys.stderr)
print(f"{name}: {len(lines)} flows, {connections} HTTP connections ({keep_alive} keep-alive), "
      f"{len(requested)} responses checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
EOF

expected_paths=(/small.bin /medium.bin /large.bin /medium.bin /small.bin)
for name in client server; do
    mkdir -p "out-$name"
    rc=0
    "$traceflow_bin" --conn -f payload -o "out-$name" --json "$name.pcap" >"$name.flows.jsonl" 2>"$name.traceflow.err" || rc=$?
    if [ "$rc" != 0 ]; then
        fail "traceflow on the $name-side capture exited $rc: $(head -c 2000 "$name.traceflow.err")"
        continue
    fi
    if command -v tshark >/dev/null 2>&1; then
        # For information: what the loss did to this capture.
        tshark -r "$name.pcap" -T fields -E separator=, -e tcp.analysis.retransmission \
            -e tcp.analysis.out_of_order -e tcp.analysis.lost_segment 2>/dev/null |
            awk -F, -v name="$name" '$1 != "" { r++ } $2 != "" { o++ } $3 != "" { l++ }
                END { printf "%s capture: %d packets, %d retransmissions, %d out of order, %d after a gap (previous segment not captured)\n", name, NR, r, o, l }'
    fi
    "$python" check.py "$name.flows.jsonl" "$tmp/www" "$port" "$name" "${expected_paths[@]}" || failures=$((failures + 1))
done

if [ "$failures" != 0 ]; then
    echo "stream.loss: $failures failure(s)" >&2
    exit 1
fi
echo "stream.loss: passed"
