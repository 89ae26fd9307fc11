// SPDX-License-Identifier: MIT
// The tunnel decoders (VXLAN, Geneve, GRE) that find the inner frame of a UDP or GRE payload.
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
enum class TunnelKind : std::uint8_t { none, vxlan, geneve, gre };

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

/// Reads the tunnel header in the payload `ip` found (UDP to 4789 or 6081,
/// or GRE). Bytes past `ip.limit` are not read.
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
