#!/usr/bin/env python3
"""Rewrites the IPv4 frames of examples/data/sample.pcap as IPv6, frame for
frame (other frames, e.g. ARP, are kept as they are):

  loopback6.pcap  both ends ::1 (as on the loopback interface): labels start
                  with '.', so per-flow files would be hidden files
  wide6.pcap      client 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1, server
                  2001:db8:aaaa:bbbb:cccc:dddd:eeee:2 (the longest labels)

IPv4 header -> 40-byte IPv6 header (next header = IPv4 protocol, hop limit =
TTL, payload length = total length - IHL*4); TCP/UDP checksums recomputed
over the IPv6 pseudo-header; ICMP frames are kept as IPv6 next header 1
(not TCP either way). Run:
    python3 tests/data/ipv6/make_ipv6.py examples/data/sample.pcap tests/data/ipv6
"""
import struct, sys, os

def checksum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def convert(frame, addr):
    if frame[12:14] != b'\x08\x00':
        return frame
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    total, = struct.unpack('!H', ip[2:4])
    proto, ttl = ip[9], ip[8]
    src = addr[ip[12:16]]
    dst = addr[ip[16:20]]
    payload = bytearray(ip[ihl:total])
    if proto in (6, 17):
        at = 16 if proto == 6 else 6
        payload[at:at + 2] = b'\0\0'
        pseudo = src + dst + struct.pack('!I3xB', len(payload), proto)
        payload[at:at + 2] = struct.pack('!H', checksum(pseudo + bytes(payload)))
    header = struct.pack('!IHBB', 0x60000000, len(payload), proto, ttl) + src + dst
    return frame[:12] + b'\x86\xdd' + header + bytes(payload)

def main():
    data = open(sys.argv[1], 'rb').read()
    c, s = bytes([10, 77, 0, 1]), bytes([10, 77, 0, 2])
    loop = bytes(15) + b'\x01'
    wide = bytes.fromhex('20010db8aaaabbbbccccddddeeee0001'), bytes.fromhex('20010db8aaaabbbbccccddddeeee0002')
    for name, addr in (('loopback6.pcap', {c: loop, s: loop}), ('wide6.pcap', {c: wide[0], s: wide[1]})):
        out, off = [data[:24]], 24
        while off < len(data):
            sec, usec, incl, orig = struct.unpack('<IIII', data[off:off + 16])
            frame = data[off + 16:off + 16 + incl]
            new = convert(frame, addr)
            out.append(struct.pack('<IIII', sec, usec, len(new), orig + len(new) - len(frame)) + new)
            off += 16 + incl
        open(os.path.join(sys.argv[2], name), 'wb').write(b''.join(out))

main()
