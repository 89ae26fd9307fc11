// SPDX-License-Identifier: MIT
// XML property-list text: escaped text and one key/value dict entry.
#pragma once

#include "../../version.hpp"

#include <string>
#include <string_view>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::text {

/// Appends `text` with XML's special characters escaped; bytes outside
/// printable ASCII become `\xNN` so the document stays valid XML 1.0.
inline void append_xml_text(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            default:
                if (c < 0x20 || c >= 0x7F) {
                    out += "\\x";
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 0xF]);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
}

inline void append_plist_entry(std::string& out, const char* indent, std::string_view key, const char* type,
                               std::string_view value) {
    out += indent;
    out += "<key>";
    append_xml_text(out, key);
    out += "</key><";
    out += type;
    out += '>';
    append_xml_text(out, value);
    out += "</";
    out += type;
    out += ">\n";
}

}  // namespace detail::text
TRACEFLOW_NAMESPACE_END
