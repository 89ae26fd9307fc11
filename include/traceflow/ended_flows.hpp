// SPDX-License-Identifier: MIT
// EndedFlows: the records of ended flows, kept compactly and read back as Index values.
#pragma once

#include "version.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "buffer_id.hpp"
#include "detail/meta/flow_id_trait.hpp"
#include "community_id.hpp"
#include "detail/text/label_prefix.hpp"
#include "detail/tracer/stats_codec.hpp"
#include "frame_numbers.hpp"
#include "index.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// The ended flows a tracer keeps (TraceFlow::closed()), in ending order.
/// A record takes about 70 bytes for 43 frames and an IPv4 key: the label
/// (only what follows `{src}_{srcport}-{dst}_{dstport}-` when the key makes
/// that part, as in every label TraceFlow makes; a time part two characters
/// a byte), the end reason, the frame numbers as variable-length deltas, the
/// key's non-zero bytes and any statistics as varints, in large blocks. Reading one makes an `IndexT` (by value),
/// so range-for works with `const Index&` or `auto`, not with a non-const
/// reference.
///
/// ```
/// traceflow::EndedFlows ended;
/// ended.push_back(traceflow::Index{std::nullopt, {1, 2, 5}, "a_1-b_2-0.0", traceflow::EndReason::fin, nullptr, {}});
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
        [[nodiscard]] IndexT operator[](difference_type n) const { return (*owner_)[at_ + static_cast<std::size_t>(n)]; }
        /// Steps forward.
        const_iterator& operator++() noexcept { return ++at_, *this; }
        /// Steps forward, returning the old position.
        const_iterator operator++(int) noexcept { const_iterator old = *this; ++at_; return old; }
        /// Steps back.
        const_iterator& operator--() noexcept { return --at_, *this; }
        /// Steps back, returning the old position.
        const_iterator operator--(int) noexcept { const_iterator old = *this; --at_; return old; }
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
        prefix_ = std::move(prefix);
        suffix_ = std::move(suffix);
    }

    /// Keeps `record` after the others.
    void push_back(const IndexT& record) {
        put_head(record);
        put(record.index.size());
        // Zigzag deltas: frame numbers usually grow, but any order is kept.
        // Encoded through a small buffer: a push_back per byte was a call per byte.
        std::uint8_t chunk[512];
        std::size_t used = 0;
        std::uint64_t previous = 0;
        for (const std::uint64_t frame : record.index) {
            if (used > sizeof chunk - 10) {
                scratch_.insert(scratch_.end(), chunk, chunk + used);
                used = 0;
            }
            const std::uint64_t delta = frame - previous;
            std::uint64_t z = delta << 1 ^ (0 - (delta >> 63));
            for (; z >= 0x80; z >>= 7) chunk[used++] = static_cast<std::uint8_t>(z | 0x80);
            chunk[used++] = static_cast<std::uint8_t>(z);
            previous = frame;
        }
        scratch_.insert(scratch_.end(), chunk, chunk + used);
        const std::string made = record.stats != nullptr ? key_community_id(record) : std::string();
        put_rest(record, !made.empty() && made == record.stats->community_id);
    }
    /// Keeps `record` with `frames` as its frame numbers, copying their
    /// deltas as they are (`record.index` is not read). Its statistics'
    /// Community ID must be the one its key gives, or empty: it is made
    /// afresh when the record is read. How a tracer keeps a flow that ended.
    void push_back(const IndexT& record, const FrameNumbers& frames) {
        put_head(record);
        put(frames.size());
        if (frames.bytes_used() != 0)
            scratch_.insert(scratch_.end(), frames.deltas(), frames.deltas() + frames.bytes_used());
        put_rest(record, std::is_same_v<flow_id, BufferID<IpAddress>>);
    }

    /// Number of records.
    [[nodiscard]] std::size_t size() const noexcept { return offsets_.size(); }
    /// Length of the longest label kept (0 when none): a table can size its
    /// column without reading every record back.
    [[nodiscard]] std::size_t longest_label() const noexcept { return longest_label_; }
    /// True when no record is kept.
    [[nodiscard]] bool empty() const noexcept { return offsets_.empty(); }
    /// The record at `i` (0 = the first flow that ended), made afresh.
    [[nodiscard]] IndexT operator[](std::size_t i) const {
        IndexT out;
        read(i, out);
        return out;
    }
    /// Makes `out` the record at `i`, reusing its strings' and vector's room
    /// (listing every record through one `out` allocates almost nothing).
    /// Reading changes nothing here: threads may read at once, each into its own `out`.
    void read(std::size_t i, IndexT& out) const {
        const std::uint64_t where = offsets_[i];
        const std::uint8_t* p = blocks_[static_cast<std::size_t>(where >> 32)].get() + (where & 0xFFFFFFFFu);
        out.fpout.reset();
        out.label.clear();
        out.stats.reset();
        out.reason = static_cast<EndReason>(*p & 0x0Fu);
        const auto kind = static_cast<PathKind>(*p >> 4 & 3u);
        const bool key_label = (*p & label_from_key) != 0;
        const bool stats = (*p & has_stats) != 0;
        ++p;
        const std::uint64_t label_head = get(p);  // size << 1 | packed
        const auto label_size = static_cast<std::size_t>(label_head >> 1);
        const std::uint8_t* label = p;
        p += (label_head & 1) != 0 ? (label_size + 1) / 2 : label_size;
        if (kind == PathKind::explicit_path) out.fpout = get_string(p);
        out.index.resize(static_cast<std::size_t>(get(p)));
        std::uint64_t previous = 0;
        for (std::uint64_t& frame : out.index) {
            const std::uint64_t z = get(p);
            previous += z >> 1 ^ (0 - (z & 1));
            frame = previous;
        }
        if constexpr (detail::meta::has_flow_id<IndexT>::value) {
            if constexpr (std::is_trivially_copyable_v<decltype(out.id)>) {
                std::uint8_t bytes[sizeof(out.id)] = {};
                const std::uint8_t* map = p;
                p += (sizeof bytes + 7) / 8;
                for (std::size_t k = 0; k < sizeof bytes; ++k)
                    if ((map[k / 8] >> (k % 8) & 1u) != 0) bytes[k] = *p++;
                std::memcpy(&out.id, bytes, sizeof bytes);
            } else {
                out.id = ids_[i];
            }
            if constexpr (is_buffer_id<flow_id>::value) {
                if (key_label)
                    detail::text::append_label_prefix(out.label, out.id.src, out.id.srcport, out.id.dst, out.id.dstport);
            }
        }
        if ((label_head & 1) != 0) {
            for (std::size_t k = 0; k < label_size; ++k)
                out.label.push_back(time_chars[label[k / 2] >> (k % 2 * 4) & 15u]);
        } else {
            out.label.append(reinterpret_cast<const char*>(label), label_size);
        }
        if (kind == PathKind::pattern) out.fpout = prefix_ + out.label + suffix_;
        if (stats) {
            bool community_known = false;
            FlowStats s = detail::tracer::get_stats(p, community_known);
            if (community_known) s.community_id = key_community_id(out);
            out.stats = std::make_shared<const FlowStats>(std::move(s));
        }
    }
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
        std::vector<std::unique_ptr<std::uint8_t[]>>().swap(blocks_);
        std::vector<std::uint64_t>().swap(offsets_);
        std::vector<flow_id>().swap(ids_);
        used_ = capacity_ = block_bytes_ = longest_label_ = 0;
    }

    /// Heap bytes held (blocks, statistics included, and offsets).
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return block_bytes_ + offsets_.capacity() * sizeof(std::uint64_t);
    }

private:
    template <typename T, bool = detail::meta::has_flow_id<T>::value>
    struct id_of {
        using type = char;
    };
    template <typename T>
    struct id_of<T, true> {
        using type = std::remove_cv_t<decltype(std::declval<T&>().id)>;
    };
    using flow_id = typename id_of<IndexT>::type;

    template <typename T>
    struct is_buffer_id : std::false_type {};
    template <typename A>
    struct is_buffer_id<BufferID<A>> : std::true_type {};

    enum class PathKind : std::uint8_t { none = 0, pattern = 1, explicit_path = 2 };
    static constexpr unsigned label_from_key = 0x40;  // header bit: the label's key part is not stored
    static constexpr unsigned has_stats = 0x80;       // header bit: statistics follow the key

    // A record's first byte (end reason, path kind, flags), its label and any explicit path.
    void put_head(const IndexT& record) {
        scratch_.clear();
        const std::string* path = record.fpout ? &*record.fpout : nullptr;
        const PathKind kind = path == nullptr ? PathKind::none
                              : is_pattern(*path, record.label) ? PathKind::pattern
                                                                : PathKind::explicit_path;
        // A label that starts as its key makes it (make_label) keeps only the rest.
        const std::size_t key_part = label_prefix_size(record);
        scratch_.push_back(static_cast<std::uint8_t>(
            static_cast<unsigned>(record.reason) | static_cast<unsigned>(kind) << 4 |
            (key_part != 0 ? label_from_key : 0u) | (record.stats != nullptr ? has_stats : 0u)));
        put_label_tail(record.label.data() + key_part, record.label.size() - key_part);
        if (kind == PathKind::explicit_path) put_string(*path);
    }
    // The key, the statistics as varints (~40 bytes, not a FlowStats of ~300; their Community ID
    // not stored when it is the key's), then the whole record.
    void put_rest(const IndexT& record, bool community_from_key) {
        if constexpr (detail::meta::has_flow_id<IndexT>::value) {
            if constexpr (std::is_trivially_copyable_v<decltype(record.id)>) {
                // A bitmap of the key's non-zero bytes, then those bytes: an
                // IPv4 key is mostly zeros (addresses are 16-byte arrays).
                std::uint8_t bytes[sizeof(record.id)];
                std::memcpy(bytes, &record.id, sizeof bytes);
                const std::size_t map_at = scratch_.size();
                scratch_.resize(map_at + (sizeof bytes + 7) / 8, 0);
                for (std::size_t i = 0; i < sizeof bytes; ++i) {
                    if (bytes[i] == 0) continue;
                    scratch_[map_at + i / 8] = static_cast<std::uint8_t>(scratch_[map_at + i / 8] | 1u << (i % 8));
                    scratch_.push_back(bytes[i]);
                }
            } else {
                ids_.push_back(record.id);
            }
        }
        if (record.stats != nullptr) detail::tracer::put_stats(scratch_, *record.stats, community_from_key);
        place();
        longest_label_ = std::max(longest_label_, record.label.size());
    }
    // The Community ID an IpAddress key gives (empty for other keys): not stored when it is the statistics' one.
    static std::string key_community_id(const IndexT& record) {
        if constexpr (std::is_same_v<flow_id, BufferID<IpAddress>>)
            return community_id(record.id.src, record.id.srcport, record.id.dst, record.id.dstport);
        (void)record;
        return {};
    }

    // A label's time part ("1796024674.626853", "-g2") packs two characters a byte.
    static constexpr char time_chars[16] = "0123456789.-+eg";
    static unsigned time_code(char c) noexcept {
        for (unsigned k = 0; k < 15; ++k)
            if (time_chars[k] == c) return k;
        return 15;
    }
    // The label from `tail` on: its size << 1 | packed, then its bytes (packed when all are time_chars).
    void put_label_tail(const char* tail, std::size_t n) {
        bool packable = true;
        for (std::size_t k = 0; k < n && packable; ++k) packable = time_code(tail[k]) != 15;
        put(std::uint64_t{n} << 1 | (packable ? 1u : 0u));
        if (!packable) {
            scratch_.insert(scratch_.end(), tail, tail + n);
            return;
        }
        for (std::size_t k = 0; k < n; k += 2)
            scratch_.push_back(static_cast<std::uint8_t>(time_code(tail[k]) |
                                                         (k + 1 < n ? time_code(tail[k + 1]) << 4 : 0u)));
    }

    // Length of the part of `record.label` its key makes, when the label starts with it (else 0).
    std::size_t label_prefix_size(const IndexT& record) {
        if constexpr (is_buffer_id<flow_id>::value) {
            label_scratch_.clear();
            detail::text::append_label_prefix(label_scratch_, record.id.src, record.id.srcport, record.id.dst,
                                        record.id.dstport);
            if (record.label.compare(0, label_scratch_.size(), label_scratch_) == 0) return label_scratch_.size();
        }
        (void)record;
        return 0;
    }
    static constexpr std::size_t block_size = std::size_t{256} << 10;

    bool is_pattern(const std::string& path, const std::string& label) const {
        return path.size() == prefix_.size() + label.size() + suffix_.size() &&
               path.compare(0, prefix_.size(), prefix_) == 0 &&
               path.compare(prefix_.size(), label.size(), label) == 0 &&
               path.compare(prefix_.size() + label.size(), suffix_.size(), suffix_) == 0;
    }
    void put(std::uint64_t v) {
        while (v >= 0x80) {
            scratch_.push_back(static_cast<std::uint8_t>(v | 0x80));
            v >>= 7;
        }
        scratch_.push_back(static_cast<std::uint8_t>(v));
    }
    void put_string(const std::string& s) {
        put(s.size());
        scratch_.insert(scratch_.end(), s.begin(), s.end());
    }
    static std::uint64_t get(const std::uint8_t*& p) noexcept {
        std::uint64_t v = 0;
        for (unsigned shift = 0;; shift += 7) {
            const std::uint8_t b = *p++;
            v |= std::uint64_t{b & 0x7Fu} << shift;
            if ((b & 0x80) == 0) return v;
        }
    }
    static std::string get_string(const std::uint8_t*& p) {
        const auto n = static_cast<std::size_t>(get(p));
        std::string s(reinterpret_cast<const char*>(p), n);
        p += n;
        return s;
    }
    // Copies the encoded record into the current block, or a new one (a
    // record never straddles two blocks; a huge one gets a block of its own).
    void place() {
        if (capacity_ - used_ < scratch_.size()) {
            const std::size_t size = std::max(block_size, scratch_.size());
            blocks_.emplace_back(new std::uint8_t[size]);
            block_bytes_ += size;
            capacity_ = size;
            used_ = 0;
        }
        std::copy(scratch_.begin(), scratch_.end(), blocks_.back().get() + used_);
        offsets_.push_back(std::uint64_t{blocks_.size() - 1} << 32 | used_);
        used_ += scratch_.size();
    }

    std::vector<std::unique_ptr<std::uint8_t[]>> blocks_;
    std::size_t used_ = 0;       // bytes used in the last block
    std::size_t capacity_ = 0;   // size of the last block
    std::size_t block_bytes_ = 0;
    std::size_t longest_label_ = 0;
    std::vector<std::uint64_t> offsets_;  // block index << 32 | offset in it, by record
    std::vector<std::uint8_t> scratch_;
    std::vector<flow_id> ids_;  // keys that cannot be copied as bytes, by record
    std::string label_scratch_;
    std::string prefix_;
    std::string suffix_;
};

/// The ended flows of a tracer whose records are Index.
using EndedFlows = BasicEndedFlows<Index>;

TRACEFLOW_NAMESPACE_END
