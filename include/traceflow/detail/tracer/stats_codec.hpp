// SPDX-License-Identifier: MIT
// FlowStats as bytes: varints and short strings, for the ended flows' compact records.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

#include "../../flow_stats.hpp"
#include "../bits/varint.hpp"
#include "../containers/pod_array.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// Appends every field of `s` (about 40 bytes for a typical flow), leaving
/// out the Community ID when `community_known` (the reader makes it again).
inline void put_stats(containers::PodArray<std::uint8_t>& out, const FlowStats& s, bool community_known) {
    for (std::size_t d = 0; d < 2; ++d) {
        bits::append_varint(out, s.packets[d]);
        bits::append_varint(out, s.bytes[d]);
        bits::append_varint(out, s.payload[d]);
    }
    bits::append_varint(out, bits::zigzag(static_cast<std::uint64_t>(s.first.sec)));
    bits::append_varint(out, s.first.nsec);
    // The last time as a difference (unsigned arithmetic: exact for any pair).
    bits::append_varint(out,
                        bits::zigzag(static_cast<std::uint64_t>(s.last.sec) - static_cast<std::uint64_t>(s.first.sec)));
    bits::append_varint(out, s.last.nsec);
    bits::append_varint(out, s.syn);
    bits::append_varint(out, s.synack);
    bits::append_varint(out, s.fin);
    bits::append_varint(out, s.rst);
    bits::append_text(out, s.history);
    bits::append_text(out, s.conn_state);
    out.push_back(community_known ? 1 : 0);
    if (!community_known) bits::append_text(out, s.community_id);
}

/// Reads what put_stats() wrote; `community_known` tells whether the caller must set community_id.
[[nodiscard]] inline FlowStats get_stats(const std::uint8_t*& p, bool& community_known) {
    FlowStats s;
    for (std::size_t d = 0; d < 2; ++d) {
        s.packets[d] = bits::read_varint(p);
        s.bytes[d] = bits::read_varint(p);
        s.payload[d] = bits::read_varint(p);
    }
    s.first.sec = static_cast<std::int64_t>(bits::unzigzag(bits::read_varint(p)));
    s.first.nsec = static_cast<std::uint32_t>(bits::read_varint(p));
    s.last.sec =
        static_cast<std::int64_t>(static_cast<std::uint64_t>(s.first.sec) + bits::unzigzag(bits::read_varint(p)));
    s.last.nsec = static_cast<std::uint32_t>(bits::read_varint(p));
    s.syn = static_cast<std::uint32_t>(bits::read_varint(p));
    s.synack = static_cast<std::uint32_t>(bits::read_varint(p));
    s.fin = static_cast<std::uint32_t>(bits::read_varint(p));
    s.rst = static_cast<std::uint32_t>(bits::read_varint(p));
    s.history = bits::read_text(p);
    s.conn_state = bits::read_text(p);
    community_known = *p++ != 0;
    if (!community_known) s.community_id = bits::read_text(p);
    return s;
}

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
