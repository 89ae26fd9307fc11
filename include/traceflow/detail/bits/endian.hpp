// SPDX-License-Identifier: MIT
// Explicit byte-order loads and stores: no casts of packet bytes to structs.
#pragma once

#include "../../version.hpp"

#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::bits {

[[nodiscard]] inline std::uint16_t load_be16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
[[nodiscard]] inline std::uint32_t load_be32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}
[[nodiscard]] inline std::uint16_t load_le16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
[[nodiscard]] inline std::uint32_t load_le32(const std::uint8_t* p) noexcept {
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
}
[[nodiscard]] inline std::uint16_t load16(const std::uint8_t* p, bool big_endian) noexcept {
    return big_endian ? load_be16(p) : load_le16(p);
}
[[nodiscard]] inline std::uint32_t load32(const std::uint8_t* p, bool big_endian) noexcept {
    return big_endian ? load_be32(p) : load_le32(p);
}
[[nodiscard]] inline std::uint64_t load64(const std::uint8_t* p, bool big_endian) noexcept {
    const std::uint64_t a = load32(p, big_endian);
    const std::uint64_t b = load32(p + 4, big_endian);
    return big_endian ? (a << 32) | b : (b << 32) | a;
}

inline void store16(std::uint8_t* p, std::uint16_t v, bool big_endian) noexcept {
    if (big_endian) {
        p[0] = static_cast<std::uint8_t>(v >> 8);
        p[1] = static_cast<std::uint8_t>(v);
    } else {
        p[0] = static_cast<std::uint8_t>(v);
        p[1] = static_cast<std::uint8_t>(v >> 8);
    }
}
inline void store32(std::uint8_t* p, std::uint32_t v, bool big_endian) noexcept {
    for (int i = 0; i < 4; ++i) {
        const int shift = big_endian ? 24 - 8 * i : 8 * i;
        p[i] = static_cast<std::uint8_t>(v >> shift);
    }
}

}  // namespace detail::bits
TRACEFLOW_NAMESPACE_END
