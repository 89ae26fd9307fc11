// SPDX-License-Identifier: MIT
// Outcome: what decoding one frame found, as a value callers count per frame.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN
namespace decode {

/// The result of decoding one frame. Only `tcp` carries a TcpSegment; every
/// other value is an ordinary, countable per-frame fact, never an error.
enum class Outcome : std::uint8_t {
    tcp,               ///< a TCP header was decoded
    not_ip,            ///< the link layer carries something other than IPv4/IPv6 (ARP, 802.3 LLC, ...)
    not_tcp,           ///< IP carrying another protocol (UDP, ICMP, GRE, ESP, no next header, ...)
    fragment,          ///< a non-first IP fragment: it holds no TCP header
    truncated,         ///< a header runs past the captured bytes
    malformed,         ///< a header contradicts itself (IHL < 5, total length < header, TCP offset < 5, ...)
    unsupported_link,  ///< a link type the decoder does not know
    // With DecodeOptions::decap only: a tunnel was unwrapped but held no TCP.
    vxlan_not_tcp,     ///< VXLAN (UDP 4789) whose inner frame is not TCP
    vxlan_malformed,   ///< VXLAN header or inner headers truncated or malformed
    geneve_not_tcp,    ///< Geneve (UDP 6081) whose inner packet is not TCP
    geneve_malformed,  ///< Geneve header or inner headers truncated or malformed
    gre_not_tcp,       ///< GRE whose payload is not TCP (or not Ethernet/IPv4/IPv6, or GRE version 1)
    gre_malformed,     ///< GRE header or inner headers truncated or malformed
    gtp_not_tcp,       ///< GTP-U (UDP 2152) that is no G-PDU (echo, error indication, ...) or whose packet is not TCP
    gtp_malformed,     ///< GTP-U header, its extension headers or inner headers truncated or malformed
};

/// Number of Outcome values, for arrays of per-outcome counters.
inline constexpr std::size_t outcome_count = 15;

/// Stable names used in summaries: "tcp", "not-ip", "not-tcp", "fragment",
/// "truncated", "malformed", "unsupported-link", "vxlan-not-tcp",
/// "vxlan-malformed", "geneve-not-tcp", "geneve-malformed", "gre-not-tcp",
/// "gre-malformed", "gtp-not-tcp", "gtp-malformed".
[[nodiscard]] inline const char* to_string(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::tcp: return "tcp";
        case Outcome::not_ip: return "not-ip";
        case Outcome::not_tcp: return "not-tcp";
        case Outcome::fragment: return "fragment";
        case Outcome::truncated: return "truncated";
        case Outcome::malformed: return "malformed";
        case Outcome::unsupported_link: return "unsupported-link";
        case Outcome::vxlan_not_tcp: return "vxlan-not-tcp";
        case Outcome::vxlan_malformed: return "vxlan-malformed";
        case Outcome::geneve_not_tcp: return "geneve-not-tcp";
        case Outcome::geneve_malformed: return "geneve-malformed";
        case Outcome::gre_not_tcp: return "gre-not-tcp";
        case Outcome::gre_malformed: return "gre-malformed";
        case Outcome::gtp_not_tcp: return "gtp-not-tcp";
        case Outcome::gtp_malformed: return "gtp-malformed";
    }
    return "unknown";
}

}  // namespace decode
TRACEFLOW_NAMESPACE_END
