// SPDX-License-Identifier: MIT
// PacketBatcher: the packets feed() gathers to trace a batch at a time.
#pragma once

#include "../../version.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "../meta/tracer_traits.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::ingest {

// Traces runs of packets through trace_batch(), whose prefetching overlaps
// the flow lookups when packets jump between many flows (shuffled input:
// 1.7x faster), or through dump() one by one, which is cheaper when they
// keep to flows already in cache (time-sorted input: trace_batch() up to
// 1.5x slower). Which is faster depends on the capture, so both are timed
// on a few runs every `epoch` runs and the faster is kept; the result is
// the same either way. For tracers with trace_batch().
template <typename Tracer, typename PacketT>
class AdaptiveTracing {
public:
    explicit AdaptiveTracing(Tracer& tracer) : tracer_(tracer) {}

    /// Traces packets[0, n) in order.
    void trace(const PacketT* packets, std::size_t n) {
        if (n == 0) return;
        const std::size_t phase = runs_++ % epoch;
        if (phase >= 2 * probes) {
            trace(packets, n, pipelined_);
            return;
        }
        // Probing: even runs one way, odd ones the other, timed per packet.
        const bool pipelined = phase % 2 == 1;
        const auto start = std::chrono::steady_clock::now();
        trace(packets, n, pipelined);
        const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
        (pipelined ? probe_pipelined_ : probe_single_) += took.count() / static_cast<double>(n);
        if (phase == 2 * probes - 1) {
            pipelined_ = probe_pipelined_ < probe_single_;
            probe_pipelined_ = probe_single_ = 0;
        }
    }

private:
    static constexpr std::size_t epoch = 64;  // runs between two choices
    static constexpr std::size_t probes = 3;  // timed runs each way per choice

    void trace(const PacketT* packets, std::size_t n, bool pipelined) {
        if (pipelined) {
            tracer_.trace_batch(packets, n);
        } else {
            for (std::size_t i = 0; i < n; ++i) tracer_.dump(packets[i]);
        }
    }

    Tracer& tracer_;
    bool pipelined_ = true;
    std::size_t runs_ = 0;
    double probe_single_ = 0;  // ns per packet, summed over this epoch's probes
    double probe_pipelined_ = 0;
};

// AdaptiveTracing for tracers with trace_batch(); a placeholder for the rest.
struct NoAdaptiveTracing {
    template <typename Tracer>
    explicit NoAdaptiveTracing(Tracer&) {}
};
template <typename Tracer, typename PacketT>
using AdaptiveTracingFor = std::conditional_t<meta::traces_batches<Tracer, PacketT>::value,
                                              AdaptiveTracing<Tracer, PacketT>, NoAdaptiveTracing>;

// feed()'s packets on their way to the tracer. A tracer that writes no files
// gets them a batch at a time, through AdaptiveTracing; otherwise each goes
// to dump() at once. The caller flushes before anything that must see the
// packets traced: the end of input, an error, a wait for more input, a
// clock tick.
template <typename Tracer, typename PacketT>
class PacketBatcher {
public:
    static constexpr std::size_t capacity = 128;

    explicit PacketBatcher(Tracer& tracer) : tracer_(tracer) {
        if constexpr (meta::traces_batches<Tracer, PacketT>::value) batching_ = !meta::needs_frame_bytes(tracer);
    }

    /// True when packets are gathered: their frame bytes are not read, so the
    /// caller may let them point at a buffer that moves on.
    [[nodiscard]] bool batching() const noexcept { return batching_; }

    /// While batching: the batch's next packet, to fill in place, then commit().
    /// (A packet made elsewhere and copied in stalls on its 16-byte loads:
    /// store forwarding fails on the smaller stores that just made it.)
    [[nodiscard]] PacketT& slot() noexcept { return packets_[count_]; }
    void commit() {
        if (++count_ == capacity) flush();
    }

    void add(const PacketT& packet) {
        if (!batching_) {
            tracer_.dump(packet);
            return;
        }
        packets_[count_] = packet;
        if (++count_ == capacity) flush();
    }

    /// Traces what was gathered (each packet once, even if a callback throws).
    void flush() {
        if constexpr (meta::traces_batches<Tracer, PacketT>::value)
            adaptive_.trace(packets_.data(), std::exchange(count_, 0));
    }

private:
    Tracer& tracer_;
    AdaptiveTracingFor<Tracer, PacketT> adaptive_{tracer_};
    bool batching_ = false;
    std::size_t count_ = 0;
    std::array<PacketT, capacity> packets_{};
};

}  // namespace detail::ingest
TRACEFLOW_NAMESPACE_END
