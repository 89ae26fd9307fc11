// SPDX-License-Identifier: MIT
// is_byte_container: whether a type is a contiguous container of bytes (std::data, std::size).
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <type_traits>
#include <utility>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::meta {

template <typename T, typename = void>
struct is_byte_container : std::false_type {};
template <typename T>
struct is_byte_container<
    T, std::void_t<decltype(std::data(std::declval<const T&>())), decltype(std::size(std::declval<const T&>()))>> {
    using element = std::remove_cv_t<std::remove_pointer_t<decltype(std::data(std::declval<const T&>()))>>;
    static constexpr bool value = std::is_same_v<element, char> || std::is_same_v<element, unsigned char> ||
                                  std::is_same_v<element, signed char> || std::is_same_v<element, std::byte>;
};

}  // namespace detail::meta
TRACEFLOW_NAMESPACE_END
