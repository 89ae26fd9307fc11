// SPDX-License-Identifier: MIT
// StreamReassembler: one direction of a TCP connection put back in order: bytes at their offsets, gaps, conflicts.
#pragma once

#include "../version.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <utility>
#include <vector>

#include "../byte_view.hpp"
#include "../detail/stream/delivered_window.hpp"
#include "reassembly_options.hpp"
#include "stream_summary.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// One TCP segment as a stream sees it.
struct StreamSegment {
    std::uint32_t seq = 0;          ///< sequence number
    bool syn = false;               ///< SYN flag: the stream starts at seq + 1
    bool fin = false;               ///< FIN flag: the stream ends after this segment's payload
    ByteView captured;              ///< the payload bytes the capture holds
    std::uint32_t wire_length = 0;  ///< payload bytes sent (from the IP header); the rest of `captured`'s are missing
};

/// Puts one direction's segments back in stream order. Events go to a Sink
/// passed to each call, with member functions
/// `data(std::uint64_t offset, ByteView bytes)`,
/// `gap(std::uint64_t offset, std::uint64_t length)` and
/// `conflict(std::uint64_t offset, std::uint64_t length)`.
///
/// - Offsets are 64-bit: sequence numbers are unwrapped against the highest
///   offset seen, so streams pass 4 GiB and ISNs near 2^32 wrap correctly.
/// - Bytes arriving in order go to `data` straight from the segment, with no
///   copy. Bytes after a hole are held (copied) until the hole fills.
/// - Bytes the capture lacks are gaps: the part of a segment cut by the snap
///   length (as soon as it is next in order), a hole that a bound forces
///   (held bytes over `max_held_per_direction`, or force_first_hole()), the
///   holes left at end() and a hole before the FIN.
/// - Overlaps: OverlapPolicy::first keeps the first copy; `last` delivers the
///   later copy again at its offset. Either way differing bytes are a
///   `conflict`, from the first to the last differing byte. A one-byte
///   keep-alive (the byte before the next expected one) is not an overlap.
/// - A RST's payload (diagnostic text) is not part of the stream.
class StreamReassembler {
public:
    /// `options` and `total_held` (the held bytes of every stream, for the
    /// total bound) must outlive the reassembler.
    StreamReassembler(const ReassemblyOptions& options, std::size_t& total_held)
        : options_(&options), total_held_(&total_held), window_(options.compare_window) {}

    StreamReassembler(const StreamReassembler&) = delete;
    StreamReassembler& operator=(const StreamReassembler&) = delete;
    StreamReassembler(StreamReassembler&& other) noexcept
        : options_(other.options_),
          total_held_(other.total_held_),
          window_(std::move(other.window_)),
          held_(std::move(other.held_)),
          held_bytes_(std::exchange(other.held_bytes_, 0)),
          summary_(std::move(other.summary_)),
          base_(other.base_),
          high_(other.high_),
          next_(other.next_),
          fin_end_(other.fin_end_),
          started_(other.started_),
          has_fin_(other.has_fin_) {}
    StreamReassembler& operator=(StreamReassembler&&) = delete;
    ~StreamReassembler() { *total_held_ -= held_bytes_; }

    /// Takes one segment of this direction, in capture order.
    template <typename Sink>
    void add(const StreamSegment& segment, bool rst, Sink& sink) {
        if (!started_) {
            if (!segment.syn && segment.wire_length == 0 && !segment.fin) return;  // nothing to place yet
            started_ = true;
            summary_.midstream = !segment.syn;
            base_ = segment.syn ? segment.seq + 1 : segment.seq;
        }
        const std::int64_t start = offset_of(segment.seq) + (segment.syn ? 1 : 0);
        const std::int64_t end = start + std::int64_t{segment.wire_length};
        if (segment.fin && !has_fin_ && end >= 0) {
            has_fin_ = true;
            fin_end_ = static_cast<std::uint64_t>(end);
        }
        if (rst || segment.wire_length == 0) return;
        if (end <= 0) {  // sent before the byte the stream starts at
            summary_.before_start += segment.wire_length;
            return;
        }
        std::size_t skip = 0;  // captured bytes before offset 0
        if (start < 0) {
            summary_.before_start += static_cast<std::uint64_t>(-start);
            skip = static_cast<std::size_t>(-start);
        }
        const std::uint64_t from = start < 0 ? 0 : static_cast<std::uint64_t>(start);
        const auto to = static_cast<std::uint64_t>(end);
        high_ = std::max(high_, to);
        if (segment.wire_length == 1 && to == next_ && !segment.fin && held_.empty()) return;  // keep-alive
        // The captured bytes from `from`, then the bytes the capture cut.
        const std::size_t captured = std::min<std::size_t>(segment.captured.size, segment.wire_length);
        const std::uint64_t cut_at = from + (captured > skip ? captured - skip : 0);
        if (cut_at > from) place(from, cut_at, segment.captured.data + skip, sink);
        if (to > cut_at) place(cut_at, to, nullptr, sink);
        deliver_ready(sink);
        while (held_bytes_ > options_->max_held_per_direction) force_first_hole(sink);
    }

    /// Turns the first hole into a gap and delivers what follows it (for the
    /// total bound); false when nothing is held.
    template <typename Sink>
    bool force_first_hole(Sink& sink) {
        if (held_.empty()) return false;
        const std::uint64_t first = held_.begin()->first;
        if (first > next_) gap(next_, first - next_, sink);
        next_ = first;
        deliver_ready(sink);
        return true;
    }

    /// Ends the stream: every hole is a gap, as is a hole before the FIN; returns the summary.
    template <typename Sink>
    const StreamSummary& end(Sink& sink) {
        while (force_first_hole(sink)) {}
        if (has_fin_ && fin_end_ > next_) {
            gap(next_, fin_end_ - next_, sink);
            next_ = fin_end_;
        }
        summary_.length = next_;
        window_.release();
        return summary_;
    }

    /// Out-of-order bytes held now.
    [[nodiscard]] std::size_t held_bytes() const noexcept { return held_bytes_; }
    /// The offset of the next byte in order (bytes before it were delivered or are gaps).
    [[nodiscard]] std::uint64_t next_offset() const noexcept { return next_; }
    /// The summary so far (its length is set by end()).
    [[nodiscard]] const StreamSummary& summary() const noexcept { return summary_; }
    /// True once a segment placed offset 0.
    [[nodiscard]] bool started() const noexcept { return started_; }

private:
    struct Held {
        std::uint64_t end;
        std::vector<std::uint8_t> bytes;  // empty: bytes the capture cut (a gap once next in order)
    };
    using HeldMap = std::map<std::uint64_t, Held>;

    // A sequence number's offset, unwrapped to the one nearest the highest offset seen.
    [[nodiscard]] std::int64_t offset_of(std::uint32_t seq) const noexcept {
        const auto reference = static_cast<std::uint32_t>(base_ + static_cast<std::uint32_t>(high_));
        const auto delta = static_cast<std::int32_t>(seq - reference);
        return static_cast<std::int64_t>(high_) + delta;
    }

    // Places bytes [s, e) (`data` null: cut by the capture).
    template <typename Sink>
    void place(std::uint64_t s, std::uint64_t e, const std::uint8_t* data, Sink& sink) {
        if (s < next_) {
            const std::uint64_t done = std::min(e, next_);
            if (data != nullptr) overlap_delivered(s, done, data, sink);
            if (e <= next_) return;
            if (data != nullptr) data += next_ - s;
            s = next_;
        }
        if (s == next_ && held_.empty()) {  // in order: straight out, no copy
            if (data != nullptr)
                deliver(s, data, static_cast<std::size_t>(e - s), sink);
            else
                gap(s, e - s, sink);
            next_ = e;
            return;
        }
        auto it = held_.lower_bound(s);
        if (it != held_.begin()) {
            const auto before = std::prev(it);
            if (before->second.end > s) it = before;
        }
        std::uint64_t pos = s;
        while (pos < e) {
            if (it == held_.end() || it->first >= e) {
                hold(pos, e, data == nullptr ? nullptr : data + (pos - s));
                break;
            }
            if (it->first > pos) {
                hold(pos, it->first, data == nullptr ? nullptr : data + (pos - s));
                pos = it->first;
            }
            const std::uint64_t upto = std::min(e, it->second.end);
            if (data != nullptr) overlap_held(it, pos, upto, data + (pos - s), sink);
            pos = upto;
            it = held_.lower_bound(pos);
        }
    }

    // New bytes [s, e) over bytes already delivered: compared where the window holds them.
    template <typename Sink>
    void overlap_delivered(std::uint64_t s, std::uint64_t e, const std::uint8_t* data, Sink& sink) {
        const std::uint64_t kept = std::max(s, window_.begin());
        if (kept < e && kept < window_.end()) {
            const std::uint64_t upto = std::min(e, window_.end());
            const std::uint8_t* at = data + (kept - s);
            const auto n = static_cast<std::size_t>(upto - kept);
            std::uint64_t first = 0, last = 0;
            if (window_.differs(kept, at, n, first, last)) {
                conflict(first, last + 1 - first, sink);
                if (options_->overlap == OverlapPolicy::last) {
                    window_.overwrite(kept, at, n);
                    sink.data(kept, ByteView(at, n));
                }
            }
            summary_.unchecked += (kept - s) + (e - upto);
            if (options_->overlap == OverlapPolicy::last && kept > s)
                sink.data(s, ByteView(data, static_cast<std::size_t>(kept - s)));
        } else {
            summary_.unchecked += e - s;
            if (options_->overlap == OverlapPolicy::last) sink.data(s, ByteView(data, static_cast<std::size_t>(e - s)));
        }
    }

    // New bytes [s, e) over the held entry `it` (which covers them).
    template <typename Sink>
    void overlap_held(HeldMap::iterator it, std::uint64_t s, std::uint64_t e, const std::uint8_t* data, Sink& sink) {
        Held& held = it->second;
        const auto n = static_cast<std::size_t>(e - s);
        if (held.bytes.empty()) {  // the capture cut these bytes before: this copy has them
            const std::uint64_t start = it->first;
            const std::uint64_t end = held.end;
            held_.erase(it);
            if (start < s) hold(start, s, nullptr);
            hold(s, e, data);
            if (e < end) hold(e, end, nullptr);
            return;
        }
        std::uint8_t* old = held.bytes.data() + (s - it->first);
        bool any = false;
        std::size_t first = 0, last = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (old[i] == data[i]) continue;
            if (!any) first = i;
            last = i;
            any = true;
        }
        if (!any) return;
        conflict(s + first, last + 1 - first, sink);
        if (options_->overlap == OverlapPolicy::last) std::memcpy(old, data, n);
    }

    void hold(std::uint64_t s, std::uint64_t e, const std::uint8_t* data) {
        Held& held = held_[s];
        held.end = e;
        if (data != nullptr) {
            held.bytes.assign(data, data + (e - s));
            held_bytes_ += held.bytes.size();
            *total_held_ += held.bytes.size();
        }
    }

    // Delivers the held entries that follow on from next_.
    template <typename Sink>
    void deliver_ready(Sink& sink) {
        while (!held_.empty() && held_.begin()->first <= next_) {
            auto it = held_.begin();
            Held& held = it->second;
            if (held.end > next_) {  // entries never start before next_; kept safe anyway
                const std::uint64_t skip = next_ - it->first;
                if (held.bytes.empty())
                    gap(next_, held.end - next_, sink);
                else
                    deliver(next_, held.bytes.data() + skip, static_cast<std::size_t>(held.end - next_), sink);
                next_ = held.end;
            }
            held_bytes_ -= held.bytes.size();
            *total_held_ -= held.bytes.size();
            held_.erase(it);
        }
    }

    template <typename Sink>
    void deliver(std::uint64_t offset, const std::uint8_t* data, std::size_t n, Sink& sink) {
        sink.data(offset, ByteView(data, n));
        window_.append(offset, data, n);
        if (has_fin_ && offset + n >= fin_end_) window_.release();  // the direction is over
    }

    template <typename Sink>
    void gap(std::uint64_t offset, std::uint64_t length, Sink& sink) {
        if (length == 0) return;
        if (!summary_.gaps.empty() && summary_.gaps.back().offset + summary_.gaps.back().length == offset)
            summary_.gaps.back().length += length;
        else
            summary_.gaps.push_back({offset, length});
        window_.clear_at(offset + length);
        sink.gap(offset, length);
    }

    template <typename Sink>
    void conflict(std::uint64_t offset, std::uint64_t length, Sink& sink) {
        summary_.conflicts.push_back({offset, length});
        sink.conflict(offset, length);
    }

    const ReassemblyOptions* options_;
    std::size_t* total_held_;
    detail::stream::DeliveredWindow window_;
    HeldMap held_;
    std::size_t held_bytes_ = 0;
    StreamSummary summary_;
    std::uint32_t base_ = 0;     // the sequence number of offset 0
    std::uint64_t high_ = 0;     // highest offset seen: unwrapping's reference
    std::uint64_t next_ = 0;     // offsets before it are delivered or gaps
    std::uint64_t fin_end_ = 0;  // the FIN's offset, when has_fin_
    bool started_ = false;
    bool has_fin_ = false;
};

TRACEFLOW_NAMESPACE_END
