// SPDX-License-Identifier: MIT
// BufferID: the directional key of a flow, (src, srcport, dst, dstport).
#pragma once

#include "version.hpp"

#include "fwd.hpp"

#include <cstdint>
#include <functional>
#include <type_traits>

#include "detail/values/address_ops.hpp"
#include "ip_address.hpp"
#include "traits/address_traits.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// The key of one direction of a TCP connection, as pcapkit's `BufferID`.
/// Flows are identified by the whole key, never by its hash alone.
template <typename AddressT>
struct BufferID {
    AddressT src{};             ///< source IP address
    std::uint16_t srcport = 0;  ///< source port
    AddressT dst{};             ///< destination IP address
    std::uint16_t dstport = 0;  ///< destination port

    friend bool operator==(const BufferID& a, const BufferID& b) noexcept {
        return a.srcport == b.srcport && a.dstport == b.dstport && detail::values::address_equal(a.src, b.src) &&
               detail::values::address_equal(a.dst, b.dst);
    }
    friend bool operator!=(const BufferID& a, const BufferID& b) noexcept { return !(a == b); }

    /// The same connection seen from the other side.
    [[nodiscard]] BufferID reversed() const { return BufferID{dst, dstport, src, srcport}; }
};

/// A well-mixed 64-bit hash of the whole key (used to find a slot; identity is the key).
template <typename AddressT>
[[nodiscard]] std::uint64_t hash_value(const BufferID<AddressT>& id) noexcept {
    const std::uint64_t ports = (std::uint64_t{id.srcport} << 16) | id.dstport;
    return detail::bits::mix64(detail::values::address_hash(id.src) * 0x9E3779B97F4A7C15ULL ^
                               detail::values::address_hash(id.dst) ^ (ports * 0xD6E8FEB86659FD93ULL));
}

TRACEFLOW_NAMESPACE_END

template <typename AddressT>
struct std::hash<traceflow::BufferID<AddressT>> {
    std::size_t operator()(const traceflow::BufferID<AddressT>& id) const noexcept {
        return static_cast<std::size_t>(traceflow::hash_value(id));
    }
};
