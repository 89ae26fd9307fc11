// SPDX-License-Identifier: MIT
// FlowKey: the flow table's key, directional or canonical (bidirectional),
// optionally scoped by VLAN and capture interface.
#pragma once

#include <cstdint>

#include "../buffer_id.hpp"

namespace traceflow::detail {

template <typename AddressT>
struct FlowKey {
    AddressT a{};
    AddressT b{};
    std::uint16_t pa = 0;
    std::uint16_t pb = 0;
    std::uint32_t scope = 0;  // VLAN id (low 12 bits) and interface (above), when keyed on them

    friend bool operator==(const FlowKey& x, const FlowKey& y) noexcept {
        return x.pa == y.pa && x.pb == y.pb && x.scope == y.scope && x.a == y.a && x.b == y.b;
    }
    friend bool operator!=(const FlowKey& x, const FlowKey& y) noexcept { return !(x == y); }
};

template <typename AddressT>
[[nodiscard]] std::uint64_t hash_value(const FlowKey<AddressT>& k) noexcept {
    const std::uint64_t small = (std::uint64_t{k.pa} << 48) | (std::uint64_t{k.pb} << 32) | k.scope;
    return mix64(address_hash(k.a) * 0x9E3779B97F4A7C15ULL ^ address_hash(k.b) ^ (small * 0xD6E8FEB86659FD93ULL));
}

}  // namespace traceflow::detail
