// SPDX-License-Identifier: MIT
// JSON text escaping: a string as a JSON string literal, ASCII only.
#pragma once

#include "../../version.hpp"

#include <string>
#include <string_view>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::text {

/// Appends `text` as a JSON string literal (quotes included).
inline void append_json_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20 || c >= 0x7F) {  // keep output ASCII whatever the bytes were
                    out += "\\u00";
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 0xF]);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}

}  // namespace detail::text
TRACEFLOW_NAMESPACE_END
