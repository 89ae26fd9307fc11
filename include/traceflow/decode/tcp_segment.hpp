// SPDX-License-Identifier: MIT
// TcpSegment: the fields of one decoded TCP frame that flow tracing needs.
#pragma once

#include "../version.hpp"

#include <cstdint>

#include "../ip_address.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace decode {

/// Bits of TcpSegment::flags (byte 13 of the TCP header).
namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
inline constexpr std::uint8_t urg = 0x20;
inline constexpr std::uint8_t ece = 0x40;
inline constexpr std::uint8_t cwr = 0x80;
}  // namespace tcp_flag

/// One TCP header and the IP header directly carrying it. Filled by
/// decode_tcp(); meaningful only when it returned Outcome::tcp.
struct TcpSegment {
    IpAddress src;                     ///< source address of the IP header carrying TCP
    IpAddress dst;                     ///< destination address of that IP header
    std::uint16_t srcport = 0;         ///< TCP source port
    std::uint16_t dstport = 0;         ///< TCP destination port
    std::uint8_t flags = 0;            ///< CWR ECE URG ACK PSH RST SYN FIN bits (see tcp_flag)
    std::uint32_t seq = 0;             ///< sequence number
    std::uint32_t ack = 0;             ///< acknowledgement number
    std::uint16_t window = 0;          ///< receive window, unscaled
    std::uint8_t ip_version = 0;       ///< 4 or 6: the IP header directly carrying TCP
    std::uint16_t vlan_outer = 0;      ///< VLAN id of the outermost 802.1Q/ad tag, 0 when untagged
    std::uint16_t vlan_inner = 0;      ///< VLAN id of the innermost tag when there are two or more, else 0
    std::uint32_t ip_offset = 0;       ///< offset in the frame of the IP header carrying TCP
    std::uint32_t tcp_offset = 0;      ///< offset in the frame of the TCP header
    std::uint32_t payload_offset = 0;  ///< offset of the TCP payload (tcp_offset + data offset * 4)
    std::uint32_t payload_size = 0;    ///< TCP payload bytes by the IP lengths (may exceed the captured bytes)
    /// An IP header on the way is a first fragment (offset 0, more to come):
    /// the rest of the packet is in later frames (FragmentJoiner joins them).
    bool more_fragments = false;
    /// The protocol the outermost fragmented IP header carries (IPv4's
    /// protocol, the IPv6 Fragment header's next header), 0 when no header
    /// on the way is a fragment; set with Outcome::fragment too.
    std::uint8_t fragment_protocol = 0;

    [[nodiscard]] constexpr bool syn() const noexcept { return (flags & tcp_flag::syn) != 0; }
    [[nodiscard]] constexpr bool fin() const noexcept { return (flags & tcp_flag::fin) != 0; }
    [[nodiscard]] constexpr bool rst() const noexcept { return (flags & tcp_flag::rst) != 0; }
    /// The ACK flag (named so it does not clash with the `ack` number).
    [[nodiscard]] constexpr bool ack_flag() const noexcept { return (flags & tcp_flag::ack) != 0; }
};

}  // namespace decode
TRACEFLOW_NAMESPACE_END
