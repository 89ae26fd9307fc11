// SPDX-License-Identifier: MIT
// Test helper: the one frame builder of the tests -- Ethernet, VLAN, IPv4, IPv6 and TCP headers as bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "byte_builder.hpp"

namespace testutil {

/// A TCP header with data offset `words` (options past 20 bytes are NOPs),
/// then `payload` bytes counting up from the source port.
inline Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags, std::size_t payload = 0,
                 unsigned words = 5, std::uint32_t seq = 1000, std::uint32_t ack = 2000) {
    Bytes h = cat({be16(sport),
                   be16(dport),
                   be32(seq),
                   be32(ack),
                   {static_cast<std::uint8_t>(words << 4), flags},
                   be16(65535),
                   be16(0),
                   be16(0)});
    if (words > 5) h.resize(words * 4u, 0x01);
    for (std::size_t i = 0; i < payload; ++i) h.push_back(static_cast<std::uint8_t>(sport + i));
    return h;
}

/// An IPv4 header of `ihl` words (options are NOPs; fewer than 5 words keep
/// 20 bytes) with a total length of that header plus `payload`.
inline Bytes ipv4(std::uint8_t protocol, const Bytes& payload, unsigned ihl = 5, unsigned fragment = 0,
                  const Bytes& src = {10, 0, 0, 1}, const Bytes& dst = {10, 0, 0, 2}) {
    Bytes h = cat({{static_cast<std::uint8_t>(0x40 | ihl), 0},
                   be16(static_cast<unsigned>(ihl * 4 + payload.size())),
                   be16(0x1234),
                   be16(fragment),
                   {64, protocol},
                   be16(0),
                   src,
                   dst});
    if (ihl > 5) h.resize(ihl * 4, 0x01);
    return cat({h, payload});
}

/// An IPv6 header carrying `payload` as next header `next`.
inline Bytes ipv6(std::uint8_t next, const Bytes& payload,
                  const Bytes& src = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
                  const Bytes& dst = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}) {
    return cat({be32(0x60000000), be16(static_cast<unsigned>(payload.size())), {next, 64}, src, dst, payload});
}

/// An Ethernet II frame of EtherType `type`.
inline Bytes ethernet(unsigned type, const Bytes& payload,
                      const Bytes& macs = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb}) {
    return cat({macs, be16(type), payload});
}

/// An 802.1Q tag (after the outer EtherType 0x8100) of VLAN `id`, then `next_type`.
inline Bytes vlan_tag(unsigned id, unsigned next_type) { return cat({be16(0x2000 | id), be16(next_type)}); }

/// Documentation addresses (RFC 5737, RFC 3849) for the hosts of built captures, `host` as the last byte.
inline Bytes doc_v4(std::uint8_t net, std::uint8_t host) {
    return net == 0 ? Bytes{192, 0, 2, host} : Bytes{198, 51, 100, host};
}
inline Bytes doc_v6(std::uint8_t host) { return {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, host}; }

/// A fragment of a packet: its place (`offset`) and bytes, and whether more follow.
struct FragmentPiece {
    std::size_t offset;
    Bytes bytes;
    bool more;
};

/// `payload` cut at each of `cuts` (multiples of 8, increasing).
inline std::vector<FragmentPiece> cut_fragments(const Bytes& payload, const std::vector<std::size_t>& cuts) {
    std::vector<std::size_t> points{0};
    points.insert(points.end(), cuts.begin(), cuts.end());
    points.push_back(payload.size());
    std::vector<FragmentPiece> pieces;
    for (std::size_t i = 0; i + 1 < points.size(); ++i)
        pieces.push_back(
            {points[i],
             Bytes(payload.begin() + static_cast<long>(points[i]), payload.begin() + static_cast<long>(points[i + 1])),
             i + 2 < points.size()});
    return pieces;
}

/// Ethernet frames of the IPv4 fragments of `payload` (a TCP segment when
/// `protocol` is 6), cut at each of `cuts`.
inline std::vector<Bytes> ipv4_fragments(const Bytes& payload, const std::vector<std::size_t>& cuts, unsigned id,
                                         const Bytes& src, const Bytes& dst, std::uint8_t protocol = 6) {
    std::vector<Bytes> out;
    for (const FragmentPiece& p : cut_fragments(payload, cuts)) {
        const unsigned field = (p.more ? 0x2000u : 0u) | static_cast<unsigned>(p.offset / 8);
        out.push_back(ethernet(0x0800, cat({{0x45, 0},
                                            be16(static_cast<unsigned>(20 + p.bytes.size())),
                                            be16(id),
                                            be16(field),
                                            {64, protocol},
                                            be16(0),
                                            src,
                                            dst,
                                            p.bytes})));
    }
    return out;
}

/// Ethernet frames of the IPv6 fragments of `payload` (TCP), each an IPv6
/// header and a Fragment header, cut at each of `cuts`.
inline std::vector<Bytes> ipv6_fragments(const Bytes& payload, const std::vector<std::size_t>& cuts, std::uint32_t id,
                                         const Bytes& src, const Bytes& dst) {
    std::vector<Bytes> out;
    for (const FragmentPiece& p : cut_fragments(payload, cuts)) {
        const unsigned field = static_cast<unsigned>(p.offset) | (p.more ? 1u : 0u);
        out.push_back(ethernet(0x86DD, ipv6(44, cat({{6, 0}, be16(field), be32(id), p.bytes}), src, dst)));
    }
    return out;
}

/// The first `n` bytes of `b`.
inline Bytes prefix(const Bytes& b, std::size_t n) { return Bytes(b.begin(), b.begin() + static_cast<long>(n)); }

}  // namespace testutil
