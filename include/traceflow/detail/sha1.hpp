// SPDX-License-Identifier: MIT
// SHA-1 (FIPS 180-4) and base64, only for Community ID: not for security.
#pragma once

#include "../version.hpp"

#include <array>
#include <cstdint>
#include <string>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail {

/// SHA-1 digest of `size` bytes (the message is small: one or two blocks).
inline std::array<std::uint8_t, 20> sha1(const std::uint8_t* data, std::size_t size) {
    std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    const auto rotl = [](std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); };
    const std::uint64_t bit_length = static_cast<std::uint64_t>(size) * 8;
    const std::size_t padded = ((size + 8) / 64 + 1) * 64;
    std::uint8_t block[64];
    for (std::size_t offset = 0; offset < padded; offset += 64) {
        for (std::size_t i = 0; i < 64; ++i) {
            const std::size_t at = offset + i;
            if (at < size) block[i] = data[at];
            else if (at == size) block[i] = 0x80;
            else if (at >= padded - 8) block[i] = static_cast<std::uint8_t>(bit_length >> (8 * (padded - 1 - at)));
            else block[i] = 0;
        }
        std::uint32_t w[80];
        for (int i = 0; i < 16; ++i)
            w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
                   (std::uint32_t{block[4 * i + 2]} << 8) | block[4 * i + 3];
        for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; ++i) {
            std::uint32_t f, k;
            if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999u;
            else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1u;
            else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDCu;
            else f = b ^ c ^ d, k = 0xCA62C1D6u;
            const std::uint32_t t = rotl(a, 5) + f + e + k + w[i];
            e = d;
            d = c;
            c = rotl(b, 30);
            b = a;
            a = t;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
    }
    std::array<std::uint8_t, 20> out{};
    for (int i = 0; i < 20; ++i) out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
    return out;
}

/// Standard base64 with padding.
inline std::string base64(const std::uint8_t* data, std::size_t size) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    for (std::size_t i = 0; i < size; i += 3) {
        const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (i + 1 < size ? std::uint32_t{data[i + 1]} << 8 : 0) |
                                (i + 2 < size ? data[i + 2] : 0);
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
        out.push_back(i + 1 < size ? alphabet[(n >> 6) & 63] : '=');
        out.push_back(i + 2 < size ? alphabet[n & 63] : '=');
    }
    return out;
}

}  // namespace detail
TRACEFLOW_NAMESPACE_END
