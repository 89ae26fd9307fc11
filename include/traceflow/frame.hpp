// SPDX-License-Identifier: MIT
// Frame and FrameView: the captured bytes of one record, owned or viewed.
#pragma once

#include "version.hpp"

#include "fwd.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <type_traits>
#include <vector>

#include "byte_view.hpp"
#include "timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// A captured frame that owns its bytes; the default frame type of Packet.
struct Frame {
    std::vector<std::uint8_t> bytes;  ///< the captured bytes (caplen = bytes.size())
    std::uint32_t wirelen = 0;        ///< the frame's length on the wire
    Timestamp timestamp;              ///< capture time
};

/// A captured frame whose bytes belong to someone else (a reader's buffer):
/// valid only until that owner moves on. What the capture readers hand out.
struct FrameView {
    ByteView bytes;             ///< the captured bytes
    std::uint32_t wirelen = 0;  ///< the frame's length on the wire
    Timestamp timestamp;        ///< capture time
};

TRACEFLOW_NAMESPACE_END
