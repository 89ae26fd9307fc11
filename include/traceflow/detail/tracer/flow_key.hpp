// SPDX-License-Identifier: MIT
// FlowKey: the flow table's key, directional or canonical (bidirectional),
// optionally scoped by VLAN and capture interface.
#pragma once

#include "../../version.hpp"

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "../../buffer_id.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

template <typename AddressT>
struct FlowKey {
    AddressT a{};
    AddressT b{};
    std::uint16_t pa = 0;
    std::uint16_t pb = 0;
    std::uint32_t scope = 0;  // VLAN id (low 12 bits) and interface (above), when keyed on them

    friend bool operator==(const FlowKey& x, const FlowKey& y) noexcept {
        return x.pa == y.pa && x.pb == y.pb && x.scope == y.scope && values::address_equal(x.a, y.a) &&
               values::address_equal(x.b, y.b);
    }
    friend bool operator!=(const FlowKey& x, const FlowKey& y) noexcept { return !(x == y); }
};

/// The scope part of a key: VLAN id (low 12 bits) and interface (above), each when keyed on it.
[[nodiscard]] constexpr std::uint32_t flow_scope(bool key_vlan, bool key_interface, std::uint32_t vlan,
                                                 std::uint32_t interface) noexcept {
    return (key_vlan ? vlan & 0xFFFu : 0u) | (key_interface ? interface << 12 : 0u);
}

template <typename AddressT>
[[nodiscard]] std::uint64_t hash_value(const FlowKey<AddressT>& k) noexcept {
    const std::uint64_t small = (std::uint64_t{k.pa} << 48) | (std::uint64_t{k.pb} << 32) | k.scope;
    if constexpr (std::is_same_v<AddressT, IpAddress>) {
        // One pass over the raw words, one final mix: each word times its own
        // odd constant keeps every input bit, and mix64 spreads them (the
        // per-address hashes cost five mixes; this runs once per packet).
        std::uint64_t w[4];
        std::memcpy(&w[0], k.a.data(), 8);
        std::memcpy(&w[1], k.a.data() + 8, 8);
        std::memcpy(&w[2], k.b.data(), 8);
        std::memcpy(&w[3], k.b.data() + 8, 8);
        const auto family = static_cast<std::uint64_t>(k.a.family()) << 8 | static_cast<std::uint64_t>(k.b.family());
        return bits::mix64(w[0] * 0x9E3779B97F4A7C15ULL + (w[1] ^ family) * 0xC2B2AE3D27D4EB4FULL +
                           w[2] * 0x165667B19E3779F9ULL + w[3] * 0xD6E8FEB86659FD93ULL + small * 0xFF51AFD7ED558CCDULL);
    } else {
        return bits::mix64(values::address_hash(k.a) * 0x9E3779B97F4A7C15ULL ^ values::address_hash(k.b) ^
                           (small * 0xD6E8FEB86659FD93ULL));
    }
}

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
