// SPDX-License-Identifier: MIT
// The link-layer walk (Ethernet, VLAN, MPLS, PPPoE, SLL, loopback, Cisco HDLC) down to the IP header.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>

#include "../../byte_view.hpp"
#include "../../decode/ethertype.hpp"
#include "../../decode/outcome.hpp"
#include "../../decode/tcp_segment.hpp"
#include "../../link_type.hpp"
#include "../bits/endian.hpp"
#include "header_visitor.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::layers {

using decode::Outcome;
using decode::TcpSegment;
namespace ethertype = decode::ethertype;

/// How the network layer that follows the link layer is known.
enum class Network : std::uint8_t { ipv4, ipv6, by_version };

/// Where the link layer ends. `outcome` is Outcome::tcp when an IP header
/// (of kind `network`) is expected at `offset`.
struct LinkResult {
    Outcome outcome;
    Network network;
    std::size_t offset;
};

[[nodiscard]] constexpr LinkResult link_stop(Outcome outcome) noexcept { return {outcome, Network::by_version, 0}; }

/// Follows EtherType-labelled headers (VLAN tags of any depth, an MPLS
/// stack, PPPoE) from `type` at `offset` to IPv4 or IPv6.
template <typename Visitor>
[[nodiscard]] LinkResult follow_ethertype(ByteView frame, std::size_t offset, std::uint16_t type, TcpSegment& out,
                                          Visitor& visit) noexcept(visitor_noexcept<Visitor>) {
    using traceflow::detail::bits::load_be16;
    unsigned tags = 0;
    for (;;) {
        switch (type) {
            case ethertype::ipv4: return {Outcome::tcp, Network::ipv4, offset};
            case ethertype::ipv6: return {Outcome::tcp, Network::ipv6, offset};
            case ethertype::vlan:
            case ethertype::qinq:
            case ethertype::qinq_legacy: {
                // Every tag consumes 4 bytes, so the loop ends with the frame.
                if (frame.size - offset < 4) return link_stop(Outcome::truncated);
                const auto id = static_cast<std::uint16_t>(bits::load_be16(frame.data + offset) & 0x0FFF);
                (tags++ == 0 ? out.vlan_outer : out.vlan_inner) = id;
                visit(HeaderKind::vlan, offset, 4, type);
                type = bits::load_be16(frame.data + offset + 2);
                offset += 4;
                continue;
            }
            case ethertype::mpls_unicast:
            case ethertype::mpls_multicast: {
                bool bottom = false;
                while (!bottom) {
                    if (frame.size - offset < 4) return link_stop(Outcome::truncated);
                    bottom = (frame.data[offset + 2] & 0x01) != 0;
                    visit(HeaderKind::mpls, offset, 4, 0);
                    offset += 4;
                }
                // MPLS does not say what it carries: guess from the IP version nibble.
                if (offset >= frame.size) return link_stop(Outcome::truncated);
                switch (frame.data[offset] >> 4) {
                    case 4: return {Outcome::tcp, Network::ipv4, offset};
                    case 6: return {Outcome::tcp, Network::ipv6, offset};
                    default: return link_stop(Outcome::not_ip);
                }
            }
            case ethertype::pppoe_session: {
                // 6-byte PPPoE header, then the PPP protocol: 2 bytes, or 1
                // when protocol-field compression left an odd first byte.
                if (frame.size - offset < 7) return link_stop(Outcome::truncated);
                const std::uint8_t first = frame.data[offset + 6];
                const bool compressed = (first & 0x01) != 0;
                const std::size_t length = compressed ? 7 : 8;
                if (frame.size - offset < length) return link_stop(Outcome::truncated);
                const unsigned protocol = compressed ? first : bits::load_be16(frame.data + offset + 6);
                visit(HeaderKind::pppoe, offset, length, protocol);
                offset += length;
                if (protocol == 0x0021) return {Outcome::tcp, Network::ipv4, offset};
                if (protocol == 0x0057) return {Outcome::tcp, Network::ipv6, offset};
                return link_stop(Outcome::not_ip);
            }
            default:
                // Any other EtherType, or an 802.3 length (< 0x0600).
                return link_stop(Outcome::not_ip);
        }
    }
}

/// Decodes the link layer of `frame` and finds where IP starts. Fills the
/// VLAN ids of `out`.
template <typename Visitor>
[[nodiscard]] LinkResult decode_link(LinkType link, ByteView frame, TcpSegment& out,
                                     Visitor& visit) noexcept(visitor_noexcept<Visitor>) {
    using traceflow::detail::bits::load_be16;
    using traceflow::detail::bits::load_be32;
    using traceflow::detail::bits::load_le32;
    out.vlan_outer = 0;
    out.vlan_inner = 0;
    switch (link) {
        case LinkType::ethernet:
            if (frame.size < 14) return link_stop(Outcome::truncated);
            visit(HeaderKind::ethernet, 0, 14, 0);
            return follow_ethertype(frame, 14, bits::load_be16(frame.data + 12), out, visit);
        case LinkType::linux_sll:
            if (frame.size < 16) return link_stop(Outcome::truncated);
            visit(HeaderKind::linux_sll, 0, 16, 0);
            return follow_ethertype(frame, 16, bits::load_be16(frame.data + 14), out, visit);
        case LinkType::linux_sll2:
            if (frame.size < 20) return link_stop(Outcome::truncated);
            visit(HeaderKind::linux_sll2, 0, 20, 0);
            return follow_ethertype(frame, 20, bits::load_be16(frame.data), out, visit);
        case LinkType::c_hdlc: {
            // Address (0x0F unicast, 0x8F broadcast), control (0x00), then an
            // EtherType: 0x0800, 0x86DD, MPLS, or SLARP 0x8035 and others (not IP).
            // The address is not checked, as tshark does not.
            if (frame.size < 4) return link_stop(Outcome::truncated);
            const std::uint16_t protocol = bits::load_be16(frame.data + 2);
            visit(HeaderKind::cisco_hdlc, 0, 4, protocol);
            return follow_ethertype(frame, 4, protocol, out, visit);
        }
        case LinkType::raw_alt12:
        case LinkType::raw_alt14:
        case LinkType::raw: return {Outcome::tcp, Network::by_version, 0};
        case LinkType::ipv4: return {Outcome::tcp, Network::ipv4, 0};
        case LinkType::ipv6: return {Outcome::tcp, Network::ipv6, 0};
        case LinkType::null:
        case LinkType::loop: {
            if (frame.size < 4) return link_stop(Outcome::truncated);
            // NULL writes the family in the capturing host's byte order; as
            // every family is < 65536, the order with zero high bytes is right.
            std::uint32_t family = bits::load_be32(frame.data);
            if (link == LinkType::null && (family & 0xFFFF0000u) != 0) family = bits::load_le32(frame.data);
            visit(HeaderKind::loopback, 0, 4, family);
            switch (family) {
                case 2: return {Outcome::tcp, Network::ipv4, 4};
                case 24:  // NetBSD, OpenBSD
                case 28:  // FreeBSD, DragonFly
                case 30:  // macOS
                    return {Outcome::tcp, Network::ipv6, 4};
                default: return link_stop(Outcome::not_ip);
            }
        }
    }
    return link_stop(Outcome::unsupported_link);
}

}  // namespace detail::layers
TRACEFLOW_NAMESPACE_END
