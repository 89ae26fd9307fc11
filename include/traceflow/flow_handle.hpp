// SPDX-License-Identifier: MIT
// FlowHandle: what dump() tells of the flow a packet went to: its number and key.
#pragma once

#include "version.hpp"

#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN

/// The flow a packet went to, as TraceFlow::dump() returns it (callers may
/// ignore it): the flow's number (Buffer::number) and its key.
template <typename KeyT>
struct FlowHandle {
    std::uint64_t number = 0;  ///< 0, 1, ... in the order flows opened
    const KeyT* id = nullptr;  ///< the flow's key (Buffer::id); valid until the next call on the tracer
};

TRACEFLOW_NAMESPACE_END
