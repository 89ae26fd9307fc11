// SPDX-License-Identifier: MIT
// Where a traced packet's TCP header starts in its frame, for byte tests (tcp[N:M]).
#pragma once

#include "../../version.hpp"

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "../../byte_view.hpp"
#include "../../decode/decode_options.hpp"
#include "../../decode/decoder.hpp"
#include "../../decode/tcp_segment.hpp"
#include "../../filter/instruction.hpp"
#include "../../link_type.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::filtering {

inline ByteView bytes_of(const ByteView& v) noexcept { return v; }
inline ByteView bytes_of(const std::vector<std::uint8_t>& v) noexcept { return ByteView{v.data(), v.size()}; }

/// True when `P` has `frame.bytes` (a ByteView or a byte vector) and a `protocol` link type.
template <typename P, typename = void>
struct has_frame_bytes : std::false_type {};
template <typename P>
struct has_frame_bytes<P, std::void_t<decltype(bytes_of(std::declval<const P&>().frame.bytes)),
                                      decltype(LinkType{std::declval<const P&>().protocol})>> : std::true_type {};

// Optional TCP members of a packet (`p.tcp.flags`, ...), as Packet<> keeps them.
template <typename P, typename = void>
struct has_tcp_flags : std::false_type {};
template <typename P>
struct has_tcp_flags<P, std::void_t<decltype(std::uint8_t(std::declval<const P&>().tcp.flags))>> : std::true_type {};
template <typename P, typename = void>
struct has_tcp_seq : std::false_type {};
template <typename P>
struct has_tcp_seq<P, std::void_t<decltype(std::uint32_t(std::declval<const P&>().tcp.seq))>> : std::true_type {};
template <typename P, typename = void>
struct has_tcp_ack_number : std::false_type {};
template <typename P>
struct has_tcp_ack_number<P, std::void_t<decltype(std::uint32_t(std::declval<const P&>().tcp.ack_number))>>
    : std::true_type {};
template <typename P, typename = void>
struct has_syn_fin : std::false_type {};
template <typename P>
struct has_syn_fin<
    P, std::void_t<decltype(bool(std::declval<const P&>().syn)), decltype(bool(std::declval<const P&>().fin))>>
    : std::true_type {};

/// Fills the TCP flags, sequence and acknowledgement numbers of `f` from
/// whichever of `p.tcp.flags`, `p.syn`/`p.fin`, `p.tcp.seq`,
/// `p.tcp.ack_number` the packet has.
template <typename P>
void fill_tcp_fields(const P& p, filter::FilterFields& f) noexcept {
    unsigned flags = 0;
    if constexpr (has_tcp_flags<P>::value) flags |= p.tcp.flags;
    if constexpr (has_syn_fin<P>::value) {
        if (p.syn) flags |= decode::tcp_flag::syn;
        if (p.fin) flags |= decode::tcp_flag::fin;
    }
    f.tcp_flags = static_cast<std::uint8_t>(flags);
    if constexpr (has_tcp_seq<P>::value) f.seq = p.tcp.seq;
    if constexpr (has_tcp_ack_number<P>::value) f.ack = p.tcp.ack_number;
}

/// Points `f.tcp` at the captured bytes from the TCP header of `p` on: the
/// frame decoded again (as pcapkit does, then with tunnels unwrapped) until
/// the TCP header found is the packet's (same ports and numbers).
/// Leaves `f.tcp` null when the packet has no frame or none matches.
template <typename P>
void locate_tcp(const P& p, filter::FilterFields& f) noexcept {
    if constexpr (has_frame_bytes<P>::value) {
        const ByteView frame = bytes_of(p.frame.bytes);
        decode::TcpSegment seg;
        for (const bool decap : {false, true}) {
            decode::DecodeOptions options;
            options.decap = decap;
            if (decode::decode_tcp(p.protocol, frame, seg, options) != decode::Outcome::tcp) continue;
            if (seg.srcport == f.srcport && seg.dstport == f.dstport && seg.seq == f.seq && seg.ack == f.ack) {
                f.tcp = frame.subview(seg.tcp_offset);
                return;
            }
        }
    } else {
        (void)p;
        (void)f;
    }
}

}  // namespace detail::filtering
TRACEFLOW_NAMESPACE_END
