// SPDX-License-Identifier: MIT
// TraceBatcher: what the feeds ask of a tracer (does it write files, does it
// trace batches), and the packets feed() gathers to trace a batch at a time.
#pragma once

#include "../version.hpp"

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail {

// Does the tracer say whether it needs frame bytes (TraceFlow::writes_files)?
template <typename Tracer, typename = void>
struct reports_writing : std::false_type {};
template <typename Tracer>
struct reports_writing<Tracer, std::void_t<decltype(std::declval<const Tracer&>().writes_files())>>
    : std::true_type {};

template <typename Tracer>
bool needs_frame_bytes(const Tracer& tracer) {
    if constexpr (reports_writing<Tracer>::value) return tracer.writes_files();
    else return true;  // unknown tracer: keep the bytes
}

// Does the tracer trace a batch of packets at once (TraceFlow::trace_batch)?
template <typename Tracer, typename PacketT, typename = void>
struct traces_batches : std::false_type {};
template <typename Tracer, typename PacketT>
struct traces_batches<Tracer, PacketT,
                      std::void_t<decltype(std::declval<Tracer&>().trace_batch(std::declval<const PacketT*>(),
                                                                                std::size_t{}))>> : std::true_type {};

// feed()'s packets on their way to the tracer. A tracer that writes no files
// gets them a batch at a time through trace_batch(), whose prefetching
// overlaps the flow lookups of many live flows (the result is the same as
// dump() one by one); otherwise each goes to dump() at once. The caller
// flushes before anything that must see the packets traced: the end of
// input, an error, a wait for more input, a clock tick.
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
            if (n != 0) tracer_.trace_batch(packets_.data(), n);
        }
    }

private:
    Tracer& tracer_;
    bool batching_ = false;
    std::size_t count_ = 0;
    std::array<PacketT, capacity> packets_{};
};

}  // namespace detail
TRACEFLOW_NAMESPACE_END
