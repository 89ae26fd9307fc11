// SPDX-License-Identifier: MIT
// pcapkit_options(): TraceFlowOptions from pcapkit's constructor arguments.
#pragma once

#include "../../version.hpp"

#include <string>
#include <utility>

#include "../../options.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// Options from pcapkit's constructor arguments.
[[nodiscard]] inline TraceFlowOptions pcapkit_options(std::string fout, std::string format, ByteOrder byteorder,
                                                      bool nanosecond) {
    TraceFlowOptions o;
    o.fout = std::move(fout);
    o.format = std::move(format);
    o.byteorder = byteorder;
    o.nanosecond = nanosecond;
    return o;
}

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
