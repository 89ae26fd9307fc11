// SPDX-License-Identifier: MIT
// RecordBlocks: variable-length byte records appended into large blocks, found again by number.
#pragma once

#include "../../version.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::containers {

/// Records kept back to back in 256 KiB blocks (one allocation per block, not
/// per record); a record never straddles two blocks, and one larger than a
/// block gets a block of its own. Reading changes nothing: threads may read at once.
class RecordBlocks {
public:
    /// Appends the `size` bytes at `bytes` as the next record.
    void append(const std::uint8_t* bytes, std::size_t size) {
        if (capacity_ - used_ < size) {
            const std::size_t block = std::max(block_size, size);
            blocks_.emplace_back(new std::uint8_t[block]);
            block_bytes_ += block;
            capacity_ = block;
            used_ = 0;
        }
        std::copy(bytes, bytes + size, blocks_.back().get() + used_);
        offsets_.push_back(std::uint64_t{blocks_.size() - 1} << 32 | used_);
        used_ += size;
    }

    /// The first byte of record `i`.
    [[nodiscard]] const std::uint8_t* operator[](std::size_t i) const noexcept {
        const std::uint64_t where = offsets_[i];
        return blocks_[static_cast<std::size_t>(where >> 32)].get() + (where & 0xFFFFFFFFu);
    }
    /// Number of records.
    [[nodiscard]] std::size_t size() const noexcept { return offsets_.size(); }

    /// Drops every record and gives the memory back (streaming callers clear to bound it).
    void clear() noexcept {
        std::vector<std::unique_ptr<std::uint8_t[]>>().swap(blocks_);
        std::vector<std::uint64_t>().swap(offsets_);
        used_ = capacity_ = block_bytes_ = 0;
    }

    /// Heap bytes held: the blocks and the offsets.
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return block_bytes_ + offsets_.capacity() * sizeof(std::uint64_t);
    }

private:
    static constexpr std::size_t block_size = std::size_t{256} << 10;

    std::vector<std::unique_ptr<std::uint8_t[]>> blocks_;
    std::vector<std::uint64_t> offsets_;  // block index << 32 | offset in it, by record
    std::size_t used_ = 0;                // bytes used in the last block
    std::size_t capacity_ = 0;            // size of the last block
    std::size_t block_bytes_ = 0;
};

}  // namespace detail::containers
TRACEFLOW_NAMESPACE_END
