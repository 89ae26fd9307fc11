// SPDX-License-Identifier: MIT
// SlotChunks: a growable array of slots in fixed-size chunks: no growth slack beyond one chunk, no copy on growth.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>

#include "pod_array.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::containers {

/// The chunk table of SlotChunks, apart from the slot type: one
/// `PodArray<void*>` for every SlotChunks<T> of a program, so that each T
/// does not compile a table of its own.
class ChunkTable {
public:
    ChunkTable() = default;
    ChunkTable(const ChunkTable&) = delete;
    ChunkTable& operator=(const ChunkTable&) = delete;
    ChunkTable(ChunkTable&& other) noexcept : chunks_(std::move(other.chunks_)) { other.chunks_.clear(); }
    ~ChunkTable() = default;

protected:
    ChunkTable& operator=(ChunkTable&& other) noexcept {
        chunks_.swap(other.chunks_);  // the owner frees what it receives in `other`
        return *this;
    }
    PodArray<void*> chunks_;
};

/// Slots numbered 0..size()-1, stored `1 << ChunkBits` per heap block. A
/// `std::vector` grown by doubling holds up to twice what it needs, and
/// three times while it moves; here at most one chunk is unused, nothing
/// moves (references stay valid), and a lookup costs one more load (the
/// chunk table, a few hundred bytes that stay in cache).
template <typename T, unsigned ChunkBits = 10>
class SlotChunks : private ChunkTable {
public:
    static constexpr std::size_t chunk_size = std::size_t{1} << ChunkBits;

    SlotChunks() = default;
    SlotChunks(SlotChunks&& other) noexcept : ChunkTable(std::move(other)), size_(std::exchange(other.size_, 0)) {}
    SlotChunks& operator=(SlotChunks&& other) noexcept {
        if (this != &other) {
            ChunkTable::operator=(std::move(other));
            std::swap(size_, other.size_);
            other.free_chunks();
        }
        return *this;
    }
    ~SlotChunks() { free_chunks(); }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

    [[nodiscard]] T& operator[](std::size_t i) noexcept {
        return static_cast<T*>(chunks_[i >> ChunkBits])[i & (chunk_size - 1)];
    }
    [[nodiscard]] const T& operator[](std::size_t i) const noexcept {
        return static_cast<const T*>(chunks_[i >> ChunkBits])[i & (chunk_size - 1)];
    }

    /// Adds a value-initialised slot at the end; returns it.
    T& emplace_back() {
        if (size_ == chunks_.size() * chunk_size) {
            chunks_.reserve(chunks_.size() + 1);  // so the push below cannot throw after allocating
            chunks_.push_back(new T[chunk_size]());
        }
        return (*this)[size_++];
    }

    /// Makes the size `n` (at least the current one), new slots value-initialised.
    void grow_to(std::size_t n) {
        while (size_ < n) emplace_back();
    }

private:
    void free_chunks() noexcept {
        for (void* chunk : chunks_) delete[] static_cast<T*>(chunk);
        chunks_.clear();
        size_ = 0;
    }

    std::size_t size_ = 0;
};

}  // namespace detail::containers
TRACEFLOW_NAMESPACE_END
