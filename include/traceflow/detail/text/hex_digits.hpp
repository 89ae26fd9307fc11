// SPDX-License-Identifier: MIT
// hex32(): eight lowercase hex digits, for magic numbers in error messages.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::text {

/// Eight lowercase hex digits, for magic numbers in error messages.
inline std::string hex32(std::uint32_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(8, '0');
    for (int i = 7; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 0xF];
    return s;
}

}  // namespace detail::text
TRACEFLOW_NAMESPACE_END
