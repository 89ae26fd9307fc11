// SPDX-License-Identifier: MIT
// append_decimal(): an unsigned number as decimal text, without allocation of its own.
#pragma once

#include "../../version.hpp"

#include <string>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::text {

/// Writes `value` in decimal ending just before `end`; returns where it starts.
inline char* write_decimal_backwards(char* end, unsigned value) noexcept {
    do {
        *--end = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    return end;
}

/// Appends `value` in decimal (one append: a push_back per digit was a
/// tenth of the listing's label making).
inline void append_decimal(std::string& out, unsigned value) {
    char buf[10];
    const char* start = write_decimal_backwards(buf + sizeof buf, value);
    out.append(start, static_cast<std::size_t>(buf + sizeof buf - start));
}

}  // namespace detail::text
TRACEFLOW_NAMESPACE_END
