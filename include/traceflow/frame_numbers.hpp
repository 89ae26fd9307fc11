// SPDX-License-Identifier: MIT
// FrameNumbers: an open flow's frame numbers, kept as variable-length deltas in one heap block.
#pragma once

#include "detail/bits/varint.hpp"
#include "version.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <new>
#include <vector>

TRACEFLOW_NAMESPACE_BEGIN

/// The frame numbers of an open flow (Buffer::index), in arrival order: an
/// append-only sequence of `std::uint64_t` that stores each number as the
/// zigzag varint of its difference from the previous one, in one heap block
/// grown by about 1.5x. Frame numbers that grow by small steps take about one
/// byte each (a `std::vector<std::uint64_t>` takes 8 plus growth slack); any
/// order and any value round-trip exactly. Read it with a forward iterator
/// (values, not references), front(), back(), or copy it out with
/// to_vector(); there is no access by position.
///
/// ```cpp
/// traceflow::FrameNumbers frames;
/// for (std::uint64_t f : {7, 9, 10, 3}) frames.push_back(f);
/// std::uint64_t sum = 0;
/// for (std::uint64_t f : frames) sum += f;  // 29
/// const std::vector<std::uint64_t> copy(frames.begin(), frames.end());
/// bool same = frames == copy && frames.size() == 4 && frames.back() == 3;  // true
/// ```
class FrameNumbers {
public:
    using value_type = std::uint64_t;  ///< a frame number
    using size_type = std::size_t;     ///< a count of frame numbers

    /// Reads the numbers in order; dereferencing yields a value.
    class const_iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = std::uint64_t;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = std::uint64_t;

        const_iterator() = default;
        /// The number at this position.
        [[nodiscard]] std::uint64_t operator*() const noexcept { return value_; }
        /// Steps to the next number.
        const_iterator& operator++() noexcept {
            at_ = next_;
            if (at_ != end_) value_ += decode(next_);
            return *this;
        }
        /// Steps to the next number, returning the old position.
        const_iterator operator++(int) noexcept {
            const_iterator old = *this;
            ++*this;
            return old;
        }
        /// Same position.
        friend bool operator==(const const_iterator& a, const const_iterator& b) noexcept { return a.at_ == b.at_; }
        /// Other position.
        friend bool operator!=(const const_iterator& a, const const_iterator& b) noexcept { return a.at_ != b.at_; }

    private:
        friend class FrameNumbers;
        const_iterator(const std::uint8_t* at, const std::uint8_t* end) noexcept : at_(at), next_(at), end_(end) {
            if (at_ != end_) value_ = decode(next_);
        }
        const std::uint8_t* at_ = nullptr;    // this number's bytes
        const std::uint8_t* next_ = nullptr;  // the next number's bytes
        const std::uint8_t* end_ = nullptr;
        std::uint64_t value_ = 0;
    };
    using iterator = const_iterator;  ///< the numbers cannot be changed in place

    /// An empty sequence; it allocates nothing until the first push_back().
    FrameNumbers() noexcept = default;
    /// The numbers of `frames`, in order.
    FrameNumbers(std::initializer_list<std::uint64_t> frames) {
        for (const std::uint64_t f : frames) push_back(f);
    }
    /// A copy, in a block of the same class (so it grows as the original would).
    FrameNumbers(const FrameNumbers& other)
        : data_(other.data_ ? new std::uint8_t[other.bytes_allocated()] : nullptr),
          used_class_(other.used_class_),
          count_(other.count_),
          last_(other.last_) {
        if (data_) std::memcpy(data_.get(), other.data_.get(), other.bytes_used());
    }
    /// Takes `other`'s block; `other` is left empty.
    FrameNumbers(FrameNumbers&& other) noexcept
        : data_(std::move(other.data_)), used_class_(other.used_class_), count_(other.count_), last_(other.last_) {
        other.used_class_ = other.count_ = other.last_ = 0;
    }
    /// Copies `other`'s numbers.
    FrameNumbers& operator=(const FrameNumbers& other) {
        if (this != &other) *this = FrameNumbers(other);
        return *this;
    }
    /// Takes `other`'s block; `other` is left empty.
    FrameNumbers& operator=(FrameNumbers&& other) noexcept {
        if (this != &other) {
            data_ = std::move(other.data_);
            used_class_ = other.used_class_;
            count_ = other.count_;
            last_ = other.last_;
            other.used_class_ = other.count_ = other.last_ = 0;
        }
        return *this;
    }
    /// Gives the block back.
    ~FrameNumbers() = default;

    /// Appends `frame` (any value, in any order). Throws only std::bad_alloc.
    void push_back(std::uint64_t frame) {
        const std::uint64_t z = detail::bits::zigzag(frame - last_);  // modulo 2^64: exact for any pair
        const std::size_t used = bytes_used();
        if (used + detail::bits::max_varint_bytes > bytes_allocated()) {
            append_near_end(z);
        } else {
            std::uint8_t* out = data_.get() + used;
            used_class_ += static_cast<std::uint64_t>(detail::bits::write_varint(out, z) - out);
        }
        last_ = frame;
        ++count_;
    }

    /// Number of frame numbers.
    [[nodiscard]] std::size_t size() const noexcept { return static_cast<std::size_t>(count_); }
    /// True when there is none.
    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    /// The first number (the sequence must not be empty).
    [[nodiscard]] std::uint64_t front() const noexcept { return *begin(); }
    /// The last number (the sequence must not be empty).
    [[nodiscard]] std::uint64_t back() const noexcept { return last_; }

    /// The first position.
    [[nodiscard]] const_iterator begin() const noexcept { return {data_.get(), data_.get() + bytes_used()}; }
    /// Past the last position.
    [[nodiscard]] const_iterator end() const noexcept {
        const std::uint8_t* e = data_.get() + bytes_used();
        return {e, e};
    }
    /// Where the next number's bytes go (a prefetch hint); null before the first number.
    [[nodiscard]] const std::uint8_t* append_position() const noexcept { return data_.get() + bytes_used(); }
    /// Same as begin().
    [[nodiscard]] const_iterator cbegin() const noexcept { return begin(); }
    /// Same as end().
    [[nodiscard]] const_iterator cend() const noexcept { return end(); }

    /// The numbers as a vector (pcapkit's list; BasicIndex::index).
    [[nodiscard]] std::vector<std::uint64_t> to_vector() const {
        std::vector<std::uint64_t> out;
        out.reserve(size());
        out.assign(begin(), end());
        return out;
    }

    /// Removes every number and gives the block back.
    void clear() noexcept { *this = FrameNumbers(); }
    /// Makes room for `bytes` bytes of deltas (about as many frames that grow
    /// by steps under 64) without a further allocation.
    void reserve_bytes(std::size_t bytes) {
        if (bytes > bytes_allocated()) grow(bytes);
    }

    /// Bytes of deltas stored (about 1 per frame for steps under 64, at most 10).
    [[nodiscard]] std::size_t bytes_used() const noexcept { return static_cast<std::size_t>(used_class_ & used_mask); }
    /// The bytes_used() bytes of deltas as stored, each number's zigzag
    /// LEB128 varint of its difference from the one before (the first from
    /// 0): EndedFlows copies them whole. Null when nothing was ever stored.
    [[nodiscard]] const std::uint8_t* deltas() const noexcept { return data_.get(); }
    /// Bytes of the heap block (0 when nothing was ever stored).
    [[nodiscard]] std::size_t bytes_allocated() const noexcept {
        return block_bytes(static_cast<unsigned>(used_class_ >> class_shift));
    }

    /// Same numbers in the same order.
    friend bool operator==(const FrameNumbers& a, const FrameNumbers& b) noexcept {
        return a.count_ == b.count_ && a.last_ == b.last_ && a.bytes_used() == b.bytes_used() &&
               (a.bytes_used() == 0 || std::memcmp(a.data_.get(), b.data_.get(), a.bytes_used()) == 0);
    }
    /// Not the same numbers.
    friend bool operator!=(const FrameNumbers& a, const FrameNumbers& b) noexcept { return !(a == b); }
    /// Same numbers as `v`, in the same order.
    friend bool operator==(const FrameNumbers& a, const std::vector<std::uint64_t>& v) noexcept {
        return a.size() == v.size() && std::equal(v.begin(), v.end(), a.begin());
    }
    /// Same numbers as `a`, in the same order.
    friend bool operator==(const std::vector<std::uint64_t>& v, const FrameNumbers& a) noexcept { return a == v; }
    /// Not the same numbers as `v`.
    friend bool operator!=(const FrameNumbers& a, const std::vector<std::uint64_t>& v) noexcept { return !(a == v); }
    /// Not the same numbers as `a`.
    friend bool operator!=(const std::vector<std::uint64_t>& v, const FrameNumbers& a) noexcept { return !(a == v); }

private:
    static constexpr unsigned class_shift = 56;
    static constexpr std::uint64_t used_mask = (std::uint64_t{1} << class_shift) - 1;

    static constexpr std::size_t class_count = 96;
    // Block sizes by class: 0 (none), 24, then about 1.5x each step, each of
    // the form 16k + 8 (what a 16-byte-aligned allocator hands out whole).
    static constexpr std::array<std::uint64_t, class_count> block_sizes = [] {
        std::array<std::uint64_t, class_count> s{};
        s[1] = 24;
        for (std::size_t i = 2; i < class_count; ++i)
            s[i] = std::min(used_mask, (s[i - 1] * 3 / 2 - 8 + 15) / 16 * 16 + 8);
        return s;
    }();
    static_assert(block_sizes[class_count - 1] == used_mask, "the largest class holds any size");

    [[nodiscard]] static std::size_t block_bytes(unsigned block_class) noexcept {
        return static_cast<std::size_t>(block_sizes[block_class]);
    }

    // Appends varint `z` where the block may be too small: grows it to the
    // smallest class that holds it (not a byte of slack needed beyond it).
    void append_near_end(std::uint64_t z) {
        std::uint8_t bytes[detail::bits::max_varint_bytes];
        const auto n = static_cast<std::size_t>(detail::bits::write_varint(bytes, z) - bytes);
        const std::size_t used = bytes_used();
        if (used + n > bytes_allocated()) grow(used + n);
        std::memcpy(data_.get() + used, bytes, n);
        used_class_ += n;
    }

    // Reads one varint at `p` (advancing it) and returns the delta it holds.
    [[nodiscard]] static std::uint64_t decode(const std::uint8_t*& p) noexcept {
        return detail::bits::unzigzag(detail::bits::read_varint(p));
    }

    // Moves the deltas into the smallest block class of at least `bytes`.
    void grow(std::size_t bytes) {
        if (bytes > used_mask) throw std::bad_alloc();
        unsigned block_class = static_cast<unsigned>(used_class_ >> class_shift) + 1;
        while (block_bytes(block_class) < bytes) ++block_class;
        std::unique_ptr<std::uint8_t[]> block(new std::uint8_t[block_bytes(block_class)]);
        const std::size_t used = bytes_used();
        if (used != 0) std::memcpy(block.get(), data_.get(), used);
        data_ = std::move(block);
        used_class_ = used | std::uint64_t{block_class} << class_shift;
    }

    std::unique_ptr<std::uint8_t[]> data_;
    std::uint64_t used_class_ = 0;  // bytes used (low 56 bits), block class (high 8)
    std::uint64_t count_ = 0;
    std::uint64_t last_ = 0;  // the last number, the base of the next delta
};

TRACEFLOW_NAMESPACE_END
