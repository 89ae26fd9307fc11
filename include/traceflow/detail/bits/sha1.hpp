// SPDX-License-Identifier: MIT
// SHA-1 (FIPS 180-4) and base64, only for Community ID: not for security.
#pragma once

#include "../../version.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::bits {

/// Runs SHA-1's compression function on one 64-byte block.
inline void sha1_block(std::uint32_t (&h)[5], const std::uint8_t* block) noexcept {
    const auto rotl = [](std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); };
    // The message schedule: clang runs it best made first, g++ best made
    // as the rounds need it (it vectorises the loop into code 2x slower).
#if defined(__clang__)
    constexpr bool schedule_first = true;
#else
    constexpr bool schedule_first = false;
#endif
    std::uint32_t w[80];
    for (int i = 0; i < 16; ++i)
        w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
               (std::uint32_t{block[4 * i + 2]} << 8) | block[4 * i + 3];
    const auto make_word = [&](int i) { w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1); };
    if constexpr (schedule_first)
        for (int i = 16; i < 80; ++i) make_word(i);
    const auto word = [&](int i) {
        if (!schedule_first && i >= 16) make_word(i);
        return w[i];
    };
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    // Five rounds at a time, each writing the variable the next reads as
    // `e`: no values moved along between rounds.
    const auto five = [&](int i, std::uint32_t k, auto f) {
        e += rotl(a, 5) + f(b, c, d) + k + word(i);
        b = rotl(b, 30);
        d += rotl(e, 5) + f(a, b, c) + k + word(i + 1);
        a = rotl(a, 30);
        c += rotl(d, 5) + f(e, a, b) + k + word(i + 2);
        e = rotl(e, 30);
        b += rotl(c, 5) + f(d, e, a) + k + word(i + 3);
        d = rotl(d, 30);
        a += rotl(b, 5) + f(c, d, e) + k + word(i + 4);
        c = rotl(c, 30);
    };
    const auto choose = [](std::uint32_t x, std::uint32_t y, std::uint32_t z) { return (x & y) | (~x & z); };
    const auto parity = [](std::uint32_t x, std::uint32_t y, std::uint32_t z) { return x ^ y ^ z; };
    const auto majority = [](std::uint32_t x, std::uint32_t y, std::uint32_t z) { return (x & y) | (x & z) | (y & z); };
    for (int i = 0; i < 20; i += 5) five(i, 0x5A827999u, choose);
    for (int i = 20; i < 40; i += 5) five(i, 0x6ED9EBA1u, parity);
    for (int i = 40; i < 60; i += 5) five(i, 0x8F1BBCDCu, majority);
    for (int i = 60; i < 80; i += 5) five(i, 0xCA62C1D6u, parity);
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

/// SHA-1 digest of `size` bytes.
inline std::array<std::uint8_t, 20> sha1(const std::uint8_t* data, std::size_t size) noexcept {
    std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    std::size_t offset = 0;
    for (; size - offset >= 64; offset += 64) sha1_block(h, data + offset);
    // The rest, the 0x80 marker and the length in bits: one block, or two
    // when fewer than 9 bytes are left after the rest.
    std::uint8_t tail[128] = {};
    const std::size_t rest = size - offset;
    if (rest != 0) std::memcpy(tail, data + offset, rest);
    tail[rest] = 0x80;
    const std::size_t tail_size = rest + 9 <= 64 ? 64 : 128;
    const std::uint64_t bit_length = static_cast<std::uint64_t>(size) * 8;
    for (std::size_t i = 0; i < 8; ++i) tail[tail_size - 1 - i] = static_cast<std::uint8_t>(bit_length >> (8 * i));
    sha1_block(h, tail);
    if (tail_size == 128) sha1_block(h, tail + 64);
    std::array<std::uint8_t, 20> out{};
    for (std::size_t i = 0; i < 20; ++i) out[i] = static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
    return out;
}

/// Writes `size` bytes as standard base64 with padding at `out`, which has
/// room for (size + 2) / 3 * 4 characters; returns the end.
inline char* base64_to(char* out, const std::uint8_t* data, std::size_t size) noexcept {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < size; i += 3) {
        const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (i + 1 < size ? std::uint32_t{data[i + 1]} << 8 : 0) |
                                (i + 2 < size ? data[i + 2] : 0);
        *out++ = alphabet[(n >> 18) & 63];
        *out++ = alphabet[(n >> 12) & 63];
        *out++ = i + 1 < size ? alphabet[(n >> 6) & 63] : '=';
        *out++ = i + 2 < size ? alphabet[n & 63] : '=';
    }
    return out;
}

/// Standard base64 with padding.
inline std::string base64(const std::uint8_t* data, std::size_t size) {
    std::string out((size + 2) / 3 * 4, '\0');
    base64_to(out.data(), data, size);
    return out;
}

}  // namespace detail::bits
TRACEFLOW_NAMESPACE_END
