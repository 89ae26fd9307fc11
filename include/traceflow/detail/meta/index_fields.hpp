// SPDX-License-Identifier: MIT
// What an index type carries beyond pcapkit's fields: a flow id (`id`), flow times (`first`, `last`), a number.
#pragma once

#include "../../version.hpp"

#include <cstdint>
#include <type_traits>
#include <utility>

#include "../../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::meta {

// Does the record type carry its flow's key (`id`, as TraceFlow's Index does)?
template <typename IndexT, typename = void>
struct has_flow_id : std::false_type {};
template <typename IndexT>
struct has_flow_id<IndexT, std::void_t<decltype(std::declval<IndexT&>().id)>> : std::true_type {};

/// The key type of an index type's `id` (char when it has none).
template <typename IndexT, bool = has_flow_id<IndexT>::value>
struct flow_id_of {
    using type = char;
};
template <typename IndexT>
struct flow_id_of<IndexT, true> {
    using type = std::remove_cv_t<decltype(std::declval<IndexT&>().id)>;
};

/// Does the record type carry its flow's first and last times (`first`, `last`, as Index does)?
template <typename IndexT, typename = void>
struct has_flow_times : std::false_type {};
template <typename IndexT>
struct has_flow_times<IndexT, std::void_t<decltype(std::declval<IndexT&>().first = Timestamp{},
                                                   std::declval<IndexT&>().last = Timestamp{})>> : std::true_type {};

/// Does the record type carry its flow's number (`number`, as Index does)?
template <typename IndexT, typename = void>
struct has_flow_number : std::false_type {};
template <typename IndexT>
struct has_flow_number<IndexT, std::void_t<decltype(std::declval<IndexT&>().number = std::uint64_t{})>>
    : std::true_type {};

template <typename IndexT, typename = void>
struct has_flow_scope : std::false_type {};
template <typename IndexT>
struct has_flow_scope<IndexT, std::void_t<decltype(std::declval<IndexT&>().vlan = std::uint32_t{}),
                                          decltype(std::declval<IndexT&>().interface = std::uint32_t{})>>
    : std::true_type {};

}  // namespace detail::meta
TRACEFLOW_NAMESPACE_END
