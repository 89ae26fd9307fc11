// SPDX-License-Identifier: MIT
// Buffer: a flow still open (pcapkit's `Buffer`).
#pragma once

#include "version.hpp"

#include <cstdint>
#include <memory>
#include <string>

#include "buffer_id.hpp"
#include "frame_numbers.hpp"
#include "fwd.hpp"  // FlowWriter: complete in output/flow_writer.hpp, which the tracer includes

TRACEFLOW_NAMESPACE_BEGIN

/// One open flow as pcapkit's TraceFlow keeps it, keyed by addresses of type `AddressT`.
template <typename AddressT>
struct BasicBuffer {
    std::unique_ptr<FlowWriter> fpout;  ///< the flow's output writer; null when no file is written
    FrameNumbers index;     ///< frame numbers so far, in arrival order (compact; to_vector() copies them out)
    std::string label;      ///< `{src}_{srcport}-{dst}_{dstport}-{ts}` of the first packet
    BufferID<AddressT> id;  ///< the flow's key; bidirectional: as its initiator sent it (not in pcapkit)
    /// 0, 1, ... in the order flows opened: of their first frames, as packets
    /// are fed in frame order (tshark's `tcp.stream` with the tcp lifecycle and bidirectional keys; not in pcapkit).
    std::uint64_t number = 0;
};

/// The open flow of a tracer keyed by IpAddress.
using Buffer = BasicBuffer<IpAddress>;

TRACEFLOW_NAMESPACE_END
