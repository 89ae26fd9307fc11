// SPDX-License-Identifier: MIT
// IP protocol numbers the IP decoder follows (the walk itself is in detail/ip_layers.hpp).
#pragma once

#include "../version.hpp"

#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN
namespace decode {

/// IP protocol numbers (IPv6 next-header values) the decoder follows.
namespace ip_protocol {
inline constexpr std::uint8_t hop_by_hop = 0;
inline constexpr std::uint8_t ipv4 = 4;  ///< IPv4 encapsulated in IP
inline constexpr std::uint8_t tcp = 6;
inline constexpr std::uint8_t udp = 17;
inline constexpr std::uint8_t ipv6 = 41;  ///< IPv6 encapsulated in IP
inline constexpr std::uint8_t routing = 43;
inline constexpr std::uint8_t fragment = 44;
inline constexpr std::uint8_t gre = 47;
inline constexpr std::uint8_t esp = 50;
inline constexpr std::uint8_t ah = 51;
inline constexpr std::uint8_t no_next = 59;
inline constexpr std::uint8_t destination_options = 60;
inline constexpr std::uint8_t mobility = 135;
inline constexpr std::uint8_t hip = 139;
inline constexpr std::uint8_t shim6 = 140;
}  // namespace ip_protocol

}  // namespace decode
TRACEFLOW_NAMESPACE_END
