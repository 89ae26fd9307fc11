// SPDX-License-Identifier: MIT
// Frames: the captured bytes of one record, owning or viewed, and how TraceFlow reaches them.
#pragma once

#include "fwd.hpp"

#include <cstdint>
#include <type_traits>
#include <vector>

#include "byte_view.hpp"
#include "timestamp.hpp"

namespace traceflow {

/// A captured frame that owns its bytes; the default frame type of Packet.
struct Frame {
    std::vector<std::uint8_t> bytes;  ///< the captured bytes (caplen = bytes.size())
    std::uint32_t wirelen = 0;        ///< the frame's length on the wire
    Timestamp timestamp;              ///< capture time
};

/// A captured frame whose bytes belong to someone else (a reader's buffer):
/// valid only until that owner moves on. What the capture readers hand out.
struct FrameView {
    ByteView bytes;              ///< the captured bytes
    std::uint32_t wirelen = 0;   ///< the frame's length on the wire
    Timestamp timestamp;         ///< capture time
};

/// How TraceFlow reads a caller's frame type. Specialise it for your own type:
/// provide `static ByteView bytes(const T&)` and `static std::uint32_t wirelen(const T&)`.
template <typename T, typename>
struct frame_traits {
    static_assert(sizeof(T) == 0,
                  "traceflow: specialise traceflow::frame_traits<YourFrame> with static ByteView bytes(const "
                  "YourFrame&) and static std::uint32_t wirelen(const YourFrame&)");
};

template <>
struct frame_traits<Frame> {
    static ByteView bytes(const Frame& f) noexcept { return {f.bytes.data(), f.bytes.size()}; }
    static std::uint32_t wirelen(const Frame& f) noexcept { return f.wirelen; }
};

template <>
struct frame_traits<FrameView> {
    static ByteView bytes(const FrameView& f) noexcept { return f.bytes; }
    static std::uint32_t wirelen(const FrameView& f) noexcept { return f.wirelen; }
};

}  // namespace traceflow
