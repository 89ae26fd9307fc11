// SPDX-License-Identifier: MIT
// The tunnel decoders (VXLAN, Geneve, GRE, GTP-U) that find the inner frame of a UDP or GRE payload.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>

#include "../../byte_view.hpp"
#include "../../decode/outcome.hpp"
#include "../../decode/tunnel_ports.hpp"
#include "../bits/endian.hpp"
#include "header_visitor.hpp"
#include "ip_layers.hpp"
#include "link_layers.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::layers {

using decode::Outcome;
namespace ethertype = decode::ethertype;
namespace ip_protocol = decode::ip_protocol;
namespace tunnel = decode::tunnel;

/// Which tunnel a payload belongs to.
enum class TunnelKind : std::uint8_t { none, vxlan, geneve, gre, gtp };

/// Where a tunnel's inner frame starts. `outcome` is Outcome::tcp when the
/// inner frame starts at `offset`: an Ethernet frame when `ethernet`, else an
/// IP header of kind `network`. `kind` is none when the payload is no tunnel.
struct TunnelResult {
    Outcome outcome;
    TunnelKind kind;
    bool ethernet;
    Network network;
    std::size_t offset;
};

/// The outcome for an inner frame of tunnel `kind` that holds no TCP.
[[nodiscard]] constexpr Outcome tunnel_outcome(TunnelKind kind, Outcome inner) noexcept {
    const bool bad = inner == Outcome::truncated || inner == Outcome::malformed;
    switch (kind) {
        case TunnelKind::vxlan: return bad ? Outcome::vxlan_malformed : Outcome::vxlan_not_tcp;
        case TunnelKind::geneve: return bad ? Outcome::geneve_malformed : Outcome::geneve_not_tcp;
        case TunnelKind::gre: return bad ? Outcome::gre_malformed : Outcome::gre_not_tcp;
        case TunnelKind::gtp: return bad ? Outcome::gtp_malformed : Outcome::gtp_not_tcp;
        case TunnelKind::none: break;
    }
    return inner;
}

[[nodiscard]] constexpr TunnelResult tunnel_stop(TunnelKind kind, Outcome inner) noexcept {
    return {tunnel_outcome(kind, inner), kind, false, Network::by_version, 0};
}

/// The inner frame kind for a GRE / Geneve protocol type.
[[nodiscard]] constexpr TunnelResult by_protocol_type(TunnelKind kind, unsigned type, std::size_t offset) noexcept {
    switch (type) {
        case tunnel::transparent_ethernet: return {Outcome::tcp, kind, true, Network::by_version, offset};
        case ethertype::ipv4: return {Outcome::tcp, kind, false, Network::ipv4, offset};
        case ethertype::ipv6: return {Outcome::tcp, kind, false, Network::ipv6, offset};
        default: return tunnel_stop(kind, Outcome::not_tcp);
    }
}

/// Reads the GTP-U header (3GPP TS 29.281) at `offset`, whose 8 mandatory
/// bytes lie before `limit`: then 4 bytes (sequence number, N-PDU number,
/// next extension header type) when any of the E, S, PN flags is set, then
/// with E the extension headers, each `4 * its first byte` long and naming
/// the next in its last byte. Only a G-PDU carries a user packet (IPv4 or
/// IPv6, told by its version nibble); echo, error indication, end marker and
/// the others are the tunnel's not-tcp. Bytes past `limit` are not read.
template <typename Visitor>
[[nodiscard]] TunnelResult decode_gtp_u(ByteView frame, std::size_t offset, std::size_t limit,
                                        Visitor& visit) noexcept(visitor_noexcept<Visitor>) {
    using traceflow::detail::bits::load_be16;
    constexpr TunnelKind kind = TunnelKind::gtp;
    const std::uint8_t* p = frame.data + offset;
    // Version 1, protocol type 1: GTP' (PT 0) and other versions are no GTP-U.
    if ((p[0] & 0xF0u) != 0x30u) return tunnel_stop(kind, Outcome::not_tcp);
    std::size_t size = 8;
    if ((p[0] & 0x07u) != 0) {
        size += 4;
        if (limit - offset < size) return tunnel_stop(kind, short_header(offset + size, frame.size));
        // Each extension header takes 4 bytes or more, so the loop ends with the payload.
        for (unsigned next = (p[0] & 0x04u) != 0 ? p[11] : 0u; next != 0;) {
            if (limit - offset - size < 1) return tunnel_stop(kind, short_header(offset + size + 1, frame.size));
            const std::size_t extension = std::size_t{frame.data[offset + size]} * 4;
            if (extension == 0) return tunnel_stop(kind, Outcome::malformed);
            if (limit - offset - size < extension) {
                return tunnel_stop(kind, short_header(offset + size + extension, frame.size));
            }
            next = frame.data[offset + size + extension - 1];
            size += extension;
        }
    }
    // The length counts the bytes after the mandatory 8: it must hold the optional ones.
    if (std::size_t{8} + bits::load_be16(p + 2) < size) return tunnel_stop(kind, Outcome::malformed);
    visit(HeaderKind::gtp_u, offset, size, p[1]);
    if (p[1] != tunnel::gtp_g_pdu) return tunnel_stop(kind, Outcome::not_tcp);
    offset += size;
    if (offset >= limit) return tunnel_stop(kind, short_header(offset + 1, frame.size));
    switch (frame.data[offset] >> 4) {
        case 4: return {Outcome::tcp, kind, false, Network::ipv4, offset};
        case 6: return {Outcome::tcp, kind, false, Network::ipv6, offset};
        default: return tunnel_stop(kind, Outcome::not_tcp);  // e.g. PPP or an Ethernet PDU session
    }
}

/// Reads the tunnel header in the payload `ip` found (UDP to 4789, 6081 or
/// 2152, or GRE). Bytes past `ip.limit` are not read.
template <typename Visitor>
[[nodiscard]] TunnelResult decode_tunnel(ByteView frame, const IpResult& ip,
                                         Visitor& visit) noexcept(visitor_noexcept<Visitor>) {
    using traceflow::detail::bits::load_be16;
    std::size_t offset = ip.offset;
    const std::size_t limit = ip.limit;
    if (offset > limit) return tunnel_stop(TunnelKind::none, Outcome::not_tcp);
    const std::uint8_t* p = frame.data + offset;
    if (ip.protocol == ip_protocol::udp) {
        if (limit - offset < 8) return tunnel_stop(TunnelKind::none, Outcome::not_tcp);
        const std::uint16_t port = bits::load_be16(p + 2);
        const TunnelKind kind = port == tunnel::vxlan_port    ? TunnelKind::vxlan
                                : port == tunnel::geneve_port ? TunnelKind::geneve
                                : port == tunnel::gtp_u_port  ? TunnelKind::gtp
                                                              : TunnelKind::none;
        if (kind == TunnelKind::none) return tunnel_stop(kind, Outcome::not_tcp);
        visit(HeaderKind::udp, offset, 8, 0);
        offset += 8;
        p += 8;
        if (limit - offset < 8) return tunnel_stop(kind, short_header(offset + 8, frame.size));
        if (kind == TunnelKind::vxlan) {
            // RFC 7348: the I flag says the VNI is valid; without it this is no VXLAN we know.
            if ((p[0] & 0x08) == 0) return tunnel_stop(kind, Outcome::malformed);
            visit(HeaderKind::vxlan, offset, 8, 0);
            return {Outcome::tcp, kind, true, Network::by_version, offset + 8};
        }
        if (kind == TunnelKind::gtp) return decode_gtp_u(frame, offset, limit, visit);
        if ((p[0] >> 6) != 0) return tunnel_stop(kind, Outcome::not_tcp);  // a Geneve version we do not know
        const std::size_t size = 8 + std::size_t{p[0] & 0x3Fu} * 4;
        if (limit - offset < size) return tunnel_stop(kind, short_header(offset + size, frame.size));
        const unsigned type = bits::load_be16(p + 2);
        visit(HeaderKind::geneve, offset, size, type);
        return by_protocol_type(kind, type, offset + size);
    }
    if (ip.protocol != ip_protocol::gre) return tunnel_stop(TunnelKind::none, Outcome::not_tcp);
    if (limit - offset < 4) return tunnel_stop(TunnelKind::gre, short_header(offset + 4, frame.size));
    const unsigned flags = bits::load_be16(p);
    // Version 0 only (version 1 is PPTP's enhanced GRE carrying PPP); no
    // RFC 1701 source routing.
    if ((flags & 0x7u) != 0 || (flags & 0x4000u) != 0) return tunnel_stop(TunnelKind::gre, Outcome::not_tcp);
    const std::size_t size = std::size_t{4} + ((flags & 0x8000u) != 0 ? 4u : 0u) + ((flags & 0x2000u) != 0 ? 4u : 0u) +
                             ((flags & 0x1000u) != 0 ? 4u : 0u);
    if (limit - offset < size) return tunnel_stop(TunnelKind::gre, short_header(offset + size, frame.size));
    const unsigned type = bits::load_be16(p + 2);
    visit(HeaderKind::gre, offset, size, type);
    return by_protocol_type(TunnelKind::gre, type, offset + size);
}

}  // namespace detail::layers
TRACEFLOW_NAMESPACE_END
