// SPDX-License-Identifier: MIT
// DeliveredWindow: the last bytes a stream delivered, kept to compare retransmitted copies with.
#pragma once

#include "../../version.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::stream {

// A ring over stream offsets: offset o lives at o mod size. It grows with the
// stream up to `limit` bytes (a power of two), so a short stream holds little.
class DeliveredWindow {
public:
    explicit DeliveredWindow(std::size_t limit = 0) noexcept : limit_(floor_power_of_two(limit)) {}

    // Offsets [begin(), end()) are held.
    [[nodiscard]] std::uint64_t begin() const noexcept { return end_ - held_; }
    [[nodiscard]] std::uint64_t end() const noexcept { return end_; }

    // Bytes delivered at `offset`: held when they follow the held ones, else
    // they start a new run.
    void append(std::uint64_t offset, const std::uint8_t* data, std::size_t n) {
        if (limit_ == 0 || n == 0) return;
        if (offset != end_) clear_at(offset);
        grow_for(held_ + n);
        const std::size_t size = size_;
        if (n > size) {  // only the last `size` bytes stay
            data += n - size;
            offset += n - size;
            n = size;
        }
        copy_in(offset, data, n);
        end_ = offset + n;
        held_ = std::min<std::uint64_t>(held_ + n, size);
    }

    // Bytes delivered again at an offset already held (the `last` policy).
    void overwrite(std::uint64_t offset, const std::uint8_t* data, std::size_t n) {
        if (n == 0 || offset < begin() || offset + n > end_) return;
        copy_in(offset, data, n);
    }

    // The first and last offsets in [offset, offset + n) where `data` differs
    // from the held bytes (the range must be held); false when none differs.
    bool differs(std::uint64_t offset, const std::uint8_t* data, std::size_t n, std::uint64_t& first,
                 std::uint64_t& last) const noexcept {
        bool any = false;
        const std::size_t mask = size_ - 1;
        for (std::size_t i = 0; i < n; ++i) {
            if (ring_[static_cast<std::size_t>(offset + i) & mask] == data[i]) continue;
            if (!any) first = offset + i;
            last = offset + i;
            any = true;
        }
        return any;
    }

    // Forgets the held bytes; the next ones start at `offset`.
    void clear_at(std::uint64_t offset) noexcept {
        end_ = offset;
        held_ = 0;
    }
    // Forgets the bytes and frees their memory.
    void release() noexcept {
        held_ = 0;
        ring_.reset();
        size_ = 0;
        limit_ = 0;
    }

private:
    static std::size_t floor_power_of_two(std::size_t n) noexcept {
        std::size_t p = 1;
        while (n != 0 && p <= n / 2) p *= 2;
        return n == 0 ? 0 : p;
    }

    void grow_for(std::uint64_t want) {
        if (size_ >= limit_ || want <= size_) return;
        std::size_t size = std::max<std::size_t>(size_, 256);
        while (size < want && size < limit_) size *= 2;
        size = std::min(size, limit_);
        // Not zeroed: only bytes written are read (fresh zeroed pages cost more than the copy).
        std::unique_ptr<std::uint8_t[]> grown(new std::uint8_t[size]);
        const std::size_t old_mask = size_ - 1;
        for (std::uint64_t o = begin(); o < end_; ++o)
            grown[static_cast<std::size_t>(o) & (size - 1)] = ring_[static_cast<std::size_t>(o) & old_mask];
        ring_ = std::move(grown);
        size_ = size;
    }

    void copy_in(std::uint64_t offset, const std::uint8_t* data, std::size_t n) noexcept {
        const std::size_t size = size_;
        const std::size_t at = static_cast<std::size_t>(offset) & (size - 1);
        const std::size_t first = std::min(n, size - at);
        std::memcpy(ring_.get() + at, data, first);
        std::memcpy(ring_.get(), data + first, n - first);
    }

    std::unique_ptr<std::uint8_t[]> ring_;  // null until bytes are delivered
    std::size_t size_ = 0;                  // ring_'s bytes: a power of two
    std::size_t limit_;
    std::uint64_t end_ = 0;   // offset after the last held byte
    std::uint64_t held_ = 0;  // bytes held, ending at end_
};

}  // namespace detail::stream
TRACEFLOW_NAMESPACE_END
