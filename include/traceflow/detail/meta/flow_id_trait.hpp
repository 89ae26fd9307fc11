// SPDX-License-Identifier: MIT
// has_flow_id: whether an index type carries a flow id.
#pragma once

#include "../../version.hpp"

#include <type_traits>
#include <utility>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::meta {

// Does the record type carry its flow's key (`id`, as TraceFlow's Index does)?
template <typename IndexT, typename = void>
struct has_flow_id : std::false_type {};
template <typename IndexT>
struct has_flow_id<IndexT, std::void_t<decltype(std::declval<IndexT&>().id)>> : std::true_type {};

}  // namespace detail::meta
TRACEFLOW_NAMESPACE_END
