// SPDX-License-Identifier: MIT
// Filter: a tcpdump-style expression, compiled once, matched against decoded TCP packets.
#pragma once

#include "../version.hpp"

#include <string>
#include <string_view>
#include <utility>

#include "../byte_view.hpp"
#include "../decode/tcp_segment.hpp"
#include "../detail/filtering/tcp_bytes.hpp"
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
/// - a bare id repeats the last qualifiers: `port 80 or 443`;
/// - service names for ports, from /etc/services (TCP entries and their
///   aliases), else a built-in table of common ones: `port http`,
///   `src port http-alt`, `portrange ftp-data-ssh`;
/// - byte tests on the TCP header, `EXPR RELOP EXPR` with RELOP one of
///   `= == != < <= > >=`: `tcp[N]`, `tcp[N:2]`, `tcp[N:4]` (big-endian, N
///   itself an expression), numbers (decimal, 0x hex, 0 octal), the constants
///   `tcpflags` (13) and `tcp-fin tcp-syn tcp-rst tcp-push tcp-ack tcp-urg
///   tcp-ece tcp-cwr`, `+ - * / % & | ^ << >>` (C precedence) and
///   parentheses: `tcp[tcpflags] & (tcp-syn|tcp-fin) != 0`. Values are 32-bit
///   unsigned, as in BPF. As in tcpdump, reading past the captured bytes (or
///   dividing by zero) rejects the packet, whatever surrounds the test. tcp[]
///   is the TCP header whatever the IP version (tcpdump's works on IPv4 only).
///
/// Host names are not looked up. Compiling throws FilterError naming the
/// offending word; matching never allocates or throws.
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
    /// Without the frame, byte tests see only tcp[0..11] and tcp[13] (see needs_frame()).
    [[nodiscard]] bool matches(const decode::TcpSegment& seg) const noexcept { return program_.run(fields_of(seg)); }

    /// Whether a decoded segment passes; byte tests read `frame`, the bytes it was decoded from.
    [[nodiscard]] bool matches(const decode::TcpSegment& seg, ByteView frame) const noexcept {
        FilterFields f = fields_of(seg);
        f.tcp = frame.subview(seg.tcp_offset);
        return program_.run(f);
    }

    /// Whether a traced packet (traceflow::Packet with IpAddress addresses) passes.
    /// When a byte test reads more than the packet's fields hold, the frame is
    /// decoded again to find its TCP header.
    template <typename PacketT>
    [[nodiscard]] bool matches_packet(const PacketT& p) const noexcept {
        FilterFields f{p.src, p.dst, p.srcport, p.dstport, p.tcp.vlan, p.tcp.vlan != 0};
        detail::filtering::fill_tcp_fields(p, f);
        if (program_.needs_tcp_bytes) detail::filtering::locate_tcp(p, f);
        return program_.run(f);
    }

    /// True when a byte test reads TCP header bytes other than tcp[0..11] and
    /// tcp[13], so it needs the frame (FilterFields::tcp).
    [[nodiscard]] bool needs_frame() const noexcept { return program_.needs_tcp_bytes; }

private:
    static FilterFields fields_of(const decode::TcpSegment& seg) noexcept {
        FilterFields f{seg.src, seg.dst, seg.srcport, seg.dstport, seg.vlan_outer, seg.vlan_outer != 0};
        f.tcp_flags = seg.flags;
        f.seq = seg.seq;
        f.ack = seg.ack;
        return f;
    }

    std::string text_;
    Program program_;
};

}  // namespace filter
TRACEFLOW_NAMESPACE_END
