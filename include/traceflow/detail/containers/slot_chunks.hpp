// SPDX-License-Identifier: MIT
// SlotChunks: a growable array of slots in fixed-size chunks: no growth slack beyond one chunk, no copy on growth.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::containers {

/// Slots numbered 0..size()-1, stored `1 << ChunkBits` per heap block. A
/// `std::vector` grown by doubling holds up to twice what it needs, and
/// three times while it moves; here at most one chunk is unused, nothing
/// moves (references stay valid), and a lookup costs one more load (the
/// chunk table, a few hundred bytes that stay in cache).
template <typename T, unsigned ChunkBits = 10>
class SlotChunks {
public:
    static constexpr std::size_t chunk_size = std::size_t{1} << ChunkBits;

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

    [[nodiscard]] T& operator[](std::size_t i) noexcept { return chunks_[i >> ChunkBits][i & (chunk_size - 1)]; }
    [[nodiscard]] const T& operator[](std::size_t i) const noexcept {
        return chunks_[i >> ChunkBits][i & (chunk_size - 1)];
    }

    /// Adds a value-initialised slot at the end; returns it.
    T& emplace_back() {
        if (size_ == chunks_.size() * chunk_size) {
            chunks_.reserve(chunks_.size() + 1);  // so the push below cannot throw after allocating
            chunks_.push_back(std::make_unique<T[]>(chunk_size));
        }
        return (*this)[size_++];
    }

    /// Makes the size `n` (at least the current one), new slots value-initialised.
    void grow_to(std::size_t n) {
        while (size_ < n) emplace_back();
    }

private:
    std::vector<std::unique_ptr<T[]>> chunks_;
    std::size_t size_ = 0;
};

}  // namespace detail::containers
TRACEFLOW_NAMESPACE_END
