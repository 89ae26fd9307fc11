// SPDX-License-Identifier: MIT
// decode_tcp: the per-frame hot path from link-layer bytes to a TcpSegment.
#pragma once

#include "../version.hpp"

#include "../byte_view.hpp"
#include "../detail/layers/decode_walk.hpp"
#include "../link_type.hpp"
#include "decode_options.hpp"
#include "ethertype.hpp"
#include "ip_protocol.hpp"
#include "outcome.hpp"
#include "tcp_segment.hpp"
#include "tunnel_ports.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace decode {

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
    detail::layers::NullVisitor visit;
    return detail::layers::walk(link, frame, out, visit);
}

/// decode_tcp() with options: with `options.decap`, VXLAN (UDP 4789),
/// Geneve (UDP 6081), GRE (transparent Ethernet 0x6558, IPv4, IPv6) and
/// GTP-U (UDP 2152, G-PDUs carrying IPv4 or IPv6) are unwrapped, and `out` describes the inner IP/TCP headers (VLAN ids
/// stay the outer frame's). A tunnel holding no TCP gets its own outcome
/// (e.g. Outcome::vxlan_not_tcp). Never allocates or throws.
[[nodiscard]] inline Outcome decode_tcp(LinkType link, ByteView frame, TcpSegment& out,
                                        const DecodeOptions& options) noexcept {
    detail::layers::NullVisitor visit;
    return detail::layers::walk(link, frame, out, visit, options);
}

}  // namespace decode
TRACEFLOW_NAMESPACE_END
