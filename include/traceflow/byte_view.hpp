// SPDX-License-Identifier: MIT
// ByteView: a non-owning view of bytes (std::span is C++20; we target C++17).
#pragma once

#include "version.hpp"

#include <cstddef>
#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN

/// A read-only, non-owning view of contiguous bytes.
struct ByteView {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;

    constexpr ByteView() noexcept = default;
    constexpr ByteView(const std::uint8_t* d, std::size_t n) noexcept : data(d), size(n) {}

    [[nodiscard]] constexpr bool empty() const noexcept { return size == 0; }
    [[nodiscard]] constexpr const std::uint8_t* begin() const noexcept { return data; }
    [[nodiscard]] constexpr const std::uint8_t* end() const noexcept { return data + size; }
    [[nodiscard]] constexpr std::uint8_t operator[](std::size_t i) const noexcept { return data[i]; }

    /// The bytes from `offset` on; empty when `offset` is past the end.
    [[nodiscard]] constexpr ByteView subview(std::size_t offset) const noexcept {
        return offset >= size ? ByteView{data + size, 0} : ByteView{data + offset, size - offset};
    }
    /// At most `count` bytes from `offset` on.
    [[nodiscard]] constexpr ByteView subview(std::size_t offset, std::size_t count) const noexcept {
        ByteView rest = subview(offset);
        return count < rest.size ? ByteView{rest.data, count} : rest;
    }
};

TRACEFLOW_NAMESPACE_END
