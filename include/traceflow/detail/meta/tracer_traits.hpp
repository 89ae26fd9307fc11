// SPDX-License-Identifier: MIT
// Tracer traits: what a tracer type can say or do (writes_files(), trace_batch()), as the feeds ask.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <type_traits>
#include <utility>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::meta {

template <typename T, typename = void>
struct has_writes_files : std::false_type {};
template <typename T>
struct has_writes_files<T, std::void_t<decltype(std::declval<const T&>().writes_files())>> : std::true_type {};

template <typename T, typename = void>
struct has_needs_frame_bytes : std::false_type {};
template <typename T>
struct has_needs_frame_bytes<T, std::void_t<decltype(std::declval<const T&>().needs_frame_bytes())>> : std::true_type {
};

// Does the tracer need frame bytes? It says so (needs_frame_bytes()), or it
// needs them when it writes files; unknown tracers keep them.
template <typename Tracer>
bool needs_frame_bytes(const Tracer& tracer) {
    if constexpr (has_needs_frame_bytes<Tracer>::value)
        return tracer.needs_frame_bytes();
    else if constexpr (has_writes_files<Tracer>::value)
        return tracer.writes_files();
    else
        return true;
}

// Does the tracer trace a batch of packets at once (TraceFlow::trace_batch)?
template <typename Tracer, typename PacketT, typename = void>
struct traces_batches : std::false_type {};
template <typename Tracer, typename PacketT>
struct traces_batches<
    Tracer, PacketT,
    std::void_t<decltype(std::declval<Tracer&>().trace_batch(std::declval<const PacketT*>(), std::size_t{}))>>
    : std::true_type {};

}  // namespace detail::meta
TRACEFLOW_NAMESPACE_END
