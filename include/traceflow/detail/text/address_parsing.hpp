// SPDX-License-Identifier: MIT
// Helpers of IpAddress::parse: dotted-quad IPv4 bytes and hex digit values.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::text {

inline bool parse_ipv4_bytes(std::string_view text, std::uint8_t* out) noexcept {
    int part = 0;
    std::size_t i = 0;
    while (part < 4) {
        if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
        unsigned value = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            value = value * 10 + static_cast<unsigned>(text[i] - '0');
            if (++digits > 3 || value > 255) return false;
            ++i;
        }
        out[part++] = static_cast<std::uint8_t>(value);
        if (part < 4) {
            if (i >= text.size() || text[i] != '.') return false;
            ++i;
        }
    }
    return i == text.size();
}

inline int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace detail::text
TRACEFLOW_NAMESPACE_END
