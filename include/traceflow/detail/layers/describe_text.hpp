// SPDX-License-Identifier: MIT
// The headers decode_tcp() walks recorded and turned into named text fields, for describe().
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../../byte_view.hpp"
#include "../../decode/ethertype.hpp"
#include "../../decode/ip_protocol.hpp"
#include "../../decode/layer.hpp"
#include "../../decode/outcome.hpp"
#include "../../decode/tcp_segment.hpp"
#include "../../ip_address.hpp"
#include "../bits/endian.hpp"
#include "header_visitor.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::layers {

using decode::TcpSegment;
namespace ip_protocol = decode::ip_protocol;

struct VisitedHeader {
    HeaderKind kind;
    std::size_t offset;
    std::size_t size;
    unsigned aux;
};

/// Records the headers the decoder walks, for describe().
struct RecordingVisitor {
    std::vector<VisitedHeader> headers;
    void operator()(HeaderKind kind, std::size_t offset, std::size_t size, unsigned aux) {
        headers.push_back({kind, offset, size, aux});
    }
};

/// A field whose value is a decimal integer (Field::number: a JSON number in the json format).
inline decode::Field number_field(const char* name, std::uint64_t value) { return {name, std::to_string(value), true}; }

inline std::string hex_text(std::uint32_t value, int digits) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "0x";
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out.push_back(hex[(value >> shift) & 0xF]);
    return out;
}

inline std::string bytes_text(const std::uint8_t* bytes, std::size_t count) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        if (i != 0) out.push_back(':');
        out.push_back(hex[bytes[i] >> 4]);
        out.push_back(hex[bytes[i] & 0xF]);
    }
    return out;
}

inline const char* ip_protocol_name(unsigned protocol) noexcept {
    switch (protocol) {
        case 0: return "Hop-by-Hop";
        case 1: return "ICMP";
        case 2: return "IGMP";
        case 4: return "IPv4";
        case 6: return "TCP";
        case 17: return "UDP";
        case 41: return "IPv6";
        case 43: return "Routing";
        case 44: return "Fragment";
        case 47: return "GRE";
        case 50: return "ESP";
        case 51: return "AH";
        case 58: return "ICMPv6";
        case 59: return "No Next Header";
        case 60: return "Destination Options";
        case 132: return "SCTP";
        case 135: return "Mobility";
        case 139: return "HIP";
        case 140: return "Shim6";
        default: return nullptr;
    }
}

inline std::string protocol_text(unsigned protocol) {
    std::string out = std::to_string(protocol);
    if (const char* name = ip_protocol_name(protocol)) {
        out += " (";
        out += name;
        out += ')';
    }
    return out;
}

inline std::string tcp_flags_text(unsigned flags) {
    static constexpr const char* names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"};
    std::string list;
    for (unsigned bit = 9; bit-- > 0;) {
        if ((flags >> bit) & 1U) {
            if (!list.empty()) list += ", ";
            list += names[bit];
        }
    }
    std::string out = hex_text(flags, 3);
    if (!list.empty()) out += " (" + list + ")";
    return out;
}

inline decode::Layer describe_header(const VisitedHeader& h, ByteView frame, const TcpSegment& segment) {
    using traceflow::detail::bits::load_be16;
    using traceflow::detail::bits::load_be32;
    const std::uint8_t* p = frame.data + h.offset;
    switch (h.kind) {
        case HeaderKind::ethernet:
            return {"Ethernet",
                    {{"src", bytes_text(p + 6, 6)},
                     {"dst", bytes_text(p, 6)},
                     {"type", hex_text(bits::load_be16(p + 12), 4)}}};
        case HeaderKind::vlan:
            return {"VLAN",
                    {{"tpid", hex_text(h.aux, 4)},
                     number_field("pcp", p[0] >> 5),
                     number_field("dei", (p[0] >> 4) & 1U),
                     number_field("id", bits::load_be16(p) & 0x0FFFU),
                     {"type", hex_text(bits::load_be16(p + 2), 4)}}};
        case HeaderKind::mpls: {
            const std::uint32_t entry = bits::load_be32(p);
            return {"MPLS",
                    {number_field("label", entry >> 12), number_field("tc", (entry >> 9) & 7U),
                     number_field("bottom_of_stack", (entry >> 8) & 1U), number_field("ttl", entry & 0xFFU)}};
        }
        case HeaderKind::pppoe:
            return {"PPPoE",
                    {number_field("version", p[0] >> 4),
                     number_field("type", p[0] & 0xFU),
                     {"code", hex_text(p[1], 2)},
                     {"session_id", hex_text(bits::load_be16(p + 2), 4)},
                     number_field("length", bits::load_be16(p + 4)),
                     {"ppp_protocol", hex_text(h.aux, 4)}}};
        case HeaderKind::linux_sll: {
            const std::size_t address_size = bits::load_be16(p + 4) < 8 ? bits::load_be16(p + 4) : 8;
            return {"Linux SLL",
                    {number_field("packet_type", bits::load_be16(p)),
                     number_field("hatype", bits::load_be16(p + 2)),
                     {"address", bytes_text(p + 6, address_size)},
                     {"protocol", hex_text(bits::load_be16(p + 14), 4)}}};
        }
        case HeaderKind::linux_sll2: {
            const std::size_t address_size = p[11] < 8 ? p[11] : 8;
            return {"Linux SLL2",
                    {{"protocol", hex_text(bits::load_be16(p), 4)},
                     number_field("interface_index", bits::load_be32(p + 4)),
                     number_field("hatype", bits::load_be16(p + 8)),
                     number_field("packet_type", p[10]),
                     {"address", bytes_text(p + 12, address_size)}}};
        }
        case HeaderKind::loopback: return {"Loopback", {number_field("family", h.aux)}};
        case HeaderKind::cisco_hdlc:
            return {"Cisco HDLC",
                    {{"address", hex_text(p[0], 2)}, {"control", hex_text(p[1], 2)}, {"protocol", hex_text(h.aux, 4)}}};
        case HeaderKind::ipv4: {
            const unsigned fragment = bits::load_be16(p + 6);
            std::string flags = hex_text(fragment >> 13, 1);
            if ((fragment & 0x6000U) == 0x6000U) {
                flags += " (DF, MF)";
            } else if ((fragment & 0x4000U) != 0) {
                flags += " (DF)";
            } else if ((fragment & 0x2000U) != 0) {
                flags += " (MF)";
            }
            return {"IPv4",
                    {number_field("version", p[0] >> 4),
                     number_field("header_length", h.size),
                     {"tos", hex_text(p[1], 2)},
                     number_field("total_length", bits::load_be16(p + 2)),
                     {"id", hex_text(bits::load_be16(p + 4), 4)},
                     {"flags", flags},
                     number_field("fragment_offset", (fragment & 0x1FFFU) * 8),
                     number_field("ttl", p[8]),
                     {"protocol", protocol_text(p[9])},
                     {"checksum", hex_text(bits::load_be16(p + 10), 4)},
                     {"src", IpAddress::v4(p + 12).to_string()},
                     {"dst", IpAddress::v4(p + 16).to_string()}}};
        }
        case HeaderKind::ipv6: {
            const std::uint32_t first = bits::load_be32(p);
            return {"IPv6",
                    {number_field("version", first >> 28),
                     {"traffic_class", hex_text((first >> 20) & 0xFFU, 2)},
                     {"flow_label", hex_text(first & 0xFFFFFU, 5)},
                     number_field("payload_length", bits::load_be16(p + 4)),
                     {"next_header", protocol_text(p[6])},
                     number_field("hop_limit", p[7]),
                     {"src", IpAddress::v6(p + 8).to_string()},
                     {"dst", IpAddress::v6(p + 24).to_string()}}};
        }
        case HeaderKind::ipv6_extension: {
            const char* name = ip_protocol_name(h.aux);
            decode::Layer layer{std::string("IPv6 ") + (name != nullptr ? name : "Extension"),
                                {{"next_header", protocol_text(p[0])}, number_field("length", h.size)}};
            if (h.aux == ip_protocol::fragment) {
                const unsigned offset = bits::load_be16(p + 2);
                layer.fields.push_back(number_field("fragment_offset", offset & 0xFFF8U));
                layer.fields.push_back(number_field("more_fragments", offset & 1U));
                layer.fields.push_back({"id", hex_text(bits::load_be32(p + 4), 8)});
            }
            return layer;
        }
        case HeaderKind::tcp: {
            const unsigned header_size = (p[12] >> 4) * 4U;
            return {"TCP",
                    {number_field("srcport", bits::load_be16(p)),
                     number_field("dstport", bits::load_be16(p + 2)),
                     number_field("seq", bits::load_be32(p + 4)),
                     number_field("ack", bits::load_be32(p + 8)),
                     number_field("header_length", header_size),
                     {"flags", tcp_flags_text(((p[12] & 1U) << 8) | p[13])},
                     number_field("window", bits::load_be16(p + 14)),
                     {"checksum", hex_text(bits::load_be16(p + 16), 4)},
                     number_field("urgent_pointer", bits::load_be16(p + 18)),
                     number_field("options_length", header_size - 20),
                     number_field("payload_length", segment.payload_size)}};
        }
        case HeaderKind::udp:
            return {"UDP",
                    {number_field("srcport", bits::load_be16(p)), number_field("dstport", bits::load_be16(p + 2)),
                     number_field("length", bits::load_be16(p + 4))}};
        case HeaderKind::vxlan:
            return {"VXLAN", {{"flags", hex_text(p[0], 2)}, number_field("vni", bits::load_be32(p + 4) >> 8)}};
        case HeaderKind::geneve:
            return {"Geneve",
                    {number_field("options_length", h.size - 8),
                     {"protocol", hex_text(h.aux, 4)},
                     number_field("vni", bits::load_be32(p + 4) >> 8)}};
        case HeaderKind::gre:
            return {"GRE", {{"flags", hex_text(bits::load_be16(p), 4)}, {"protocol", hex_text(h.aux, 4)}}};
        case HeaderKind::gtp_u: {
            decode::Layer layer{"GTP-U",
                                {{"flags", hex_text(p[0], 2)},
                                 number_field("message_type", h.aux),
                                 number_field("length", bits::load_be16(p + 2)),
                                 {"teid", hex_text(bits::load_be32(p + 4), 8)}}};
            if ((p[0] & 0x02U) != 0) layer.fields.push_back(number_field("seq", bits::load_be16(p + 8)));
            if (h.size > 12) layer.fields.push_back(number_field("extensions_length", h.size - 12));
            return layer;
        }
    }
    return {"Unknown", {}};
}

}  // namespace detail::layers
TRACEFLOW_NAMESPACE_END
