// SPDX-License-Identifier: MIT
// checksum64(): a fast 64-bit checksum of bytes, to find damage (not an adversary).
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "mix64.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::bits {

/// Checksum of `n` bytes at `p`, chained from `seed`. Four independent lanes
/// of multiply-rotate over 8-byte words (several GB/s), mixed at the end;
/// any change of one byte, and almost any other, changes it.
[[nodiscard]] inline std::uint64_t checksum64(const std::uint8_t* p, std::size_t n, std::uint64_t seed = 0) noexcept {
    constexpr std::uint64_t prime = 0x9E3779B185EBCA87ULL;
    std::uint64_t lane[4] = {seed ^ 0x243F6A8885A308D3ULL, seed ^ 0x13198A2E03707344ULL, seed ^ 0xA4093822299F31D0ULL,
                             seed ^ 0x082EFA98EC4E6C89ULL};
    const auto step = [](std::uint64_t h, std::uint64_t w) {
        h ^= w * prime;
        h = (h << 31) | (h >> 33);
        return h * 0xC2B2AE3D27D4EB4FULL;
    };
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        std::uint64_t w[4];
        std::memcpy(w, p + i, 32);
        lane[0] = step(lane[0], w[0]);
        lane[1] = step(lane[1], w[1]);
        lane[2] = step(lane[2], w[2]);
        lane[3] = step(lane[3], w[3]);
    }
    std::uint64_t h = mix64(lane[0]) ^ mix64(lane[1] + 1) ^ mix64(lane[2] + 2) ^ mix64(lane[3] + 3);
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = step(h, w);
    }
    std::uint64_t tail = 0;
    if (n > i) std::memcpy(&tail, p + i, n - i);
    return mix64(step(h, tail) ^ (static_cast<std::uint64_t>(n) * prime));
}

}  // namespace detail::bits
TRACEFLOW_NAMESPACE_END
