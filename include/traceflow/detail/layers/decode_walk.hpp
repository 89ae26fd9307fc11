// SPDX-License-Identifier: MIT
// walk(): the whole decode, link layer to TCP, through tunnels, reporting each header.
#pragma once

#include "../../version.hpp"

#include <cstdint>

#include "../../byte_view.hpp"
#include "../../decode/decode_options.hpp"
#include "../../decode/outcome.hpp"
#include "../../decode/tcp_segment.hpp"
#include "../../link_type.hpp"
#include "../bits/endian.hpp"
#include "header_visitor.hpp"
#include "ip_layers.hpp"
#include "link_layers.hpp"
#include "tcp_header.hpp"
#include "tunnels.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::layers {

using decode::DecodeOptions;
using decode::Outcome;
using decode::TcpSegment;

/// Most tunnels unwrapped in one frame (a tunnel in a tunnel counts twice).
inline constexpr unsigned max_tunnel_depth = 4;

/// The whole walk, link layer to TCP, reporting each header to `visit`.
/// With `options.decap`, a UDP or GRE payload that is a VXLAN, Geneve, GRE
/// or GTP-U tunnel is followed to the inner frame, bounded by the outer IP length.
template <typename Visitor>
[[nodiscard]] Outcome walk(LinkType link, ByteView frame, TcpSegment& out, Visitor& visit,
                           const DecodeOptions& options = {}) noexcept(visitor_noexcept<Visitor>) {
    out.more_fragments = false;
    out.fragment_protocol = 0;
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
            l2_inner = follow_ethertype(inner, t.offset + 14,
                                        traceflow::detail::bits::load_be16(inner.data + t.offset + 12), out, visit);
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

}  // namespace detail::layers
TRACEFLOW_NAMESPACE_END
