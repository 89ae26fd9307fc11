// SPDX-License-Identifier: MIT
// A compiled packet filter: tests joined by jumps, run without allocation.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../ip_address.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace filter {

/// The fields of one TCP packet that a filter looks at.
struct FilterFields {
    IpAddress src;              ///< source address of the IP header carrying TCP
    IpAddress dst;              ///< destination address of that IP header
    std::uint16_t srcport = 0;  ///< TCP source port
    std::uint16_t dstport = 0;  ///< TCP destination port
    std::uint16_t vlan = 0;     ///< outermost VLAN id, 0 when untagged
    bool tagged = false;        ///< the frame carries a VLAN tag (vlan may be 0 then)
};

/// What one test of a Program looks at.
enum class TestKind : std::uint8_t {
    always,     ///< true (the primitive `tcp`: every traced packet is TCP)
    ipv4,       ///< the IP header carrying TCP is IPv4 (`ip`)
    ipv6,       ///< it is IPv6 (`ip6`)
    net,        ///< an address lies in address/prefix (`host` is a full-length prefix)
    port,       ///< a port lies in [port_low, port_high]
    vlan_any,   ///< the frame is VLAN-tagged (`vlan`)
    vlan_id,    ///< the outermost VLAN id equals `vlan` (`vlan N`)
};

/// Which end of the packet an address or port test looks at.
enum class Direction : std::uint8_t {
    either,  ///< source or destination (no qualifier, `src or dst`)
    src,     ///< the source
    dst,     ///< the destination
    both,    ///< source and destination (`src and dst`)
};

/// One test and where to go next. Targets are indices into the program, or
/// Program::accept / Program::reject.
struct Instruction {
    TestKind kind = TestKind::always;
    Direction direction = Direction::either;
    std::uint8_t prefix = 0;        ///< net: leading bits compared
    std::uint16_t port_low = 0;     ///< port: lowest port matched
    std::uint16_t port_high = 0;    ///< port: highest port matched
    std::uint16_t vlan = 0;         ///< vlan_id: the id
    IpAddress address;              ///< net: the network (host bits zero)
    std::uint32_t if_true = 0;      ///< next instruction when the test holds
    std::uint32_t if_false = 0;     ///< next instruction when it does not
};

namespace detail {

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

}  // namespace detail

/// A filter as a flat array of tests with true/false jumps (as BPF runs
/// them): no recursion, no stack, no allocation when run.
struct Program {
    static constexpr std::uint32_t accept = 0xFFFFFFFFu;  ///< jump target: the packet matches
    static constexpr std::uint32_t reject = 0xFFFFFFFEu;  ///< jump target: it does not

    std::vector<Instruction> code;  ///< the tests
    std::uint32_t entry = accept;   ///< where to start (accept: the empty filter)

    /// Runs the program on one packet.
    [[nodiscard]] bool run(const FilterFields& fields) const noexcept {
        std::uint32_t pc = entry;
        // Jumps only go to instructions emitted earlier, so this ends.
        while (pc < code.size()) pc = detail::run_test(code[pc], fields) ? code[pc].if_true : code[pc].if_false;
        return pc == accept;
    }
};

}  // namespace filter
TRACEFLOW_NAMESPACE_END
