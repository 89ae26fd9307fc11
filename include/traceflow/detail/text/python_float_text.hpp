// SPDX-License-Identifier: MIT
// Python's repr() of a double, as the text of time labels.
#pragma once

#include "../../version.hpp"

#include <charconv>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::text {

/// Appends Python's float repr text for shortest round-trip `digits` (no
/// leading zeros) with decimal exponent `exp10` (value = d.ddd x 10^exp10).
inline void append_python_float_text(std::string& out, bool negative, std::string_view digits, int exp10) {
    if (negative) out.push_back('-');
    const int ndigits = static_cast<int>(digits.size());
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 < 0) {
            out += "0.";
            out.append(static_cast<std::size_t>(-exp10 - 1), '0');
            out += digits;
        } else if (exp10 + 1 >= ndigits) {
            out += digits;
            out.append(static_cast<std::size_t>(exp10 + 1 - ndigits), '0');
            out += ".0";
        } else {
            out += digits.substr(0, static_cast<std::size_t>(exp10 + 1));
            out.push_back('.');
            out += digits.substr(static_cast<std::size_t>(exp10 + 1));
        }
        return;
    }
    out.push_back(digits[0]);
    if (ndigits > 1) {
        out.push_back('.');
        out += digits.substr(1);
    }
    out.push_back('e');
    out.push_back(exp10 < 0 ? '-' : '+');
    const int mag = exp10 < 0 ? -exp10 : exp10;
    if (mag < 10) out.push_back('0');
    char exp_buf[8];
    const auto end = std::to_chars(exp_buf, exp_buf + sizeof exp_buf, mag).ptr;
    out.append(exp_buf, end);
}

/// Appends repr() of a double, following CPython's float_repr_style 'short'.
inline void append_python_repr(std::string& out, double value) {
    if (value == 0.0) {
        std::uint64_t bits = 0;  // the sign of a zero, without <cmath>'s signbit
        std::memcpy(&bits, &value, sizeof bits);
        out += (bits >> 63) != 0 ? "-0.0" : "0.0";
        return;
    }
    char buf[64];
    // The scientific shortest form gives the digits and exponent unambiguously.
    const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view text(buf, static_cast<std::size_t>(res.ptr - buf));
    const bool negative = text.front() == '-';
    if (negative) text.remove_prefix(1);
    const std::size_t e = text.find('e');
    char digits[32];
    std::size_t ndigits = 0;
    for (const char c : text.substr(0, e))
        if (c != '.' && ndigits < sizeof digits) digits[ndigits++] = c;
    while (ndigits > 1 && digits[ndigits - 1] == '0') --ndigits;
    int exp10 = 0;
    std::string_view exp_text = text.substr(e + 1);
    if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp10);
    append_python_float_text(out, negative, std::string_view(digits, ndigits), exp10);
}

/// repr() of a double, as Python prints it.
inline std::string python_repr(double value) {
    std::string out;
    append_python_repr(out, value);
    return out;
}

}  // namespace detail::text
TRACEFLOW_NAMESPACE_END
