// SPDX-License-Identifier: MIT
// FilteredTracer: hands a tracer only the packets a Filter matches, and counts the rest.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "../detail/meta/tracer_traits.hpp"
#include "../timestamp.hpp"
#include "filter.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace filter {

/// Wraps any tracer (TraceFlow or one of your own with `dump(packet)`):
/// packets the filter rejects are counted and dropped, the others are
/// forwarded. Frame numbers are the packets' own, so they still count every
/// frame of the input. `trace`, `trace_batch`, `writes_files` and `advance`
/// are forwarded when the tracer has them.
///
///     traceflow::TraceFlow<traceflow::CapturePacket> tracer;
///     traceflow::filter::FilteredTracer filtered(tracer, traceflow::filter::Filter("port 80"));
///     // traceflow::feed("in.pcap", filtered, stats);
template <typename Tracer>
class FilteredTracer {
public:
    /// Keeps a reference to `tracer`; it must outlive this adapter.
    FilteredTracer(Tracer& tracer, Filter filter)
        : tracer_(&tracer), filter_(std::move(filter)), accepts_all_(filter_.empty()) {}

    /// Forwards `packet` to the tracer's dump() when it matches.
    template <typename PacketT>
    void dump(const PacketT& packet) {
        if (accepts_all_ || filter_.matches_packet(packet))
            tracer_->dump(packet);
        else
            ++filtered_out_;
    }

    /// Forwards `packet` to the tracer's trace() when it matches; true when it did.
    template <typename PacketT>
    bool trace(const PacketT& packet) {
        if (!accepts_all_ && !filter_.matches_packet(packet)) {
            ++filtered_out_;
            return false;
        }
        tracer_->trace(packet);
        return true;
    }

    /// Forwards the matching packets of a batch, in order, as one batch.
    template <typename PacketT>
    void trace_batch(const PacketT* packets, std::size_t count) {
        if (accepts_all_) {  // no filter: not even a pass over the batch
            tracer_->trace_batch(packets, count);
            return;
        }
        kept_.clear();
        for (std::size_t i = 0; i < count; ++i) {
            if (filter_.matches_packet(packets[i]))
                kept_.push_back(i);
            else
                ++filtered_out_;
        }
        if (kept_.size() == count) {
            tracer_->trace_batch(packets, count);
            return;
        }
        for (const std::size_t i : kept_) tracer_->trace(packets[i]);
    }

    /// The wrapped tracer's writes_files(), or true when it cannot say.
    [[nodiscard]] bool writes_files() const {
        if constexpr (detail::meta::has_writes_files<Tracer>::value)
            return tracer_->writes_files();
        else
            return true;
    }

    /// Whether the feeds must keep each packet's frame bytes: the wrapped
    /// tracer needs them, or the filter reads TCP header bytes that a
    /// packet's fields do not hold (Filter::needs_frame()).
    [[nodiscard]] bool needs_frame_bytes() const {
        return filter_.needs_frame() || detail::meta::needs_frame_bytes(*tracer_);
    }

    /// Moves the tracer's clock (TraceFlow::advance), for live inputs.
    template <typename T = Tracer>
    auto advance(const Timestamp& now) -> decltype(std::declval<T&>().advance(now)) {
        return tracer_->advance(now);
    }

    /// Packets the filter rejected so far.
    [[nodiscard]] std::uint64_t filtered_out() const noexcept { return filtered_out_; }
    /// The filter.
    [[nodiscard]] const Filter& filter() const noexcept { return filter_; }
    /// The wrapped tracer.
    [[nodiscard]] Tracer& tracer() noexcept { return *tracer_; }

private:
    Tracer* tracer_;
    Filter filter_;
    bool accepts_all_;  // the empty filter: packets go straight through
    std::uint64_t filtered_out_ = 0;
    std::vector<std::size_t> kept_;
};

}  // namespace filter
TRACEFLOW_NAMESPACE_END
