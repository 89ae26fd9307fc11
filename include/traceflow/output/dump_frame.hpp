// SPDX-License-Identifier: MIT
// DumpFrame: one frame as the tracer hands it to a flow's writer and dumper.
#pragma once

#include "../version.hpp"

#include <cstdint>

#include "../byte_view.hpp"
#include "../link_type.hpp"
#include "../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// One frame handed to a dumper.
struct DumpFrame {
    std::uint64_t index = 0;                 ///< frame number
    Timestamp timestamp;                     ///< capture time
    ByteView bytes;                          ///< captured bytes
    std::uint32_t wirelen = 0;               ///< length on the wire
    LinkType linktype = LinkType::ethernet;  ///< link type of the frame
    std::uint32_t interface_id = 0;          ///< capture interface (pcapng), 0 for pcap
};

TRACEFLOW_NAMESPACE_END
