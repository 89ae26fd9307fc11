#!/usr/bin/env python3
"""Writes two_links.pcapng from examples/data/sample.pcap: the same 101 frames,
in one section with two interfaces, so that flows mix link types:

  interface 0: Ethernet (link type 1), if_tsresol 9 (nanoseconds)
  interface 1: Linux cooked SLL (link type 113), if_tsresol 9

Every even-numbered frame is moved to interface 1: its 14-byte Ethernet
header becomes a 16-byte SLL header (packet type 0 or 4 by the source MAC,
ARPHRD_ETHER, the source MAC, the same EtherType). Times get a nanosecond
digit of their own (frame number mod 1000) so ns precision shows. Every
frame whose number is a multiple of 10 keeps only its first 60 bytes (its
wire length stays the original), as with a snap length.

    python3 tests/data/pcapng/make_two_links.py examples/data/sample.pcap tests/data/pcapng/two_links.pcapng
"""
import struct, sys

def read_pcap(path):
    data = open(path, 'rb').read()
    assert struct.unpack('<I', data[:4])[0] == 0xa1b2c3d4
    off, frames = 24, []
    while off < len(data):
        sec, usec, incl, orig = struct.unpack('<IIII', data[off:off + 16])
        frames.append((sec, usec, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return frames

def block(kind, body):
    body += b'\0' * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack('<II', kind, n) + body + struct.pack('<I', n)

def idb(link):
    options = struct.pack('<HH', 9, 1) + b'\x09\0\0\0' + struct.pack('<HH', 0, 0)
    return block(1, struct.pack('<HHI', link, 0, 262144) + options)

CLIENT_MAC = bytes.fromhex('020000770001')

def main():
    frames = read_pcap(sys.argv[1])
    out = [block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1)), idb(1), idb(113)]
    for n, (sec, usec, data, orig) in enumerate(frames, 1):
        interface = 1 if n % 2 == 0 else 0
        if interface == 1:
            src = data[6:12]
            ptype = 4 if src == CLIENT_MAC else 0
            data = struct.pack('!HHH', ptype, 1, 6) + src + b'\0\0' + data[12:14] + data[14:]
            orig += 2
        if n % 10 == 0:
            data = data[:60]
        ns = (sec * 1000000 + usec) * 1000 + n % 1000
        out.append(block(6, struct.pack('<IIIII', interface, ns >> 32, ns & 0xffffffff, len(data), orig) + data))
    open(sys.argv[2], 'wb').write(b''.join(out))

main()
