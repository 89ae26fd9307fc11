#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# shuffle_pcap.py: writes the records of a pcap file in a random order (fixed
# seed), for benchmarks on captures whose time goes back and forth.
#
# Usage: bench/shuffle_pcap.py IN.pcap OUT.pcap [SEED]
# reordercap only sorts and editcap only jitters or moves single records by
# a bounded distance; this permutes all records uniformly (Fisher-Yates via
# random.Random(SEED).shuffle), keeping each record's bytes and timestamp.
import mmap
import os
import random
import struct
import sys


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__ or "usage: shuffle_pcap.py IN.pcap OUT.pcap [SEED]")
    src, dst = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    with open(src, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    magic = m[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        sys.exit(f"{src}: not a pcap file (pcapng: convert with editcap -F pcap first)")
    incl = struct.Struct(endian + "I")
    offsets = []
    pos, size = 24, len(m)
    while pos + 16 <= size:
        length = incl.unpack_from(m, pos + 8)[0]
        if pos + 16 + length > size:
            sys.exit(f"{src}: record {len(offsets) + 1} truncated at offset {pos}")
        offsets.append(pos)
        pos += 16 + length
    order = list(range(len(offsets)))
    random.Random(seed).shuffle(order)
    tmp = dst + ".tmp"
    with open(tmp, "wb", buffering=4 << 20) as out:
        out.write(m[:24])
        for i in order:
            start = offsets[i]
            length = incl.unpack_from(m, start + 8)[0]
            out.write(m[start:start + 16 + length])
    os.replace(tmp, dst)
    print(f"{dst}: {len(offsets)} records shuffled (seed {seed})", file=sys.stderr)


if __name__ == "__main__":
    main()
