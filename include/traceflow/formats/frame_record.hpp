// SPDX-License-Identifier: MIT
// FrameRecord: what the text formats (json, plist, tree, text) say about one frame.
#pragma once

#include "../version.hpp"

#include <string>
#include <vector>

#include "../decode/describe.hpp"
#include "../output/dumper.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace formats {

/// A frame's metadata and decoded headers, ready to render.
struct FrameRecord {
    std::string name;                   ///< "Frame N", the entry's key as in pcapkit
    std::uint64_t number = 0;           ///< frame number
    std::string time;                   ///< exact decimal capture time
    std::string time_epoch;             ///< the same as pcapkit prints it (Python float repr)
    std::uint64_t caplen = 0;           ///< captured length
    std::uint64_t wirelen = 0;          ///< length on the wire
    std::uint32_t linktype = 0;         ///< data-link type
    std::vector<decode::Layer> layers;  ///< decoded headers, outermost first
};

/// Builds the record of one frame (not the hot path: text formats are for reading).
[[nodiscard]] inline FrameRecord make_frame_record(const DumpFrame& frame) {
    FrameRecord r;
    r.name = "Frame " + std::to_string(frame.index);
    r.number = frame.index;
    r.time = frame.timestamp.to_decimal();
    r.time_epoch = frame.timestamp.to_python_repr();
    r.caplen = frame.bytes.size;
    r.wirelen = frame.wirelen;
    r.linktype = static_cast<std::uint32_t>(frame.linktype);
    r.layers = decode::describe(frame.linktype, frame.bytes);
    return r;
}

}  // namespace formats
TRACEFLOW_NAMESPACE_END
