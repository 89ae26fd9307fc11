// SPDX-License-Identifier: MIT
// FlowStats as bytes: varints and short strings, for the ended flows' compact records.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../../flow_stats.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// Appends `v` as a varint (7 bits a byte, low first).
inline void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
}

/// Reads a varint at `p`, advancing it.
[[nodiscard]] inline std::uint64_t get_varint(const std::uint8_t*& p) noexcept {
    std::uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        const std::uint8_t b = *p++;
        v |= std::uint64_t{b & 0x7Fu} << shift;
        if ((b & 0x80) == 0) return v;
    }
}

/// Appends `s` as its length and bytes.
inline void put_text(std::vector<std::uint8_t>& out, const std::string& s) {
    put_varint(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

/// Reads a string put_text() wrote.
[[nodiscard]] inline std::string get_text(const std::uint8_t*& p) {
    const auto n = static_cast<std::size_t>(get_varint(p));
    std::string s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
}

/// Zigzag: small negative and positive numbers both as small unsigned ones.
[[nodiscard]] constexpr std::uint64_t zigzag(std::int64_t v) noexcept {
    const auto u = static_cast<std::uint64_t>(v);
    return u << 1 ^ (0 - (u >> 63));
}
[[nodiscard]] constexpr std::int64_t unzigzag(std::uint64_t z) noexcept {
    return static_cast<std::int64_t>(z >> 1 ^ (0 - (z & 1)));
}

/// Appends every field of `s` (about 40 bytes for a typical flow), leaving
/// out the Community ID when `community_known` (the reader makes it again).
inline void put_stats(std::vector<std::uint8_t>& out, const FlowStats& s, bool community_known) {
    for (std::size_t d = 0; d < 2; ++d) {
        put_varint(out, s.packets[d]);
        put_varint(out, s.bytes[d]);
        put_varint(out, s.payload[d]);
    }
    put_varint(out, zigzag(s.first.sec));
    put_varint(out, s.first.nsec);
    // The last time as a difference (unsigned arithmetic: exact for any pair).
    put_varint(out, zigzag(static_cast<std::int64_t>(static_cast<std::uint64_t>(s.last.sec) -
                                                     static_cast<std::uint64_t>(s.first.sec))));
    put_varint(out, s.last.nsec);
    put_varint(out, s.syn);
    put_varint(out, s.synack);
    put_varint(out, s.fin);
    put_varint(out, s.rst);
    put_text(out, s.history);
    put_text(out, s.conn_state);
    out.push_back(community_known ? 1 : 0);
    if (!community_known) put_text(out, s.community_id);
}

/// Reads what put_stats() wrote; `community_known` tells whether the caller must set community_id.
[[nodiscard]] inline FlowStats get_stats(const std::uint8_t*& p, bool& community_known) {
    FlowStats s;
    for (std::size_t d = 0; d < 2; ++d) {
        s.packets[d] = get_varint(p);
        s.bytes[d] = get_varint(p);
        s.payload[d] = get_varint(p);
    }
    s.first.sec = unzigzag(get_varint(p));
    s.first.nsec = static_cast<std::uint32_t>(get_varint(p));
    s.last.sec = static_cast<std::int64_t>(static_cast<std::uint64_t>(s.first.sec) +
                                           static_cast<std::uint64_t>(unzigzag(get_varint(p))));
    s.last.nsec = static_cast<std::uint32_t>(get_varint(p));
    s.syn = static_cast<std::uint32_t>(get_varint(p));
    s.synack = static_cast<std::uint32_t>(get_varint(p));
    s.fin = static_cast<std::uint32_t>(get_varint(p));
    s.rst = static_cast<std::uint32_t>(get_varint(p));
    s.history = get_text(p);
    s.conn_state = get_text(p);
    community_known = *p++ != 0;
    if (!community_known) s.community_id = get_text(p);
    return s;
}

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
