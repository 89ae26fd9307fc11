// SPDX-License-Identifier: MIT
// Packet: one decoded TCP frame as TraceFlow consumes it (pcapkit's field names).
#pragma once

#include "version.hpp"

#include "fwd.hpp"

#include <cstdint>

#include "detail/meta/packet_fields.hpp"
#include "frame.hpp"
#include "ip_address.hpp"
#include "link_type.hpp"
#include "timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// TCP details beyond the reference's Packet; the `tcp` lifecycle and flow
/// statistics use them, the pcapkit mode ignores them. A packet type of your
/// own may hold these fields in a `tcp` member like this one, or at its top
/// level (`p.rst`, `p.seq`, ...); the top level wins when both exist.
struct TcpDetails {
    bool rst = false;                ///< RST flag
    bool ack = false;                ///< ACK flag
    std::uint8_t flags = 0;          ///< all eight flag bits (CWR..FIN)
    std::uint32_t seq = 0;           ///< sequence number
    std::uint32_t ack_number = 0;    ///< acknowledgement number
    std::uint32_t payload_size = 0;  ///< TCP payload bytes on the wire
    std::uint32_t payload_offset =
        0;  ///< where the TCP payload starts in `frame` (0: not known); for following streams
    /// The TCP payload when it is not in `frame` (a packet joined from IP
    /// fragments: a view into the joiner, valid while the packet is fed); empty otherwise.
    ByteView payload{};
    std::uint16_t vlan = 0;          ///< outermost VLAN id, 0 when untagged
    std::uint32_t interface_id = 0;  ///< pcapng interface (0 for pcap)
};

/// One TCP packet, decoded. Field names follow pcapkit's TraceFlow so code
/// can be read side by side with its documentation. TraceFlow takes any
/// type with the same ten fields (the packet concept, see is_packet_v).
template <typename FrameT, typename AddressT>
struct Packet {
    using frame_type = FrameT;
    using address_type = AddressT;

    LinkType protocol = LinkType::ethernet;  ///< data-link type of the frame
    std::uint64_t index = 0;                 ///< frame number, 1-based over all frames of the input
    FrameT frame{};                          ///< the captured frame
    bool syn = false;                        ///< SYN flag
    bool fin = false;                        ///< FIN flag
    AddressT src{};                          ///< source IP address
    AddressT dst{};                          ///< destination IP address
    std::uint16_t srcport = 0;               ///< TCP source port
    std::uint16_t dstport = 0;               ///< TCP destination port
    Timestamp timestamp{};                   ///< capture time
    TcpDetails tcp{};                        ///< extra TCP fields (not in the reference)
};

/// True when `P` has pcapkit's ten packet fields (protocol, index, frame,
/// syn, fin, src, dst, srcport, dstport, timestamp), so that TraceFlow<P>
/// can be instantiated. Optional fields (rst, ack, seq, payload_size, vlan,
/// interface_id) are detected, at the top level or in a `tcp` member.
template <typename P>
inline constexpr bool is_packet_v = detail::meta::has_packet_fields<P>;

TRACEFLOW_NAMESPACE_END
