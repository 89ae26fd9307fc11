// SPDX-License-Identifier: MIT
// Filter: a tcpdump-style expression, compiled once, matched against decoded TCP packets.
#pragma once

#include "../version.hpp"

#include <string>
#include <string_view>
#include <utility>

#include "../decode/tcp_segment.hpp"
#include "../ip_address.hpp"
#include "parse.hpp"
#include "program.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace filter {

/// A packet filter in tcpdump syntax, the pcap-filter(7) subset that makes
/// sense for TCP packets:
///
/// - `host H`, `net A/N` (also `net 10`, `net 192.168`), `port P`,
///   `portrange A-B`, each optionally after `src`, `dst`, `src or dst`,
///   `src and dst` (no direction: either end), and after a protocol
///   (`ip`, `ip6`, `tcp`: `tcp dst port 80`, `ip6 net 2001:db8::/32`);
/// - `ip`, `ip6` (the IP header carrying TCP), `tcp` (always true),
///   `vlan` (the frame is tagged), `vlan N` (its outermost VLAN id is N);
/// - `not`/`!`, `and`/`&&`, `or`/`||`, parentheses. As in pcap-filter(7),
///   `not` binds tightest and `and`/`or` have equal precedence, left to
///   right: `a or b and c` is `(a or b) and c`;
/// - a bare id repeats the last qualifiers: `port 80 or 443`.
///
/// Host names and service names are not looked up. Compiling throws
/// FilterError naming the offending word; matching never allocates or throws.
///
///     traceflow::filter::Filter f("tcp dst port 80 and not net 10.0.0.0/8");
///     traceflow::decode::TcpSegment seg;  // from decode_tcp()
///     bool keep = f.matches(seg);
class Filter {
public:
    /// The empty filter: matches every packet.
    Filter() = default;
    /// Compiles `expression`; an empty one matches every packet. Throws FilterError.
    explicit Filter(std::string_view expression) : text_(expression), program_(compile_filter(expression)) {}

    /// The expression as given.
    [[nodiscard]] const std::string& text() const noexcept { return text_; }
    /// The compiled tests.
    [[nodiscard]] const Program& program() const noexcept { return program_; }
    /// True when this filter matches every packet.
    [[nodiscard]] bool empty() const noexcept { return program_.code.empty() && program_.entry == Program::accept; }

    /// Whether a packet with these fields passes.
    [[nodiscard]] bool matches(const FilterFields& fields) const noexcept { return program_.run(fields); }

    /// Whether a decoded segment passes (the outermost VLAN tag counts; an id of 0 counts as untagged).
    [[nodiscard]] bool matches(const decode::TcpSegment& seg) const noexcept {
        return program_.run(
            FilterFields{seg.src, seg.dst, seg.srcport, seg.dstport, seg.vlan_outer, seg.vlan_outer != 0});
    }

    /// Whether a traced packet (traceflow::Packet with IpAddress addresses) passes.
    template <typename PacketT>
    [[nodiscard]] bool matches_packet(const PacketT& p) const noexcept {
        return program_.run(FilterFields{p.src, p.dst, p.srcport, p.dstport, p.tcp.vlan, p.tcp.vlan != 0});
    }

private:
    std::string text_;
    Program program_;
};

}  // namespace filter
TRACEFLOW_NAMESPACE_END
