// SPDX-License-Identifier: MIT
// The IP walk: IPv4, IPv6 and its extension headers, IP-in-IP, down to the TCP header.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>

#include "../../byte_view.hpp"
#include "../../decode/ip_protocol.hpp"
#include "../../decode/outcome.hpp"
#include "../../decode/tcp_segment.hpp"
#include "../../ip_address.hpp"
#include "../bits/endian.hpp"
#include "header_visitor.hpp"
#include "link_layers.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::layers {

using decode::Outcome;
using decode::TcpSegment;
namespace ip_protocol = decode::ip_protocol;

/// Most IP headers (outer plus tunnelled) followed in one frame.
inline constexpr unsigned max_ip_depth = 8;
/// Most IPv6 extension headers followed after one IPv6 header.
inline constexpr unsigned max_ipv6_extensions = 16;

/// Where the IP layer ends: with Outcome::tcp, a TCP header starts at
/// `offset`; `limit` is the end of readable bytes (captured and within the
/// IP lengths); `declared_end` where the IP lengths say the packet ends.
/// With Outcome::not_tcp and a nonzero `protocol`, the payload of that IP
/// protocol (UDP, GRE, ...) starts at `offset`, for the tunnel decoders.
struct IpResult {
    Outcome outcome;
    std::size_t offset;
    std::size_t limit;
    std::size_t declared_end;
    std::uint8_t protocol;
};

[[nodiscard]] constexpr IpResult ip_stop(Outcome outcome) noexcept { return {outcome, 0, 0, 0, 0}; }

/// A header that does not fit before `limit`: truncated when it runs past the
/// captured bytes, malformed when it is captured but outside the IP lengths.
[[nodiscard]] constexpr Outcome short_header(std::size_t end, std::size_t captured) noexcept {
    return end > captured ? Outcome::truncated : Outcome::malformed;
}

/// The Jumbo Payload length (RFC 2675) in a hop-by-hop header, or 0.
[[nodiscard]] inline std::uint32_t jumbo_length(const std::uint8_t* options, std::size_t size) noexcept {
    std::size_t i = 2;
    while (i < size) {
        const std::uint8_t type = options[i];
        if (type == 0) {  // Pad1 has no length byte
            ++i;
            continue;
        }
        if (size - i < 2) break;
        const std::size_t length = options[i + 1];
        if (type == 0xC2 && length == 4 && size - i >= 6) return traceflow::detail::bits::load_be32(options + i + 2);
        i += 2 + length;
    }
    return 0;
}

/// Sets the addresses of `out` from the IP header at `ip`.
inline void set_addresses(const std::uint8_t* ip, bool v4, TcpSegment& out) noexcept {
    if (v4) {
        out.src.assign_v4(ip + 12);
        out.dst.assign_v4(ip + 16);
    } else {
        out.src.assign_v6(ip + 8);
        out.dst.assign_v6(ip + 24);
    }
}

/// Walks IPv4/IPv6 headers from `offset` (descending into IP-in-IP) to TCP.
/// Fills the addresses, version and IP offset of `out` from the IP header
/// directly carrying TCP.
template <typename Visitor>
[[nodiscard]] IpResult decode_ip(ByteView frame, Network network, std::size_t offset, TcpSegment& out,
                                 Visitor& visit) noexcept(visitor_noexcept<Visitor>) {
    using traceflow::detail::bits::load_be16;
    const std::size_t captured = frame.size;
    std::size_t limit = captured;
    for (unsigned depth = 0; depth < max_ip_depth; ++depth) {
        if (offset >= limit) return ip_stop(short_header(offset + 1, captured));
        const std::uint8_t* ip = frame.data + offset;
        const unsigned version = ip[0] >> 4;
        if (network == Network::by_version) {
            if (version == 4) {
                network = Network::ipv4;
            } else if (version == 6) {
                network = Network::ipv6;
            } else {
                return ip_stop(Outcome::malformed);
            }
        }
        std::uint8_t protocol = 0;
        std::size_t next = 0;
        std::size_t declared_end = 0;
        if (network == Network::ipv4) {
            if (limit - offset < 20) return ip_stop(short_header(offset + 20, captured));
            const std::size_t header_size = std::size_t{ip[0] & 0x0Fu} * 4;
            if (version != 4 || header_size < 20) return ip_stop(Outcome::malformed);
            if (limit - offset < header_size) return ip_stop(short_header(offset + header_size, captured));
            const std::size_t total = bits::load_be16(ip + 2);
            if (total == 0) {
                declared_end = limit;  // TSO / BIG TCP: the length is left to the capture
            } else if (total < header_size) {
                return ip_stop(Outcome::malformed);
            } else {
                declared_end = offset + total;
            }
            visit(HeaderKind::ipv4, offset, header_size, 0);
            // A non-first fragment holds no TCP header; a first one does.
            const unsigned fragment = bits::load_be16(ip + 6);
            if ((fragment & 0x3FFFu) != 0) {
                if (out.fragment_protocol == 0) out.fragment_protocol = ip[9];
                if ((fragment & 0x1FFFu) != 0) return ip_stop(Outcome::fragment);
                out.more_fragments = true;
            }
            out.ip_version = 4;
            out.ip_offset = static_cast<std::uint32_t>(offset);
            protocol = ip[9];
            next = offset + header_size;
        } else {
            if (limit - offset < 40) return ip_stop(short_header(offset + 40, captured));
            if (version != 6) return ip_stop(Outcome::malformed);
            const std::size_t payload = bits::load_be16(ip + 4);
            // 0: a jumbogram (found below) or a TSO frame left to the capture.
            declared_end = payload == 0 ? limit : offset + 40 + payload;
            out.ip_version = 6;
            out.ip_offset = static_cast<std::uint32_t>(offset);
            visit(HeaderKind::ipv6, offset, 40, 0);
            protocol = ip[6];
            next = offset + 40;
            if (declared_end < limit) limit = declared_end;
            unsigned extensions = 0;
            for (bool more = true; more;) {
                std::size_t size = 0;
                switch (protocol) {
                    case ip_protocol::hop_by_hop:
                    case ip_protocol::routing:
                    case ip_protocol::destination_options:
                    case ip_protocol::mobility:
                    case ip_protocol::hip:
                    case ip_protocol::shim6:
                        if (limit - next < 2) return ip_stop(short_header(next + 2, captured));
                        size = (std::size_t{frame.data[next + 1]} + 1) * 8;
                        break;
                    case ip_protocol::ah:
                        if (limit - next < 2) return ip_stop(short_header(next + 2, captured));
                        size = (std::size_t{frame.data[next + 1]} + 2) * 4;
                        break;
                    case ip_protocol::fragment: size = 8; break;
                    default:  // TCP, IP-in-IP, or the end of the road (ESP, no next header, ...)
                        more = false;
                        continue;
                }
                if (++extensions > max_ipv6_extensions) return ip_stop(Outcome::malformed);
                if (limit - next < size) return ip_stop(short_header(next + size, captured));
                const std::uint8_t* ext = frame.data + next;
                visit(HeaderKind::ipv6_extension, next, size, protocol);
                if (protocol == ip_protocol::fragment) {
                    const unsigned fragment = bits::load_be16(ext + 2);
                    if ((fragment & 0xFFF9u) != 0) {
                        if (out.fragment_protocol == 0) out.fragment_protocol = ext[0];
                        if ((fragment & 0xFFF8u) != 0) return ip_stop(Outcome::fragment);
                        out.more_fragments = true;
                    }
                }
                if (protocol == ip_protocol::hop_by_hop && payload == 0) {
                    const std::uint32_t jumbo = jumbo_length(ext, size);
                    // RFC 2675: a jumbo length fits no 16-bit payload length.
                    if (jumbo != 0 && jumbo <= 0xFFFF) return ip_stop(Outcome::malformed);
                    if (jumbo != 0) {
                        declared_end = offset + 40 + jumbo;
                        if (declared_end < limit) limit = declared_end;
                    }
                }
                protocol = ext[0];
                next += size;
            }
        }
        if (declared_end < limit) limit = declared_end;
        switch (protocol) {
            case ip_protocol::tcp:
                set_addresses(frame.data + offset, network == Network::ipv4, out);
                return {Outcome::tcp, next, limit, declared_end, protocol};
            case ip_protocol::ipv4: network = Network::ipv4; break;
            case ip_protocol::ipv6: network = Network::ipv6; break;
            default: return {Outcome::not_tcp, next, limit, declared_end, protocol};
        }
        offset = next;
    }
    return ip_stop(Outcome::malformed);
}

}  // namespace detail::layers
TRACEFLOW_NAMESPACE_END
