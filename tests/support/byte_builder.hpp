// SPDX-License-Identifier: MIT
// Test helpers to spell packet bytes: concatenation and big-endian fields.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace testutil {

using Bytes = std::vector<std::uint8_t>;

inline Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}
inline Bytes be16(unsigned v) { return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}; }
inline Bytes be32(std::uint32_t v) { return cat({be16(v >> 16), be16(v & 0xFFFF)}); }

}  // namespace testutil
