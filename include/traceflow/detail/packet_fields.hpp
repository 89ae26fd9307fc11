// SPDX-License-Identifier: MIT
// The one place the tracer reads a packet's fields (today's Packet layout).
#pragma once

#include <cstdint>

#include "../byte_view.hpp"
#include "../frame.hpp"
#include "../timestamp.hpp"

namespace traceflow::detail {

/// The address type a tracer keys flows of packet type `P` by.
template <class P>
using packet_address_t = typename P::address_type;

/// Capture time of a packet.
template <class P>
[[nodiscard]] Timestamp packet_time(const P& p) noexcept {
    return p.timestamp;
}
/// Source address, as the flow key stores it.
template <class P>
[[nodiscard]] const packet_address_t<P>& packet_src(const P& p) noexcept {
    return p.src;
}
/// Destination address, as the flow key stores it.
template <class P>
[[nodiscard]] const packet_address_t<P>& packet_dst(const P& p) noexcept {
    return p.dst;
}
/// RST flag.
template <class P>
[[nodiscard]] bool packet_rst(const P& p) noexcept {
    return p.tcp.rst;
}
/// ACK flag (not the acknowledgement number).
template <class P>
[[nodiscard]] bool packet_ack(const P& p) noexcept {
    return p.tcp.ack;
}
/// TCP sequence number.
template <class P>
[[nodiscard]] std::uint32_t packet_seq(const P& p) noexcept {
    return p.tcp.seq;
}
/// TCP payload bytes on the wire.
template <class P>
[[nodiscard]] std::uint32_t packet_payload_size(const P& p) noexcept {
    return p.tcp.payload_size;
}
/// Outermost VLAN id, 0 when untagged.
template <class P>
[[nodiscard]] std::uint32_t packet_vlan(const P& p) noexcept {
    return p.tcp.vlan;
}
/// Capture interface (pcapng), 0 otherwise.
template <class P>
[[nodiscard]] std::uint32_t packet_interface(const P& p) noexcept {
    return p.tcp.interface_id;
}
/// The captured bytes of the packet's frame.
template <class P>
[[nodiscard]] ByteView packet_bytes(const P& p) noexcept {
    return frame_traits<typename P::frame_type>::bytes(p.frame);
}
/// The frame's length on the wire.
template <class P>
[[nodiscard]] std::uint32_t packet_wirelen(const P& p) noexcept {
    return frame_traits<typename P::frame_type>::wirelen(p.frame);
}

}  // namespace traceflow::detail
