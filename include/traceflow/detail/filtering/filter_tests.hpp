// SPDX-License-Identifier: MIT
// The tests a compiled filter runs: address in network, port range, VLAN, by direction.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>

#include "../../filter/instruction.hpp"
#include "../../ip_address.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::filtering {

using filter::Direction;
using filter::FilterFields;
using filter::Instruction;
using filter::TestKind;

/// True when `a` is of `net`'s family and its first `prefix` bits equal `net`'s.
[[nodiscard]] inline bool in_net(const IpAddress& a, const IpAddress& net, unsigned prefix) noexcept {
    if (a.is_v4() != net.is_v4()) return false;
    const std::uint8_t* x = a.data();
    const std::uint8_t* y = net.data();
    std::size_t i = 0;
    for (; prefix >= 8; prefix -= 8, ++i)
        if (x[i] != y[i]) return false;
    if (prefix == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xFFu << (8 - prefix));
    return ((x[i] ^ y[i]) & mask) == 0;
}

template <typename T, typename Test>
[[nodiscard]] bool by_direction(Direction d, const T& src, const T& dst, Test test) noexcept {
    switch (d) {
        case Direction::src: return test(src);
        case Direction::dst: return test(dst);
        case Direction::both: return test(src) && test(dst);
        case Direction::either: break;
    }
    return test(src) || test(dst);
}

[[nodiscard]] inline bool run_test(const Instruction& in, const FilterFields& f) noexcept {
    switch (in.kind) {
        case TestKind::always: return true;
        case TestKind::ipv4: return f.src.is_v4();
        case TestKind::ipv6: return f.src.is_v6();
        case TestKind::net:
            return by_direction(in.direction, f.src, f.dst,
                                [&in](const IpAddress& a) { return in_net(a, in.address, in.prefix); });
        case TestKind::port:
            return by_direction(in.direction, f.srcport, f.dstport,
                                [&in](std::uint16_t p) { return p >= in.port_low && p <= in.port_high; });
        case TestKind::vlan_any: return f.tagged;
        case TestKind::vlan_id: return f.tagged && f.vlan == in.vlan;
    }
    return false;
}

}  // namespace detail::filtering
TRACEFLOW_NAMESPACE_END
