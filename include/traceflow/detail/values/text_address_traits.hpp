// SPDX-License-Identifier: MIT
// TextAddressTraits: address traits for text addresses, keys owning the text.
#pragma once

#include "../../version.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::values {

/// Text addresses: keys own the text (`std::string`), compared as text.
struct TextAddressTraits {
    using key_type = std::string;
    static bool equal(const std::string& a, const std::string& b) noexcept { return a == b; }
    static bool less(const std::string& a, const std::string& b) noexcept { return a < b; }
    static std::uint64_t hash(const std::string& a) noexcept {
        return static_cast<std::uint64_t>(std::hash<std::string_view>{}(a));
    }
    static void append_text(std::string& out, const std::string& a) { out += a; }
};

}  // namespace detail::values
TRACEFLOW_NAMESPACE_END
