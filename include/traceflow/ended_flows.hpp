// SPDX-License-Identifier: MIT
// EndedFlows: the records of ended flows, kept compactly and read back as Index values.
#pragma once

#include "version.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "detail/containers/pod_array.hpp"
#include "detail/containers/record_blocks.hpp"
#include "detail/tracer/flow_record_codec.hpp"
#include "frame_numbers.hpp"
#include "index.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// The ended flows a tracer keeps (TraceFlow::closed()), in ending order.
/// A record takes about 70 bytes for 43 frames and an IPv4 key (label,
/// end reason, frame deltas, key and statistics as varints), in large
/// blocks. Reading one makes an `IndexT` (by value), so range-for works with
/// `const Index&` or `auto`, not with a non-const reference.
///
/// ```
/// traceflow::EndedFlows ended;
/// ended.push_back(traceflow::Index{std::nullopt, {1, 2, 5}, "a_1-b_2-0.0", traceflow::EndReason::fin, nullptr, {}, {}, {}});
/// std::size_t frames = 0;
/// for (const traceflow::Index& flow : ended) frames += flow.index.size();  // 3
/// ```
template <typename IndexT>
class BasicEndedFlows {
public:
    /// Index type of the records read back.
    using index_type = IndexT;

    /// Yields the records one by one, as Index values.
    class const_iterator {
    public:
        using iterator_category = std::random_access_iterator_tag;
        using value_type = IndexT;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = IndexT;

        const_iterator() = default;
        /// The record at this position.
        [[nodiscard]] IndexT operator*() const { return (*owner_)[at_]; }
        /// The record `n` positions further.
        [[nodiscard]] IndexT operator[](difference_type n) const {
            return (*owner_)[at_ + static_cast<std::size_t>(n)];
        }
        /// Steps forward.
        const_iterator& operator++() noexcept { return ++at_, *this; }
        /// Steps forward, returning the old position.
        const_iterator operator++(int) noexcept {
            const_iterator old = *this;
            ++at_;
            return old;
        }
        /// Steps back.
        const_iterator& operator--() noexcept { return --at_, *this; }
        /// Steps back, returning the old position.
        const_iterator operator--(int) noexcept {
            const_iterator old = *this;
            --at_;
            return old;
        }
        /// Moves by `n`.
        const_iterator& operator+=(difference_type n) noexcept { return at_ += static_cast<std::size_t>(n), *this; }
        /// Moves back by `n`.
        const_iterator& operator-=(difference_type n) noexcept { return at_ -= static_cast<std::size_t>(n), *this; }
        /// A position `n` further.
        friend const_iterator operator+(const_iterator i, difference_type n) noexcept { return i += n; }
        /// A position `n` back.
        friend const_iterator operator-(const_iterator i, difference_type n) noexcept { return i -= n; }
        /// Distance between two positions.
        friend difference_type operator-(const const_iterator& a, const const_iterator& b) noexcept {
            return static_cast<difference_type>(a.at_) - static_cast<difference_type>(b.at_);
        }
        /// Same position.
        friend bool operator==(const const_iterator& a, const const_iterator& b) noexcept { return a.at_ == b.at_; }
        /// Other position.
        friend bool operator!=(const const_iterator& a, const const_iterator& b) noexcept { return a.at_ != b.at_; }
        /// Earlier position.
        friend bool operator<(const const_iterator& a, const const_iterator& b) noexcept { return a.at_ < b.at_; }

    private:
        friend class BasicEndedFlows;
        const_iterator(const BasicEndedFlows* owner, std::size_t at) noexcept : owner_(owner), at_(at) {}
        const BasicEndedFlows* owner_ = nullptr;
        std::size_t at_ = 0;
    };
    using iterator = const_iterator;
    using value_type = IndexT;
    using size_type = std::size_t;

    /// Paths equal to `prefix + label + suffix` are stored as one bit (the
    /// tracer sets its output folder and extension here); other paths are
    /// stored whole.
    void set_path_pattern(std::string prefix, std::string suffix) {
        codec_.set_path_pattern(std::move(prefix), std::move(suffix));
    }

    /// Keeps `record` after the others.
    void push_back(const IndexT& record) {
        codec_.encode(record, scratch_, ids_);
        keep(record);
    }
    /// Keeps `record` with `frames` as its frame numbers, copying their
    /// deltas as they are (`record.index` is not read). Its statistics'
    /// Community ID must be the one its key gives, or empty: it is made
    /// afresh when the record is read. How a tracer keeps a flow that ended.
    void push_back(const IndexT& record, const FrameNumbers& frames) {
        codec_.encode(record, frames, scratch_, ids_);
        keep(record);
    }

    /// Number of records.
    [[nodiscard]] std::size_t size() const noexcept { return blocks_.size(); }
    /// Length of the longest label kept (0 when none): a table can size its
    /// column without reading every record back.
    [[nodiscard]] std::size_t longest_label() const noexcept { return longest_label_; }
    /// True when no record is kept.
    [[nodiscard]] bool empty() const noexcept { return blocks_.size() == 0; }
    /// The record at `i` (0 = the first flow that ended), made afresh.
    [[nodiscard]] IndexT operator[](std::size_t i) const {
        IndexT out;
        read(i, out);
        return out;
    }
    /// Makes `out` the record at `i`, reusing its strings' and vector's room
    /// (listing every record through one `out` allocates almost nothing).
    /// Reading changes nothing here: threads may read at once, each into its own `out`.
    void read(std::size_t i, IndexT& out) const { codec_.decode(blocks_[i], out, ids_.empty() ? nullptr : &ids_[i]); }
    /// The first record, made afresh (the container must not be empty).
    [[nodiscard]] IndexT front() const { return (*this)[0]; }
    /// The last record, made afresh (the container must not be empty).
    [[nodiscard]] IndexT back() const { return (*this)[size() - 1]; }
    /// The first record.
    [[nodiscard]] const_iterator begin() const noexcept { return const_iterator(this, 0); }
    /// Past the last record.
    [[nodiscard]] const_iterator end() const noexcept { return const_iterator(this, size()); }

    /// Drops every record.
    void clear() noexcept {
        // Memory goes back too: streaming callers clear to bound it.
        blocks_.clear();
        std::vector<flow_id>().swap(ids_);
        longest_label_ = 0;
    }

    /// Heap bytes held (blocks, statistics included, and offsets).
    [[nodiscard]] std::size_t memory_bytes() const noexcept { return blocks_.memory_bytes(); }

private:
    using Codec = detail::tracer::FlowRecordCodec<IndexT>;
    using flow_id = typename Codec::flow_id;

    void keep(const IndexT& record) {
        blocks_.append(scratch_.data(), scratch_.size());
        longest_label_ = std::max(longest_label_, record.label.size());
    }

    Codec codec_;
    detail::containers::RecordBlocks blocks_;
    detail::containers::PodArray<std::uint8_t> scratch_;  // the record being encoded
    std::vector<flow_id> ids_;           // keys that cannot be copied as bytes, by record
    std::size_t longest_label_ = 0;
};

/// The ended flows of a tracer whose records are Index.
using EndedFlows = BasicEndedFlows<Index>;

TRACEFLOW_NAMESPACE_END
