// SPDX-License-Identifier: MIT
// TraceBatcher: the packets feed() gathers to trace a batch at a time.
#pragma once

#include "../version.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <utility>

#include "tracer_traits.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail {

// feed()'s packets on their way to the tracer. A tracer that writes no files
// gets them a batch at a time; otherwise each goes to dump() at once. A batch
// goes through trace_batch(), whose prefetching overlaps the flow lookups
// when packets jump between many flows (shuffled input: 1.7x faster), or
// through dump() one by one, which is cheaper when they keep to flows
// already in cache (time-sorted input: trace_batch() 15 % slower). Which is
// faster depends on the capture, so the batcher times both on a few batches
// every `epoch` batches and keeps the faster; the result is the same either
// way. The caller flushes before anything that must see the packets traced:
// the end of input, an error, a wait for more input, a clock tick.
template <typename Tracer, typename PacketT>
class TraceBatcher {
public:
    static constexpr std::size_t capacity = 128;

    explicit TraceBatcher(Tracer& tracer) : tracer_(tracer) {
        if constexpr (traces_batches<Tracer, PacketT>::value) batching_ = !needs_frame_bytes(tracer);
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
        if constexpr (traces_batches<Tracer, PacketT>::value) {
            const std::size_t n = std::exchange(count_, 0);
            if (n == 0) return;
            const std::size_t phase = batches_++ % epoch;
            if (phase >= 2 * probes) {
                trace(n, pipelined_);
                return;
            }
            // Probing: even batches one way, odd ones the other, timed per packet.
            const bool pipelined = phase % 2 == 1;
            const auto start = std::chrono::steady_clock::now();
            trace(n, pipelined);
            const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
            (pipelined ? probe_pipelined_ : probe_single_) += took.count() / static_cast<double>(n);
            if (phase == 2 * probes - 1) {
                pipelined_ = probe_pipelined_ < probe_single_;
                probe_pipelined_ = probe_single_ = 0;
            }
        }
    }

private:
    static constexpr std::size_t epoch = 64;  // batches between two choices
    static constexpr std::size_t probes = 3;  // timed batches each way per choice

    void trace(std::size_t n, bool pipelined) {
        if (pipelined) {
            tracer_.trace_batch(packets_.data(), n);
        } else {
            for (std::size_t i = 0; i < n; ++i) tracer_.dump(packets_[i]);
        }
    }

    Tracer& tracer_;
    bool batching_ = false;
    bool pipelined_ = true;
    std::size_t count_ = 0;
    std::size_t batches_ = 0;
    double probe_single_ = 0;     // ns per packet, summed over this epoch's probes
    double probe_pipelined_ = 0;
    std::array<PacketT, capacity> packets_{};
};

}  // namespace detail
TRACEFLOW_NAMESPACE_END
