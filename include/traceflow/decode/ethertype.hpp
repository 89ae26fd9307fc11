// SPDX-License-Identifier: MIT
// EtherType values the link-layer decoder follows (the walk itself is in detail/link_layers.hpp).
#pragma once

#include "../version.hpp"

#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN
namespace decode {

/// EtherType values the decoder follows.
namespace ethertype {
inline constexpr std::uint16_t ipv4 = 0x0800;
inline constexpr std::uint16_t ipv6 = 0x86DD;
inline constexpr std::uint16_t vlan = 0x8100;         ///< 802.1Q customer tag
inline constexpr std::uint16_t qinq = 0x88A8;         ///< 802.1ad service tag
inline constexpr std::uint16_t qinq_legacy = 0x9100;  ///< pre-standard QinQ tag
inline constexpr std::uint16_t mpls_unicast = 0x8847;
inline constexpr std::uint16_t mpls_multicast = 0x8848;
inline constexpr std::uint16_t pppoe_session = 0x8864;
/// Values below this in the Ethernet type field are 802.3 lengths.
inline constexpr std::uint16_t min_ethertype = 0x0600;
}  // namespace ethertype

}  // namespace decode
TRACEFLOW_NAMESPACE_END
