// SPDX-License-Identifier: MIT
// has_writes_files: whether a tracer type can say if it writes files.
#pragma once

#include "../version.hpp"

#include <type_traits>
#include <utility>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail {

template <typename T, typename = void>
struct has_writes_files : std::false_type {};
template <typename T>
struct has_writes_files<T, std::void_t<decltype(std::declval<const T&>().writes_files())>> : std::true_type {};

}  // namespace detail
TRACEFLOW_NAMESPACE_END
