// SPDX-License-Identifier: MIT
// The tests a compiled filter runs: address in network, port range, VLAN, by direction, byte tests.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>

#include "../../filter/instruction.hpp"
#include "../../ip_address.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::filtering {

using filter::ArithOp;
using filter::ArithStep;
using filter::Direction;
using filter::FilterFields;
using filter::Instruction;
using filter::Relation;
using filter::TestKind;

/// Deepest value stack a byte-test expression may need (the parser refuses deeper ones).
inline constexpr std::size_t max_arith_stack = 64;

/// What one test says: false, true, or reject the packet outright (a byte
/// past the captured bytes, a division by zero: BPF returns 0 there).
enum class TestResult : std::uint8_t { no, yes, abort };

/// Byte `i` of the TCP header: from the captured bytes when known, else from
/// the fields (tcp[0..11], tcp[13]). False when it is not available.
[[nodiscard]] inline bool tcp_byte(const FilterFields& f, std::uint32_t i, std::uint8_t& out) noexcept {
    if (f.tcp.data != nullptr) {
        if (i >= f.tcp.size) return false;
        out = f.tcp[i];
        return true;
    }
    std::uint32_t word = 0;
    if (i < 4) {
        word = (std::uint32_t{f.srcport} << 16) | f.dstport;
    } else if (i < 8) {
        word = f.seq;
    } else if (i < 12) {
        word = f.ack;
    } else if (i == 13) {
        out = f.tcp_flags;
        return true;
    } else {
        return false;
    }
    out = static_cast<std::uint8_t>(word >> (8 * (3 - i % 4)));
    return true;
}

/// Runs steps [begin, end) and compares the two values they leave.
[[nodiscard]] inline TestResult run_relation(const Instruction& in, const ArithStep* steps,
                                             const FilterFields& f) noexcept {
    std::uint32_t stack[max_arith_stack];
    std::size_t top = 0;  // values on the stack
    for (std::uint32_t k = in.arith_begin; k < in.arith_end; ++k) {
        const ArithStep& s = steps[k];
        if (s.op == ArithOp::constant) {
            if (top == max_arith_stack) return TestResult::abort;
            stack[top++] = s.value;
            continue;
        }
        if (top == 0) return TestResult::abort;
        std::uint32_t& a = stack[top - 1];
        if (s.op == ArithOp::load) {
            std::uint32_t v = 0;
            for (std::uint32_t j = 0; j < s.size; ++j) {
                std::uint8_t byte = 0;
                if (a > 0xFFFFFFFFu - j || !tcp_byte(f, a + j, byte)) return TestResult::abort;
                v = (v << 8) | byte;
            }
            a = v;
            continue;
        }
        if (s.op == ArithOp::neg) {
            a = 0u - a;
            continue;
        }
        if (top < 2) return TestResult::abort;
        const std::uint32_t b = stack[--top];
        std::uint32_t& x = stack[top - 1];
        switch (s.op) {
            case ArithOp::add: x += b; break;
            case ArithOp::sub: x -= b; break;
            case ArithOp::mul: x *= b; break;
            case ArithOp::div:
                if (b == 0) return TestResult::abort;
                x /= b;
                break;
            case ArithOp::mod:
                if (b == 0) return TestResult::abort;
                x %= b;
                break;
            case ArithOp::bit_and: x &= b; break;
            case ArithOp::bit_or: x |= b; break;
            case ArithOp::bit_xor: x ^= b; break;
            case ArithOp::shl: x = b < 32 ? x << b : 0; break;
            case ArithOp::shr: x = b < 32 ? x >> b : 0; break;
            case ArithOp::constant:
            case ArithOp::load:
            case ArithOp::neg: break;
        }
    }
    if (top != 2) return TestResult::abort;
    const std::uint32_t l = stack[0];
    const std::uint32_t r = stack[1];
    bool holds = false;
    switch (in.relation) {
        case Relation::eq: holds = l == r; break;
        case Relation::ne: holds = l != r; break;
        case Relation::lt: holds = l < r; break;
        case Relation::le: holds = l <= r; break;
        case Relation::gt: holds = l > r; break;
        case Relation::ge: holds = l >= r; break;
    }
    return holds ? TestResult::yes : TestResult::no;
}

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

[[nodiscard]] inline bool run_simple_test(const Instruction& in, const FilterFields& f) noexcept {
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
        case TestKind::relation: break;
    }
    return false;
}

/// Runs one test; `steps` is the program's arithmetic (for `relation`).
[[nodiscard]] inline TestResult run_test(const Instruction& in, const FilterFields& f,
                                         const ArithStep* steps) noexcept {
    if (in.kind == TestKind::relation) return run_relation(in, steps, f);
    return run_simple_test(in, f) ? TestResult::yes : TestResult::no;
}

}  // namespace detail::filtering
TRACEFLOW_NAMESPACE_END
