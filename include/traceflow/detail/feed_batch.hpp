// SPDX-License-Identifier: MIT
// FeedBatch: packets read ahead, handed from the reading thread to the tracing one, and the tracer traits it needs.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <vector>

#include "../decode/outcome.hpp"
#include "../extract.hpp"
#include "../timestamp.hpp"
#include "trace_batcher.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail {

// Packets read and decoded ahead, handed from the reading thread to the
// tracing one. Frames that are not TCP are kept as (number, outcome, size)
// so the tracing thread counts every frame in order, exactly as feed() does.
struct alignas(64) FeedBatch {  // own cache lines: the two threads write neighbouring batches
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
