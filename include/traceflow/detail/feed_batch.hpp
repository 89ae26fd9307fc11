// SPDX-License-Identifier: MIT
// FeedBatch: packets read ahead, handed from the reading thread to the tracing one, and the tracer traits it needs.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "../decode/outcome.hpp"
#include "../extract.hpp"
#include "../timestamp.hpp"

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
template <typename Tracer, typename = void>
struct traces_batches : std::false_type {};
template <typename Tracer>
struct traces_batches<Tracer, std::void_t<decltype(std::declval<Tracer&>().trace_batch(
                                  std::declval<const CapturePacket*>(), std::size_t{}))>> : std::true_type {};

// Packets read and decoded ahead, handed from the reading thread to the
// tracing one. Frames that are not TCP are kept as (number, outcome, size)
// so the tracing thread counts every frame in order, exactly as feed() does.
struct FeedBatch {
    struct Skipped {
        std::uint64_t number;
        std::uint64_t size;
        decode::Outcome outcome;
    };
    std::vector<CapturePacket> packets;
    std::vector<std::uint64_t> sizes;   // captured bytes of each packet
    std::vector<std::uint8_t> bytes;    // frame copies, when the tracer writes them
    std::vector<Skipped> skipped;
    std::exception_ptr error;           // the read error that ended the input
    std::optional<Timestamp> tick;      // live clock: advance to this after the packets
    bool stopped = false;               // the stop token ended the input
    bool last = false;

    void clear() {
        packets.clear();
        sizes.clear();
        bytes.clear();
        skipped.clear();
        error = nullptr;
        tick.reset();
        stopped = false;
        last = false;
    }
    [[nodiscard]] bool empty() const noexcept { return packets.empty() && skipped.empty(); }
};

}  // namespace detail
TRACEFLOW_NAMESPACE_END
