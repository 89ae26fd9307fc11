// SPDX-License-Identifier: MIT
// Varints (LEB128: 7 bits a byte, low first) and zigzag, the one coding of frame deltas and compact records.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::bits {

/// The most bytes one 64-bit varint takes.
inline constexpr std::size_t max_varint_bytes = 10;

/// Zigzag of a two's-complement difference (`a - b` modulo 2^64): small
/// steps either way become small unsigned numbers, and the step is exact
/// for any pair of 64-bit values.
[[nodiscard]] constexpr std::uint64_t zigzag(std::uint64_t difference) noexcept {
    return difference << 1 ^ (0 - (difference >> 63));
}
/// The difference zigzag() coded (modulo 2^64).
[[nodiscard]] constexpr std::uint64_t unzigzag(std::uint64_t z) noexcept { return z >> 1 ^ (0 - (z & 1)); }

/// Writes `v` at `out`, which has room for max_varint_bytes; returns the end.
inline std::uint8_t* write_varint(std::uint8_t* out, std::uint64_t v) noexcept {
    while (v >= 0x80) {
        *out++ = static_cast<std::uint8_t>(v | 0x80);
        v >>= 7;
    }
    *out++ = static_cast<std::uint8_t>(v);
    return out;
}

/// Appends `v` to `out` (a std::vector<std::uint8_t> or a PodArray of them).
template <typename Bytes>
void append_varint(Bytes& out, std::uint64_t v) {
    std::uint8_t bytes[max_varint_bytes];
    out.insert(out.end(), bytes, write_varint(bytes, v));
}

/// Reads a varint at `p`, advancing it past.
[[nodiscard]] inline std::uint64_t read_varint(const std::uint8_t*& p) noexcept {
    std::uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        const std::uint8_t b = *p++;
        v |= std::uint64_t{b & 0x7Fu} << shift;
        if ((b & 0x80) == 0) return v;
    }
}

/// Appends `s` as its length (a varint) and its bytes.
template <typename Bytes>
void append_text(Bytes& out, const std::string& s) {
    append_varint(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

/// Reads a string append_text() wrote, advancing `p` past.
[[nodiscard]] inline std::string read_text(const std::uint8_t*& p) {
    const auto n = static_cast<std::size_t>(read_varint(p));
    std::string s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
}

}  // namespace detail::bits
TRACEFLOW_NAMESPACE_END
