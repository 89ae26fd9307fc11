// SPDX-License-Identifier: MIT
// Tunnel ports and protocol types --decap follows (the decoders are in detail/tunnels.hpp).
#pragma once

#include "../version.hpp"

#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN
namespace decode {

/// Well-known UDP ports and protocol types of the tunnels decap follows.
namespace tunnel {
inline constexpr std::uint16_t vxlan_port = 4789;              ///< IANA VXLAN port (RFC 7348)
inline constexpr std::uint16_t geneve_port = 6081;             ///< IANA Geneve port (RFC 8926)
inline constexpr std::uint16_t gtp_u_port = 2152;              ///< GTP-U (3GPP TS 29.281), destination port
inline constexpr std::uint8_t gtp_g_pdu = 0xFF;                ///< GTP-U message type G-PDU: carries a user IP packet
inline constexpr std::uint16_t transparent_ethernet = 0x6558;  ///< Ethernet frame as payload (GRE, Geneve)
}  // namespace tunnel

}  // namespace decode
TRACEFLOW_NAMESPACE_END
