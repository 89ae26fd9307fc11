// SPDX-License-Identifier: MIT
// RecordBlocks: variable-length byte records appended into large blocks, found again by number.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "pod_array.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::containers {

/// Records kept back to back in 256 KiB blocks (one allocation per block, not
/// per record); a record never straddles two blocks, and one larger than a
/// block gets a block of its own. Reading changes nothing: threads may read at once.
class RecordBlocks {
public:
    RecordBlocks() = default;
    RecordBlocks(const RecordBlocks&) = delete;
    RecordBlocks& operator=(const RecordBlocks&) = delete;
    RecordBlocks(RecordBlocks&& other) noexcept { swap(other); }
    RecordBlocks& operator=(RecordBlocks&& other) noexcept {
        if (this != &other) {
            clear();
            swap(other);
        }
        return *this;
    }
    ~RecordBlocks() { free_blocks(); }

    /// Appends the `size` bytes at `bytes` as the next record.
    void append(const std::uint8_t* bytes, std::size_t size) {
        if (capacity_ - used_ < size) {
            const std::size_t block = size > block_size ? size : block_size;
            blocks_.reserve(blocks_.size() + 1);  // so the push below cannot throw after allocating
            blocks_.push_back(new std::uint8_t[block]);
            block_bytes_ += block;
            capacity_ = block;
            used_ = 0;
        }
        if (size != 0) std::memcpy(static_cast<std::uint8_t*>(blocks_.back()) + used_, bytes, size);
        offsets_.push_back(std::uint64_t{blocks_.size() - 1} << 32 | used_);
        used_ += size;
    }

    /// The first byte of record `i`.
    [[nodiscard]] const std::uint8_t* operator[](std::size_t i) const noexcept {
        const std::uint64_t where = offsets_[i];
        return static_cast<const std::uint8_t*>(blocks_[static_cast<std::size_t>(where >> 32)]) +
               (where & 0xFFFFFFFFu);
    }
    /// Number of records.
    [[nodiscard]] std::size_t size() const noexcept { return offsets_.size(); }

    /// Drops every record and gives the memory back (streaming callers clear to bound it).
    void clear() noexcept {
        free_blocks();
        blocks_.release();
        offsets_.release();
        used_ = capacity_ = block_bytes_ = 0;
    }

    /// Heap bytes held: the blocks and the offsets.
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return block_bytes_ + offsets_.capacity() * sizeof(std::uint64_t);
    }

private:
    static constexpr std::size_t block_size = std::size_t{256} << 10;

    void swap(RecordBlocks& other) noexcept {
        blocks_.swap(other.blocks_);
        offsets_.swap(other.offsets_);
        std::swap(used_, other.used_);
        std::swap(capacity_, other.capacity_);
        std::swap(block_bytes_, other.block_bytes_);
    }
    void free_blocks() noexcept {
        for (void* block : blocks_) delete[] static_cast<std::uint8_t*>(block);
        blocks_.clear();
    }

    PodArray<void*> blocks_;           // each new std::uint8_t[]
    PodArray<std::uint64_t> offsets_;  // block index << 32 | offset in it, by record
    std::size_t used_ = 0;                // bytes used in the last block
    std::size_t capacity_ = 0;            // size of the last block
    std::size_t block_bytes_ = 0;
};

}  // namespace detail::containers
TRACEFLOW_NAMESPACE_END
