// SPDX-License-Identifier: MIT
// is_plain_address: whether a type compares, hashes and prints itself, so it can be an address as is.
#pragma once

#include "../../version.hpp"

#include <functional>
#include <string>
#include <type_traits>
#include <utility>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::values {

template <typename T, typename = void>
struct is_plain_address : std::false_type {};
template <typename T>
struct is_plain_address<T, std::void_t<decltype(std::declval<const T&>() == std::declval<const T&>()),
                                       decltype(std::declval<const T&>() < std::declval<const T&>()),
                                       decltype(std::hash<T>{}(std::declval<const T&>())),
                                       decltype(std::string(std::declval<const T&>().to_string()))>> : std::true_type {
};

}  // namespace detail::values
TRACEFLOW_NAMESPACE_END
