// SPDX-License-Identifier: MIT
// write_decimal(): seconds and nanoseconds as exact decimal text.
#pragma once

#include "../../version.hpp"

#include <charconv>
#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::text {

/// Writes `sec.nnnnnnnnn` into `buf` (at least 32 bytes); returns the end.
inline char* write_decimal(char* buf, std::int64_t sec, std::uint32_t nsec) {
    // Negative times keep the invariant value = sec + nsec/1e9.
    char* p = buf;
    std::uint64_t whole;
    if (sec < 0) {
        *p++ = '-';
        // Unsigned negation: defined even for the most negative second.
        whole = std::uint64_t{0} - static_cast<std::uint64_t>(sec + (nsec != 0 ? 1 : 0));
        if (nsec != 0) nsec = 1'000'000'000 - nsec;
    } else {
        whole = static_cast<std::uint64_t>(sec);
    }
    p = std::to_chars(p, p + 21, whole).ptr;
    *p++ = '.';
    for (int i = 8; i >= 0; --i) {
        p[i] = static_cast<char>('0' + nsec % 10);
        nsec /= 10;
    }
    return p + 9;
}

}  // namespace detail::text
TRACEFLOW_NAMESPACE_END
