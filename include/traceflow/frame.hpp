// SPDX-License-Identifier: MIT
// Frames: the captured bytes of one record, owning or viewed, and how TraceFlow reaches them.
#pragma once

#include "version.hpp"

#include "detail/byte_container.hpp"
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
    ByteView bytes;              ///< the captured bytes
    std::uint32_t wirelen = 0;   ///< the frame's length on the wire
    Timestamp timestamp;         ///< capture time
};

/// How TraceFlow reads a caller's frame type. Provided for Frame, FrameView,
/// ByteView and any contiguous container of bytes (`std::vector<std::uint8_t>`,
/// `std::string`, `std::array<std::uint8_t, N>`, ...: `std::data` and
/// `std::size`, one-byte elements; its wire length is its size). Specialise
/// it for your own type: provide `static ByteView bytes(const T&)` and
/// `static std::uint32_t wirelen(const T&)`.
template <typename T, typename>
struct frame_traits {
    static_assert(sizeof(T) == 0,
                  "traceflow: specialise traceflow::frame_traits<YourFrame> with static ByteView bytes(const "
                  "YourFrame&) and static std::uint32_t wirelen(const YourFrame&)");
};

/// Frame: its bytes and recorded wire length.
template <>
struct frame_traits<Frame> {
    static ByteView bytes(const Frame& f) noexcept { return {f.bytes.data(), f.bytes.size()}; }
    static std::uint32_t wirelen(const Frame& f) noexcept { return f.wirelen; }
};

/// FrameView: its bytes and recorded wire length.
template <>
struct frame_traits<FrameView> {
    static ByteView bytes(const FrameView& f) noexcept { return f.bytes; }
    static std::uint32_t wirelen(const FrameView& f) noexcept { return f.wirelen; }
};

/// A plain byte view: its size is the wire length.
template <>
struct frame_traits<ByteView> {
    static ByteView bytes(const ByteView& f) noexcept { return f; }
    static std::uint32_t wirelen(const ByteView& f) noexcept {
        return f.size > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(f.size);
    }
};

/// Any contiguous container of one-byte elements: its bytes, its size as the wire length.
template <typename T>
struct frame_traits<T, std::enable_if_t<detail::is_byte_container<T>::value>> {
    static ByteView bytes(const T& f) noexcept {
        return {reinterpret_cast<const std::uint8_t*>(std::data(f)), static_cast<std::size_t>(std::size(f))};
    }
    static std::uint32_t wirelen(const T& f) noexcept {
        const auto n = static_cast<std::size_t>(std::size(f));
        return n > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(n);
    }
};

TRACEFLOW_NAMESPACE_END
