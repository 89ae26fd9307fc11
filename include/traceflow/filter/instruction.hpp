// SPDX-License-Identifier: MIT
// The pieces of a compiled filter: the packet fields it reads and one test with its jumps.
#pragma once

#include "../version.hpp"

#include <cstdint>

#include "../byte_view.hpp"
#include "../ip_address.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace filter {

/// The fields of one TCP packet that a filter looks at.
struct FilterFields {
    IpAddress src;               ///< source address of the IP header carrying TCP
    IpAddress dst;               ///< destination address of that IP header
    std::uint16_t srcport = 0;   ///< TCP source port
    std::uint16_t dstport = 0;   ///< TCP destination port
    std::uint16_t vlan = 0;      ///< outermost VLAN id, 0 when untagged
    bool tagged = false;         ///< the frame carries a VLAN tag (vlan may be 0 then)
    std::uint8_t tcp_flags = 0;  ///< the TCP flags byte (tcp[13])
    std::uint32_t seq = 0;       ///< TCP sequence number (tcp[4:4])
    std::uint32_t ack = 0;       ///< TCP acknowledgement number (tcp[8:4])
    /// The captured bytes from the first byte of the TCP header to the end of
    /// the frame, for `tcp[N:M]`. When null, only the bytes the fields above
    /// hold are known (tcp[0..11] and tcp[13]); a test reading others rejects
    /// the packet.
    ByteView tcp{};
};

/// One step of a byte-test expression (`tcp[13] & 0x12 != 0`), run as a
/// stack machine on 32-bit unsigned values, as BPF computes.
enum class ArithOp : std::uint8_t {
    constant,  ///< push `value`
    load,      ///< pop an offset, push `size` bytes of the TCP header there, big-endian
    add,       ///< pop b, a; push a + b (wrapping)
    sub,       ///< a - b (wrapping)
    mul,       ///< a * b (wrapping)
    div,       ///< a / b; b = 0 rejects the packet
    mod,       ///< a % b; b = 0 rejects the packet
    bit_and,   ///< a & b
    bit_or,    ///< a | b
    bit_xor,   ///< a ^ b
    shl,       ///< a << b (0 when b >= 32)
    shr,       ///< a >> b (0 when b >= 32)
    neg,       ///< pop a; push 0 - a
};

/// One step of Program::arith.
struct ArithStep {
    ArithOp op = ArithOp::constant;
    std::uint8_t size = 1;    ///< load: 1, 2 or 4 bytes
    std::uint32_t value = 0;  ///< constant: the value
};

/// How a `relation` test compares its two values.
enum class Relation : std::uint8_t { eq, ne, lt, le, gt, ge };

/// What one test of a Program looks at.
enum class TestKind : std::uint8_t {
    always,    ///< true (the primitive `tcp`: every traced packet is TCP)
    ipv4,      ///< the IP header carrying TCP is IPv4 (`ip`)
    ipv6,      ///< it is IPv6 (`ip6`)
    net,       ///< an address lies in address/prefix (`host` is a full-length prefix)
    port,      ///< a port lies in [port_low, port_high]
    vlan_any,  ///< the frame is VLAN-tagged (`vlan`)
    vlan_id,   ///< the outermost VLAN id equals `vlan` (`vlan N`)
    relation,  ///< two expressions compare (`tcp[13] & 2 != 0`): Program::arith[arith_begin, arith_end)
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
    std::uint8_t prefix = 0;           ///< net: leading bits compared
    std::uint16_t port_low = 0;        ///< port: lowest port matched
    std::uint16_t port_high = 0;       ///< port: highest port matched
    std::uint16_t vlan = 0;            ///< vlan_id: the id
    Relation relation = Relation::eq;  ///< relation: the comparison
    std::uint32_t arith_begin = 0;     ///< relation: its steps, the left value then the right one
    std::uint32_t arith_end = 0;       ///< relation: one past its last step
    IpAddress address;                 ///< net: the network (host bits zero)
    std::uint32_t if_true = 0;         ///< next instruction when the test holds
    std::uint32_t if_false = 0;        ///< next instruction when it does not
};

}  // namespace filter
TRACEFLOW_NAMESPACE_END
