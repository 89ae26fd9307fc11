#!/usr/bin/env python3
"""Wraps every frame of examples/data/sample.pcap in a tunnel, one capture per
tunnel, frame for frame (same count, order and times), for the --decap tests.

    python3 tests/data/tunnels/make_tunnels.py examples/data/sample.pcap tests/data/tunnels

vxlan.pcap      Ethernet / IPv4 192.0.2.1 > 192.0.2.2 / UDP > 4789 / VXLAN VNI 42 / the original Ethernet frame
geneve.pcap     Ethernet / IPv6 2001:db8::1 > 2001:db8::2 / UDP > 6081 / Geneve (8 bytes of options,
                protocol 0x6558) / the original Ethernet frame
gre_eth.pcap    Ethernet / IPv4 192.0.2.1 > 192.0.2.2 / GRE (key 7, protocol 0x6558) / the original Ethernet frame
gre_ip.pcap     Ethernet / IPv6 2001:db8::1 > 2001:db8::2 / GRE (sequence number, protocol = the original
                EtherType: 0x0800 IPv4, 0x0806 ARP, ...) / the original frame without its Ethernet header
Standard library only; UDP checksums are 0 over IPv4 (allowed), computed over IPv6.
"""
import struct, sys, os

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

V6_SRC = bytes.fromhex('20010db8000000000000000000000001')
V6_DST = bytes.fromhex('20010db8000000000000000000000002')

def ipv6(proto, payload):
    src, dst = V6_SRC, V6_DST
    return OUTER_MAC + b'\x86\xdd' + struct.pack('!IHBB', 0x60000000, len(payload), proto, 64) + src + dst + payload

def udp(sport, dport, payload):
    return struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload

def vxlan(frame, n):
    return ipv4(17, udp(49152 + n % 1000, 4789, struct.pack('!BxxxI', 0x08, 42 << 8) + frame), n)

def udp6(sport, dport, payload):
    # Over IPv6 the UDP checksum is mandatory (RFC 8200), pseudo-header included.
    seg = udp(sport, dport, payload)
    pseudo = V6_SRC + V6_DST + struct.pack('!I3xB', len(seg), 17)
    c = checksum(pseudo + seg) or 0xffff
    return seg[:6] + struct.pack('!H', c) + seg[8:]

def geneve(frame, n):
    option = struct.pack('!HBB', 0x0101, 0x01, 1) + b'\xde\xad\xbe\xef'  # class 0x0101, type 1, 4 bytes
    header = struct.pack('!BBHI', len(option) // 4, 0, 0x6558, 42 << 8) + option
    return ipv6(17, udp6(49152 + n % 1000, 6081, header + frame))

def gre_eth(frame, n):
    return ipv4(47, struct.pack('!HHI', 0x2000, 0x6558, 7) + frame, n)

def gre_ip(frame, n):
    ethertype, = struct.unpack('!H', frame[12:14])
    return ipv6(47, struct.pack('!HHI', 0x1000, ethertype, n) + frame[14:])

def main():
    src, out = sys.argv[1], sys.argv[2]
    header, frames = read_pcap(src)
    for name, wrap in (('vxlan', vxlan), ('geneve', geneve), ('gre_eth', gre_eth), ('gre_ip', gre_ip)):
        with open(os.path.join(out, name + '.pcap'), 'wb') as f:
            f.write(header)
            for n, (sec, usec, data, orig) in enumerate(frames, 1):
                wrapped = wrap(data, n)
                f.write(struct.pack('<IIII', sec, usec, len(wrapped), orig + len(wrapped) - len(data)))
                f.write(wrapped)

main()
