// SPDX-License-Identifier: MIT
// append_decimal(): an unsigned number as decimal text, without allocation of its own.
#pragma once

#include "../version.hpp"

#include <string>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail {

inline void append_decimal(std::string& out, unsigned value) {
    char buf[10];
    int n = 0;
    do {
        buf[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0) out.push_back(buf[--n]);
}

}  // namespace detail
TRACEFLOW_NAMESPACE_END
