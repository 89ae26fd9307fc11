#!/usr/bin/env python3
"""Rewrites every frame of examples/data/sample.pcap for the GTP-U (--decap) and
Cisco HDLC tests, frame for frame (same count, order and times).

    python3 tests/data/tunnels/make_gtp_hdlc.py examples/data/sample.pcap tests/data/tunnels
    text2pcap -q -F pcap -l 104 -t %s.%f tests/data/tunnels/c_hdlc.txt tests/data/tunnels/c_hdlc.pcap
    rm tests/data/tunnels/c_hdlc.txt

gtp_u.pcap   written here: Ethernet / IPv4 192.0.2.1 > 192.0.2.2 / UDP 2152 > 2152 / GTP-U version 1 /
             the original frame without its Ethernet header. IP frames are G-PDUs (message type 255,
             TEID 0x1000 + frame number) in three shapes by frame number n: n % 3 == 0 the 8-byte header
             alone; n % 3 == 1 with the S flag (sequence number n, 12 bytes); n % 3 == 2 with the E flag
             and one PDU Session Container extension header (type 0x85, 4 bytes; 16 bytes in all).
             Non-IP frames (ARP) become GTP-U Echo Requests (message type 1, S flag, no payload).
c_hdlc.txt   text2pcap input: each frame's time, then its bytes as a hex dump with the 14-byte Ethernet
             header replaced by the 4-byte Cisco HDLC one: address 0x0F (0x8F for a broadcast
             destination), control 0x00, then the original EtherType (0x0800 IPv4, 0x0806 ARP).
             text2pcap writes c_hdlc.pcap with link type 104 (LINKTYPE_C_HDLC).
Standard library only; UDP checksums are 0 over IPv4 (allowed).
"""
import os
import struct
import sys


def read_pcap(path):
    data = open(path, 'rb').read()
    magic, = struct.unpack('<I', data[:4])
    assert magic == 0xa1b2c3d4, 'little-endian microsecond pcap expected'
    header, off, frames = data[:24], 24, []
    while off < len(data):
        sec, usec, incl, orig = struct.unpack('<IIII', data[off:off + 16])
        frames.append((sec, usec, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return header, frames


def checksum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


OUTER_MAC = bytes.fromhex('020000aa0001') + bytes.fromhex('020000aa0002')


def ipv4(proto, payload, ident):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident & 0xffff, 0x4000, 64, proto, 0,
                    bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    h = h[:10] + struct.pack('!H', checksum(h)) + h[12:]
    return OUTER_MAC + b'\x08\x00' + h + payload


def udp(sport, dport, payload):
    return struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload


def gtp_u(frame, n):
    ethertype, = struct.unpack('!H', frame[12:14])
    teid = 0x1000 + n
    if ethertype not in (0x0800, 0x86dd):
        # Echo Request: version 1, PT 1, S; the length counts the 4 optional bytes.
        message = struct.pack('!BBHIHBB', 0x32, 1, 4, teid, n, 0, 0)
    else:
        inner = frame[14:]
        if n % 3 == 0:
            message = struct.pack('!BBHI', 0x30, 255, len(inner), teid) + inner
        elif n % 3 == 1:
            message = struct.pack('!BBHIHBB', 0x32, 255, 4 + len(inner), teid, n, 0, 0) + inner
        else:
            # PDU Session Container (TS 38.415): length 1 (4 bytes), UL PDU type 1, QFI 9, next type 0.
            extension = bytes([1, 0x10, 9, 0])
            message = struct.pack('!BBHIHBB', 0x34, 255, 8 + len(inner), teid, 0, 0, 0x85) + extension + inner
    return ipv4(17, udp(2152, 2152, message), n)


def c_hdlc(frame):
    address = 0x8f if frame[0] & 1 else 0x0f  # a group (broadcast) destination MAC
    return bytes([address, 0]) + frame[12:14] + frame[14:]


def main():
    src, out = sys.argv[1], sys.argv[2]
    header, frames = read_pcap(src)
    with open(os.path.join(out, 'gtp_u.pcap'), 'wb') as f:
        f.write(header)
        for n, (sec, usec, data, orig) in enumerate(frames, 1):
            wrapped = gtp_u(data, n)
            f.write(struct.pack('<IIII', sec, usec, len(wrapped), orig + len(wrapped) - len(data)))
            f.write(wrapped)
    with open(os.path.join(out, 'c_hdlc.txt'), 'w') as f:
        for sec, usec, data, orig in frames:
            assert orig == len(data), 'text2pcap keeps no original length'
            frame = c_hdlc(data)
            f.write('%d.%06d\n' % (sec, usec))
            for i in range(0, len(frame), 16):
                f.write('%06x %s\n' % (i, ' '.join('%02x' % b for b in frame[i:i + 16])))
            f.write('\n')


main()
