// SPDX-License-Identifier: MIT
// to_timestamp() and append_label_time(): any supported time type through timestamp_traits.
#pragma once

#include "../../version.hpp"

#include <string>
#include <type_traits>
#include <utility>

#include "../../timestamp.hpp"
#include "../../traits/timestamp_traits.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::values {

template <typename Traits, typename T, typename = void>
struct has_append_label : std::false_type {};
template <typename Traits, typename T>
struct has_append_label<
    Traits, T, std::void_t<decltype(Traits::append_label(std::declval<std::string&>(), std::declval<const T&>()))>>
    : std::true_type {};

/// A time of any supported type as a Timestamp.
template <typename T>
[[nodiscard]] Timestamp to_timestamp(const T& t) {
    return timestamp_traits<T>::to_timestamp(t);
}

/// Appends the label text of a time of any supported type (Python's repr of
/// the time as a float).
template <typename T>
void append_label_time(std::string& out, const T& t) {
    using traits = timestamp_traits<T>;
    if constexpr (has_append_label<traits, T>::value)
        traits::append_label(out, t);
    else
        Timestamp(traits::to_timestamp(t)).append_python_repr(out);
}

}  // namespace detail::values
TRACEFLOW_NAMESPACE_END
