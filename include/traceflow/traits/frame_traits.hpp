// SPDX-License-Identifier: MIT
// frame_traits: how TraceFlow reads a packet's frame (Frame, FrameView, ByteView, byte containers).
#pragma once

#include "../version.hpp"

#include <cstdint>
#include <type_traits>

#include "../byte_view.hpp"
#include "../detail/meta/byte_container.hpp"
#include "../frame.hpp"
#include "../fwd.hpp"

TRACEFLOW_NAMESPACE_BEGIN

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
struct frame_traits<T, std::enable_if_t<detail::meta::is_byte_container<T>::value>> {
    static ByteView bytes(const T& f) noexcept {
        return {reinterpret_cast<const std::uint8_t*>(std::data(f)), static_cast<std::size_t>(std::size(f))};
    }
    static std::uint32_t wirelen(const T& f) noexcept {
        const auto n = static_cast<std::size_t>(std::size(f));
        return n > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(n);
    }
};

TRACEFLOW_NAMESPACE_END
