// SPDX-License-Identifier: MIT
// mix64(): a strong 64-bit mixer, for hashes.
#pragma once

#include "../../version.hpp"

#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::bits {

/// A strong 64-bit mixer (the murmur3 finaliser): every input bit reaches every output bit.
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

}  // namespace detail::bits
TRACEFLOW_NAMESPACE_END
