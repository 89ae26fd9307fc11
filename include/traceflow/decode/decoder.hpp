// SPDX-License-Identifier: MIT
// decode_tcp: the per-frame hot path from link-layer bytes to a TcpSegment.
#pragma once

#include "../version.hpp"

#include "../byte_view.hpp"
#include "../link_type.hpp"
#include "decode_options.hpp"
#include "header_visitor.hpp"
#include "ip.hpp"
#include "link_layer.hpp"
#include "outcome.hpp"
#include "tcp.hpp"
#include "tcp_segment.hpp"
#include "tunnel.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace decode {

namespace detail {

/// Most tunnels unwrapped in one frame (a tunnel in a tunnel counts twice).
inline constexpr unsigned max_tunnel_depth = 4;

/// The whole walk, link layer to TCP, reporting each header to `visit`.
/// With `options.decap`, a UDP or GRE payload that is a VXLAN, Geneve or
/// GRE tunnel is followed to the inner frame, bounded by the outer IP length.
template <typename Visitor>
[[nodiscard]] Outcome walk(LinkType link, ByteView frame, TcpSegment& out, Visitor& visit,
                           const DecodeOptions& options = {}) noexcept(visitor_noexcept<Visitor>) {
    const LinkResult l2 = decode_link(link, frame, out, visit);
    if (l2.outcome != Outcome::tcp) return l2.outcome;
    IpResult l3 = decode_ip(frame, l2.network, l2.offset, out, visit);
    if (l3.outcome == Outcome::tcp) return decode_tcp_header(frame, l3, out, visit);
    if (!options.decap || l3.outcome != Outcome::not_tcp) return l3.outcome;
    // The VLAN ids stay those of the outer frame (the one on the wire).
    const std::uint16_t vlan_outer = out.vlan_outer;
    const std::uint16_t vlan_inner = out.vlan_inner;
    TunnelResult t = decode_tunnel(frame, l3, visit);
    if (t.kind == TunnelKind::none) return t.outcome;
    for (unsigned depth = 0; depth < max_tunnel_depth; ++depth) {
        if (t.outcome != Outcome::tcp) return t.outcome;
        const ByteView inner(frame.data, l3.limit);  // the tunnel ends where its outer IP packet does
        LinkResult l2_inner{Outcome::tcp, t.network, t.offset};
        if (t.ethernet) {
            if (inner.size - t.offset < 14) return tunnel_outcome(t.kind, Outcome::truncated);
            visit(HeaderKind::ethernet, t.offset, 14, 0);
            l2_inner = follow_ethertype(inner, t.offset + 14, traceflow::detail::load_be16(inner.data + t.offset + 12),
                                        out, visit);
            out.vlan_outer = vlan_outer;
            out.vlan_inner = vlan_inner;
            if (l2_inner.outcome != Outcome::tcp) return tunnel_outcome(t.kind, l2_inner.outcome);
        }
        l3 = decode_ip(inner, l2_inner.network, l2_inner.offset, out, visit);
        if (l3.outcome == Outcome::tcp) {
            const Outcome o = decode_tcp_header(inner, l3, out, visit);
            return o == Outcome::tcp ? o : tunnel_outcome(t.kind, o);
        }
        if (l3.outcome != Outcome::not_tcp) return tunnel_outcome(t.kind, l3.outcome);
        // A tunnel in the tunnel goes round; anything else is this tunnel's not-tcp.
        const TunnelResult next = decode_tunnel(inner, l3, visit);
        if (next.kind == TunnelKind::none) return tunnel_outcome(t.kind, Outcome::not_tcp);
        t = next;
        frame = inner;
    }
    return Outcome::malformed;
}

}  // namespace detail

/// Decodes one captured frame of data-link type `link` down to its first TCP
/// header. Returns Outcome::tcp and fills `out`, or says why there is no TCP
/// header; `out` is then partly written and meaningless. Never allocates or
/// throws; reads only inside `frame`.
///
///     traceflow::decode::TcpSegment seg;
///     if (decode_tcp(LinkType::ethernet, bytes, seg) == Outcome::tcp && seg.syn()) { ... }
///
/// Follows VLAN tags, MPLS, PPPoE, IPv6 extension headers and IP-in-IP (the
/// addresses are those of the IP header directly carrying TCP); does not
/// descend into GRE or UDP tunnels, nor into ICMP-quoted headers.
[[nodiscard]] inline Outcome decode_tcp(LinkType link, ByteView frame, TcpSegment& out) noexcept {
    detail::NullVisitor visit;
    return detail::walk(link, frame, out, visit);
}

/// decode_tcp() with options: with `options.decap`, VXLAN (UDP 4789),
/// Geneve (UDP 6081) and GRE (transparent Ethernet 0x6558, IPv4, IPv6)
/// are unwrapped, and `out` describes the inner IP/TCP headers (VLAN ids
/// stay the outer frame's). A tunnel holding no TCP gets its own outcome
/// (e.g. Outcome::vxlan_not_tcp). Never allocates or throws.
[[nodiscard]] inline Outcome decode_tcp(LinkType link, ByteView frame, TcpSegment& out,
                                        const DecodeOptions& options) noexcept {
    detail::NullVisitor visit;
    return detail::walk(link, frame, out, visit, options);
}

}  // namespace decode
TRACEFLOW_NAMESPACE_END
