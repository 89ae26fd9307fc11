#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The bytes of every connection against Wireshark's "Follow TCP Stream".

    follow_tshark_test.py TRACEFLOW_BINARY REFERENCE_DIR [CAPTURE_NAME...]

For every capture of REFERENCE_DIR/captures with TCP (REFERENCE_DIR/tshark/
<capture>.tsv names tshark's tcp.stream of each frame), runs

    traceflow --conn --decap -f payload -o TMP --json CAPTURE

and, once per capture, tshark with one `-z follow,tcp,raw,N` per stream, and
compares each stream's two directions with the flow's .orig/.resp files.

How tshark 4.0 follows a stream (epan/dissectors/packet-tcp.c,
follow_tcp_tap_listener and check_follow_fragments), which the comparison
relies on:
- Node 0 is the source of the stream's first TCP packet, of any kind; its data
  lines are unindented, Node 1's are indented by a tab. One line per record:
  the new bytes of one segment, in the order tshark appended them.
- A direction starts at the sequence number of its first packet (+1 for a
  SYN). Later bytes extend it; bytes already given are dropped (the first copy
  of overlapping bytes wins); a segment beyond the end waits as a fragment.
- When the other side acknowledges beyond a waiting fragment, the hole is
  given as a record "[N bytes missing in capture file]\\0" and the stream
  jumps N bytes. Fragments never reached nor acknowledged are never printed:
  the direction ends early, at a hole.
- Only the captured bytes of a segment are printed but the stream advances by
  the segment length: bytes cut off by the snapshot length vanish silently.

So tshark's records are walked with a stream offset: a data record must equal
our file at that offset and lie outside our gaps, except that a record may
start inside one of our gaps (tshark dropped uncaptured bytes silently: skip
to the gap's end); a missing-bytes record advances by N (our bytes there may
be a gap, or bytes we have and tshark gave up on: counted, not an error).
tshark's last record must end at our length or where our next gap begins.
Modelled, not excused, differences (counted in the summary):
- offset 0: tshark starts a direction at its first packet (an ACK too),
  traceflow at its first SYN, FIN or payload; the shift is computed from the
  frames (tshark/<capture>.tsv), not searched for.
- a RST's payload: tshark gives it, traceflow leaves it out of the stream.
- a TCP payload carrying an Ethernet/IP frame (OpenFlow) confuses follow's
  sides (see ADDRESS_LAYERS): tshark runs with that protocol disabled.
- streams whose frames no correct decoder traces (expected/<capture>.tsv;
  conformance.tsv says why) are skipped.

Prints a summary and every mismatch; exits 1 on any mismatch not listed in
KNOWN. Prints "SKIPPED: ..." and exits 0 when tshark is not installed.
"""

import concurrent.futures
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# (capture, kind) -> why traceflow legitimately differs from tshark there. Kinds: "number" (the
# flow's number is not the tcp.stream), "grouping" (flows and streams do not pair up), "bytes",
# "endpoints", "exit". A listed difference that no longer occurs is reported (the table stays true).
KNOWN = {
    ("pk_hist_jspcappy_in.pcap", "number"):
        "frame 25 is an ICMP error quoting a TCP header; tshark opens tcp.stream 9 for the quote, "
        "traceflow traces segments only, so its flow of that tuple starts at frame 54 and is "
        "numbered after streams 10-24 (number 24), each of which is one lower",
    ("ppp_example2.pcap", "grouping"):
        "the client retransmits its FIN for 11 s after both FINs (frames 4211-4680); our flow ends "
        "after the 2 s FIN linger and the late retransmissions form a second flow (number 120); "
        "tshark keeps one stream (tests/reference/tshark_grouping_test.cpp)",
    ("ppp_example2.pcap", "number"):
        "after the extra flow 120 above, our numbers 121-126 are tshark's 120-125",
}

MISSING = re.compile(rb"\[(\d+) bytes missing in capture file\]\x00")
SEPARATOR = "=" * 67


def read_tsv(path):
    """Rows of a tshark/expected tsv as dicts (header line first)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if not lines:
        return []
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def frame_streams(rows):
    """frame -> tshark's tcp.stream (the first one when a frame has several)."""
    out = {}
    for row in rows:
        value = row.get("tcp_stream", "")
        if value:
            out[int(row["frame"])] = int(value.split(",")[0])
    return out


def endpoint(text):
    """'1.2.3.4:80' or '[2001:db8::1]:80' -> (ip_address, port)."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if not host:
        return None  # no packet reached the tap
    try:
        return (ipaddress.ip_address(host), int(port))
    except ValueError:
        return (host, int(port) if port.isdigit() else port)


def tshark_follow(capture, streams, env, disabled=()):
    """stream -> {"nodes": [ep0, ep1], "records": [[...node 0], [...node 1]]}.

    A record is bytes (data) or an int (a "N bytes missing" record)."""
    out = {}
    streams = sorted(streams)
    for begin in range(0, len(streams), 1000):  # keep the command line short
        args = ["tshark", "-r", capture, "-q"]
        for protocol in disabled:
            args += ["--disable-protocol", protocol]
        for n in streams[begin:begin + 1000]:
            args += ["-z", "follow,tcp,raw,%d" % n]
        proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, check=False)
        text = proc.stdout.decode("ascii", "replace")
        for block in text.split(SEPARATOR):
            lines = block.split("\n")
            stream = None
            nodes = [None, None]
            records = [[], []]
            for line in lines:
                if line.startswith("Filter: tcp.stream eq "):
                    stream = int(line.split()[-1])
                elif line.startswith("Node 0: "):
                    nodes[0] = endpoint(line[8:].strip())
                elif line.startswith("Node 1: "):
                    nodes[1] = endpoint(line[8:].strip())
                elif line.strip() and stream is not None and re.fullmatch(r"\t?[0-9a-fA-F]+", line):
                    node = 1 if line.startswith("\t") else 0
                    data = bytes.fromhex(line.strip())
                    m = MISSING.fullmatch(data)
                    records[node].append(int(m.group(1)) if m else data)
            if stream is not None:
                out[stream] = {"nodes": nodes, "records": records}
    return out


def run_traceflow(binary, capture, outdir):
    proc = subprocess.run([binary, "--conn", "--decap", "-f", "payload", "-o", outdir, "--json", capture],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    flows = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line.startswith("{"):
            flows.append(json.loads(line))
    return proc.returncode, proc.stderr.decode("utf-8", "replace"), flows


def in_gap(gaps, offset):
    for begin, length in gaps:
        if begin <= offset < begin + length:
            return (begin, length)
    return None


def overlaps_gap(gaps, begin, end):
    for g_begin, g_length in gaps:
        if g_begin < end and begin < g_begin + g_length:
            return (g_begin, g_length)
    return None


def compare_direction(records, data, length, gaps, start=0, rst=(), cut=()):
    """Walks tshark's records over our bytes from our offset `start` (where tshark's first byte
    is). Returns (error or None, counts): counts["bytes"] compared, ["recovered"] bytes tshark
    calls missing that we hold, ["rst"] RST payload bytes tshark gives and we leave out."""
    pos = start
    counts = {"bytes": 0, "recovered": 0, "rst": 0, "cut": 0, "tail": 0, "head": max(0, min(start, length))}

    def fail(text):
        return (text, counts)

    for record in records:
        if isinstance(record, int):  # "[N bytes missing in capture file]"
            covered = 0
            for g_begin, g_length in gaps:
                covered += max(0, min(pos + record, g_begin + g_length) - max(pos, g_begin))
            held = max(0, min(pos + record, length) - max(pos, 0)) - covered
            if pos + record > length and held + covered < record:
                return fail("offset %d: tshark marks %d bytes missing, beyond our length %d" % (pos, record, length))
            counts["recovered"] += held
            if held:
                counts.setdefault("recovered_at", []).append((pos, record, held))
            pos += record
            continue
        if any(pos == r_begin and len(record) <= r_length for r_begin, r_length in rst):
            # a RST's payload (all of it, or the captured part): not stream data for traceflow
            counts["rst"] += len(record)
            pos += len(record)
            continue
        if pos < 0:
            return fail("offset %d: tshark has %d bytes before our offset 0" % (pos, len(record)))
        g = in_gap(gaps, pos)
        if g is not None and g[0] + g[1] in cut:  # bytes tshark dropped silently (not captured): our gap
            counts["cut"] += g[0] + g[1] - pos
            pos = g[0] + g[1]
        end = pos + len(record)
        ours = data[pos:min(end, length)]
        for i, (a, b) in enumerate(zip(ours, record)):
            if a != b:
                return fail("offset %d: tshark %s, ours %s" % (pos + i, record[i:i + 8].hex(), ours[i:i + 8].hex()))
        if end > length:
            return fail("offset %d: tshark has %d bytes more than our length %d" % (length, end - length, length))
        g = overlaps_gap(gaps, pos, end)
        if g is not None:
            return fail("offset %d: tshark has bytes [%d, %d) inside our gap [%d, %d)" %
                        (max(pos, g[0]), pos, end, g[0], g[0] + g[1]))
        counts["bytes"] += len(record)
        pos = end
    if pos < length and in_gap(gaps, pos) is None:
        return fail("offset %d: tshark ends here, we have %d more bytes (no gap of ours there)" %
                    (pos, length - pos))
    if pos < length:  # after a hole tshark never passed (nothing acknowledged it): not compared
        counts["tail"] += length - max(pos, 0) - sum(
            max(0, min(length, b + n) - max(pos, b)) for b, n in gaps)
    return (None, counts)


def last(row, key):
    return (row.get(key) or "").split(",")[-1]


def direction_rows(rows, stream, ep):
    """tshark's TCP rows of one stream sent by `ep` (the innermost TCP header of a frame), in
    capture order: (frame, seq, syn, fin, rst, tcp_len)."""
    out = []
    for row in rows:
        value = row.get("tcp_stream", "")
        if not value or int(value.split(",")[0]) != stream or not last(row, "seq_raw"):
            continue
        ip = last(row, "ipv6_src") if last(row, "ipv6_src") else last(row, "ip_src")
        try:
            if (ipaddress.ip_address(ip), int(last(row, "tcp_srcport"))) != ep:
                continue
        except ValueError:
            continue
        out.append((int(row["frame"]), int(last(row, "seq_raw")), last(row, "syn") == "1",
                    last(row, "fin") == "1", last(row, "rst") == "1", int(last(row, "tcp_len") or 0),
                    last(row, "cap_len") != last(row, "frame_len")))
    return out


def cut_ends(drows, base):
    """Our offsets where a segment cut by the snapshot length ends."""
    if base is None:
        return set()
    return {signed32(seq + (1 if syn else 0) - base) + seglen
            for _, seq, syn, _, _, seglen, cut in drows if cut and seglen > 0}


def bases(drows):
    """(tshark's first sequence number, ours): tshark starts a direction at its first packet, of
    any kind; traceflow at its first SYN, FIN or segment with payload (+1 after a SYN)."""
    theirs = ours = None
    for _, seq, syn, fin, _, seglen, _ in drows:
        if theirs is None:
            theirs = (seq + 1) & 0xFFFFFFFF if syn else seq
        if ours is None and (syn or fin or seglen > 0):
            ours = (seq + 1) & 0xFFFFFFFF if syn else seq
    return theirs, ours


def signed32(value):
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= (1 << 31) else value


def rst_payloads(drows, base):
    """[offset, length) of RST segments' payload, in our offsets (traceflow leaves it out)."""
    return [(signed32(seq - base), seglen) for _, seq, _, _, rst, seglen, _ in drows
            if rst and seglen > 0 and base is not None]


def frames_at(drows, base, offset):
    """The frames whose segment covers or neighbours stream offset `offset` (for reports)."""
    hits = []
    if base is None:
        return "-"
    for frame, seq, syn, _, _, seglen, _ in drows:
        rel = signed32(seq + (1 if syn else 0) - base)
        if rel - 64 <= offset < rel + max(seglen, 1) + 64:
            hits.append("%d(off %d len %d)" % (frame, rel, seglen))
    return ", ".join(hits[:10]) or "-"


# Layers that set the packet's addresses. tshark's follow tap runs after the whole frame is
# dissected and tells the sides apart by pinfo->src; a TCP payload carrying such a layer (an
# OpenFlow packet-in holds an Ethernet frame) rewrites it, and follow drops that segment as the
# other side's, or marks it missing. Disabling the protocol right above TCP keeps TCP's bytes.
ADDRESS_LAYERS = {"eth", "ip", "ipv6", "arp", "sll", "wlan", "fddi", "tr"}


def payload_protocols_to_disable(rows):
    out = set()
    for row in rows:
        chain = (row.get("protocols") or "").split(":")
        if "tcp" not in chain:
            continue
        i = len(chain) - 1 - chain[::-1].index("tcp")
        if i + 1 < len(chain) and ADDRESS_LAYERS & set(chain[i + 1:]):
            out.add(chain[i + 1])
    return sorted(out)


def check_capture(binary, ref, name, env):
    """Returns a dict of counts, mismatches [(stream, direction, kind, text)], notes."""
    result = {"name": name, "flows": 0, "directions": 0, "bytes": 0, "recovered": 0, "rst": 0,
              "cut": 0, "tail": 0, "head": 0,
              "shifted": [], "recovered_at": [], "mismatches": [], "notes": []}
    rows = read_tsv(os.path.join(ref, "tshark", name + ".tsv"))
    by_frame = frame_streams(rows)
    streams = set(by_frame.values())
    if not streams:
        result["skip"] = True
        return result
    expected = set()
    expected_path = os.path.join(ref, "expected", name + ".tsv")
    if os.path.exists(expected_path):
        expected = {int(r["frame"]) for r in read_tsv(expected_path)}
    capture = os.path.join(ref, "captures", name)
    disabled = payload_protocols_to_disable(rows)
    if disabled:
        result["notes"].append("tshark run with --disable-protocol %s (a TCP payload holding addresses)" %
                               ",".join(disabled))
    mismatch = lambda stream, direction, kind, text: result["mismatches"].append((stream, direction, kind, text))
    with tempfile.TemporaryDirectory(prefix="tf_follow_") as tmp:
        outdir = os.path.join(tmp, "out")
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            tshark_job = pool.submit(tshark_follow, capture, streams, env, disabled)
            rc, err, flows = run_traceflow(binary, capture, outdir)
            theirs = tshark_job.result()
        if rc != 0:
            mismatch(None, None, "exit", "traceflow exit %d: %s" % (rc, err.strip()[-300:]))
        # Our flow of each tshark stream, by frames; its number must be that stream.
        flow_of = {}
        unmapped = []
        for flow in flows:
            ids = {by_frame[f] for f in flow.get("index", []) if f in by_frame}
            if len(ids) > 1:
                mismatch(None, None, "grouping", "flow number %s spans tcp.streams %s" % (flow.get("number"), sorted(ids)))
                continue
            if not ids:
                unmapped.append(flow)
                continue
            stream = ids.pop()
            if stream in flow_of:
                mismatch(stream, None, "grouping", "two flows of ours, numbers %s and %s (the first compared)" % (
                    flow_of[stream].get("number"), flow.get("number")))
                continue
            flow_of[stream] = flow
        # Flows none of whose frames tshark calls TCP (first IPv4 fragments): by endpoints.
        for flow in unmapped:
            ends = {endpoint_of(flow, "src"), endpoint_of(flow, "dst")}
            match = [n for n, f in theirs.items() if set(f["nodes"]) == ends and n not in flow_of]
            if len(match) == 1:
                flow_of[match[0]] = flow
            elif any((s or {}).get("length", 0) for s in (flow.get("streams") or {}).values()):
                mismatch(None, None, "grouping", "flow number %s (%s) holds bytes; no tshark stream" % (
                    flow.get("number"), flow.get("label")))
        for stream, flow in flow_of.items():
            if flow.get("number") != stream:
                mismatch(stream, None, "number", "flow number %s is not the tcp.stream" % flow.get("number"))
        for stream in sorted(theirs):
            follow = theirs[stream]
            flow = flow_of.get(stream)
            if flow is None:
                frames = {f for f, s in by_frame.items() if s == stream}
                if frames and not (frames & expected):
                    continue  # frames no correct decoder traces here (conformance.tsv says why)
                if any(r for rs in follow["records"] for r in rs):
                    mismatch(stream, None, "grouping", "tshark has bytes, no flow of ours (frames %s)" % (
                        ",".join(map(str, sorted(frames)[:8]))))
                continue
            result["flows"] += 1
            ours_src = endpoint_of(flow, "src")
            ours_dst = endpoint_of(flow, "dst")
            node0 = follow["nodes"][0]
            if node0 is None or node0 == ours_src:
                directions = (("orig", ours_src), ("resp", ours_dst))
            elif node0 == ours_dst:
                directions = (("resp", ours_dst), ("orig", ours_src))
            else:
                mismatch(stream, None, "endpoints", "tshark's node 0 %s is neither end of ours (%s, %s)" % (
                    node0, ours_src, ours_dst))
                continue
            for node, (direction, ep) in enumerate(directions):
                info = (flow.get("streams") or {}).get(direction) or {}
                length = int(info.get("length", 0))
                gaps = [tuple(g) for g in info.get("gaps", [])]
                path = info.get("file")
                data = b""
                if path:
                    if not os.path.isabs(path):
                        path = os.path.join(outdir, os.path.basename(path))
                    with open(path, "rb") as f:
                        data = f.read()
                if len(data) != length:
                    mismatch(stream, direction, "bytes", "file holds %d bytes, JSON length %d" % (len(data), length))
                    continue
                drows = direction_rows(rows, stream, ep)
                their_base, our_base = bases(drows)
                shift = 0
                if their_base is not None and our_base is not None:
                    shift = signed32(their_base - our_base)
                if shift:
                    result["shifted"].append("%s stream %d %s: tshark's offset 0 is our %d" % (
                        name, stream, direction, shift))
                error, counts = compare_direction(follow["records"][node], data, length, gaps, shift,
                                                  set(rst_payloads(drows, our_base)), cut_ends(drows, our_base))
                result["directions"] += 1
                for key in ("bytes", "recovered", "rst", "cut", "tail", "head"):
                    result[key] += counts[key]
                for at, n, held in counts.get("recovered_at", []):
                    result["recovered_at"].append("%s stream %d %s: offset %d, %d of %d bytes (frames near: %s)" % (
                        name, stream, direction, at, held, n, frames_at(drows, our_base, at)))
                if error:
                    off = re.match(r"offset (-?\d+)", error)
                    where = frames_at(drows, our_base, int(off.group(1))) if off else "-"
                    conflicts = info.get("conflicts", [])
                    extra = (", our conflicts %s" % conflicts[:4]) if conflicts else ""
                    mismatch(stream, direction, "bytes", "%s (our gaps %s%s; frames near: %s)" % (
                        error, gaps[:4], extra, where))
    return result


def endpoint_of(flow, side):
    try:
        return (ipaddress.ip_address(flow[side]), int(flow[side + "port"]))
    except (KeyError, ValueError):
        return (flow.get(side), flow.get(side + "port"))


def main(argv):
    if len(argv) < 3:
        print("usage: follow_tshark_test.py TRACEFLOW_BINARY REFERENCE_DIR [CAPTURE...]", file=sys.stderr)
        return 2
    binary, ref = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    if shutil.which("tshark") is None:
        print("SKIPPED: tshark not found")
        return 0
    names = argv[3:] or sorted(os.listdir(os.path.join(ref, "captures")))
    names = [n for n in names if os.path.exists(os.path.join(ref, "tshark", n + ".tsv"))]
    config = tempfile.mkdtemp(prefix="tf_follow_cfg_")  # tshark's defaults, not this user's preferences
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=config, LC_ALL="C")
    try:
        workers = max(2, os.cpu_count() or 2)
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda n: check_capture(binary, ref, n, env), names))
    finally:
        shutil.rmtree(config, ignore_errors=True)

    totals = dict.fromkeys(("flows", "directions", "bytes", "recovered", "rst", "cut", "tail", "head"), 0)
    captures = 0
    failures = []
    excused = []
    shifted = []
    recovered_at = []
    seen_known = {}
    for r in results:
        if r.get("skip"):
            continue
        captures += 1
        for key in totals:
            totals[key] += r[key]
        shifted += r["shifted"]
        recovered_at += r["recovered_at"]
        for note in r["notes"]:
            print("note: %s: %s" % (r["name"], note))
        for stream, direction, kind, text in r["mismatches"]:
            line = "%s stream %s %s: %s" % (r["name"], "-" if stream is None else stream, direction or "-", text)
            key = (r["name"], kind)
            if key in KNOWN:
                seen_known.setdefault(key, []).append(line)
            else:
                failures.append(line)
    for key in sorted(set(KNOWN) - set(seen_known)):
        if key[0] in names:
            failures.append("%s: a known %s difference that no longer occurs (remove it from KNOWN)" % key)
    for key, lines in sorted(seen_known.items()):
        excused.append("%s %s (%d): %s; e.g. %s" % (key[0], key[1], len(lines), KNOWN[key], lines[0]))
    for line in recovered_at:
        print("tshark marks missing, traceflow holds (a later retransmission): " + line)
    for line in shifted:
        print("offset 0 differs (tshark starts at a direction's first packet, traceflow at its first "
              "byte): " + line)
    print("tshark follow: %d captures, %d connections, %d directions, %d bytes identical; "
          "%d bytes tshark marks missing that traceflow holds; %d RST payload bytes tshark gives, "
          "traceflow leaves out" % (captures, totals["flows"], totals["directions"], totals["bytes"],
                                    totals["recovered"], totals["rst"]))
    print("not compared: %d gap bytes of ours that tshark skips silently (cut by the snapshot length); "
          "%d bytes of ours after a hole tshark never passes; %d bytes of ours before tshark's offset 0" %
          (totals["cut"], totals["tail"], totals["head"]))
    for line in excused:
        print("known: " + line)
    for line in failures:
        print("MISMATCH: " + line)
    print("%d mismatches (%d known, excused)" % (len(failures), sum(map(len, seen_known.values()))))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
