// SPDX-License-Identifier: MIT
// decode_tcp: the per-frame hot path from link-layer bytes to a TcpSegment.
#pragma once

#include "../byte_view.hpp"
#include "../link_type.hpp"
#include "header_visitor.hpp"
#include "ip.hpp"
#include "link_layer.hpp"
#include "outcome.hpp"
#include "tcp.hpp"
#include "tcp_segment.hpp"

namespace traceflow::decode {

namespace detail {

/// The whole walk, link layer to TCP, reporting each header to `visit`.
template <typename Visitor>
[[nodiscard]] Outcome walk(LinkType link, ByteView frame, TcpSegment& out,
                          Visitor& visit) noexcept(visitor_noexcept<Visitor>) {
    const LinkResult l2 = decode_link(link, frame, out, visit);
    if (l2.outcome != Outcome::tcp) return l2.outcome;
    const IpResult l3 = decode_ip(frame, l2.network, l2.offset, out, visit);
    if (l3.outcome != Outcome::tcp) return l3.outcome;
    return decode_tcp_header(frame, l3, out, visit);
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

}  // namespace traceflow::decode
