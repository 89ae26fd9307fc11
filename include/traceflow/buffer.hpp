// SPDX-License-Identifier: MIT
// Buffer: a flow still open (pcapkit's `Buffer`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "flow_writer.hpp"

namespace traceflow {

/// One open flow as pcapkit's TraceFlow keeps it.
struct Buffer {
    std::unique_ptr<FlowWriter> fpout;  ///< the flow's output writer; null when no file is written
    std::vector<std::uint64_t> index;   ///< frame numbers so far, in arrival order
    std::string label;                  ///< `{src}_{srcport}-{dst}_{dstport}-{ts}` of the first packet
};

}  // namespace traceflow
