// SPDX-License-Identifier: MIT
// The pieces of a compiled filter: the packet fields it reads and one test with its jumps.
#pragma once

#include "../version.hpp"

#include <cstdint>

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
    always,    ///< true (the primitive `tcp`: every traced packet is TCP)
    ipv4,      ///< the IP header carrying TCP is IPv4 (`ip`)
    ipv6,      ///< it is IPv6 (`ip6`)
    net,       ///< an address lies in address/prefix (`host` is a full-length prefix)
    port,      ///< a port lies in [port_low, port_high]
    vlan_any,  ///< the frame is VLAN-tagged (`vlan`)
    vlan_id,   ///< the outermost VLAN id equals `vlan` (`vlan N`)
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
    std::uint8_t prefix = 0;      ///< net: leading bits compared
    std::uint16_t port_low = 0;   ///< port: lowest port matched
    std::uint16_t port_high = 0;  ///< port: highest port matched
    std::uint16_t vlan = 0;       ///< vlan_id: the id
    IpAddress address;            ///< net: the network (host bits zero)
    std::uint32_t if_true = 0;    ///< next instruction when the test holds
    std::uint32_t if_false = 0;   ///< next instruction when it does not
};

}  // namespace filter
TRACEFLOW_NAMESPACE_END
