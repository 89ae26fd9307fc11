#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the same traffic seen twice, from examples/data/sample.pcap:
#   dup_vlan.pcap        every frame twice in a row, tagged VLAN 10, then VLAN 20;
#   dup_interfaces.pcapng two interfaces; every frame on interface 0, and again on
#                        interface 1 a fixed delay later (records merged by time), so a
#                        connection's copy begins after the original ended with FINs.
# Usage: python3 make_dup.py ../../../examples/data/sample.pcap [delay_us]
import struct
import sys


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0xA1B2C3D4:
        e = "<"
    elif magic == 0xD4C3B2A1:
        e = ">"
    else:
        sys.exit("only microsecond pcap input is supported")
    _, _, _, _, snaplen, linktype = struct.unpack(e + "HHiIII", data[4:24])
    if linktype != 1:
        sys.exit("Ethernet input needed")
    off = 24
    frames = []
    while off + 16 <= len(data):
        sec, usec, caplen, wirelen = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        frames.append((sec * 1_000_000 + usec, data[off:off + caplen], wirelen))
        off += caplen
    return snaplen, frames


def tag(frame, vlan):
    # 802.1Q after the two MAC addresses.
    return frame[:12] + struct.pack(">HH", 0x8100, vlan) + frame[12:]


def write_vlan_pcap(path, snaplen, frames):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen + 4, 1))
        for ts, frame, wirelen in frames:
            for vlan in (10, 20):
                f = tag(frame, vlan)
                out.write(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(f), wirelen + 4))
                out.write(f)


def block(kind, body):
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", kind, length) + body + struct.pack("<I", length)


def write_pcapng(path, snaplen, frames, delay_us):
    records = [(ts, 0, frame, wirelen) for ts, frame, wirelen in frames]
    records += [(ts + delay_us, 1, frame, wirelen) for ts, frame, wirelen in frames]
    records.sort(key=lambda r: (r[0], r[1]))  # stable: the original first at equal times
    with open(path, "wb") as out:
        out.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        for _ in range(2):  # Ethernet, default microsecond resolution
            out.write(block(0x00000001, struct.pack("<HHI", 1, 0, snaplen)))
        for ts, interface, frame, wirelen in records:
            body = struct.pack("<IIIII", interface, ts >> 32, ts & 0xFFFFFFFF, len(frame), wirelen) + frame
            out.write(block(0x00000006, body))


def main():
    source = sys.argv[1]
    delay_us = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    snaplen, frames = read_pcap(source)
    write_vlan_pcap("dup_vlan.pcap", snaplen, frames)
    write_pcapng("dup_interfaces.pcapng", snaplen, frames, delay_us)


if __name__ == "__main__":
    main()
