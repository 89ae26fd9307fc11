// SPDX-License-Identifier: MIT
// RecordBatch: records read ahead, handed from the reading thread to the tracing one, and their decoding.
#pragma once

#include "../../version.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <vector>

#include "../../decode/decode_options.hpp"
#include "../../decode/decoder.hpp"
#include "../../decode/outcome.hpp"
#include "../../feed/capture_packet.hpp"
#include "../../feed/fragment_joiner.hpp"
#include "../../io/record.hpp"
#include "../../timestamp.hpp"
#include "../bits/prefetch.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::ingest {

// Records read ahead by feed_threaded(). Their bytes stay in the capture
// source's buffers (ByteSource::keep_buffers()) until the batch is traced,
// so no frame is copied. Whichever thread has time decodes a batch: the
// tracing one when it reaches it, or the reading one while it waits for a
// free batch (the tracer is then the slower); `decoder` says who took it.
struct alignas(64) RecordBatch {  // own cache lines: the two threads write neighbouring batches
    enum : std::uint8_t { undecoded, decoding, decoded };

    // Sized once; the first `count` are this batch's. The reading thread
    // reads straight into records[count] (a record copied just after it was
    // written field by field stalls on its loads: store forwarding fails).
    std::vector<io::Record> records;
    std::size_t count = 0;
    std::uint64_t first_number = 0;      // frame number of records[0]; the rest follow on
    std::uint64_t first_generation = 0;  // source buffer generation of records[0]
    std::exception_ptr error;            // the read error that ended the input
    std::optional<Timestamp> tick;       // live clock: advance to this after the records
    bool stopped = false;                // the stop token ended the input
    bool last = false;

    // Decoded: each record's outcome, and the TCP ones as packets, in order.
    std::atomic<std::uint8_t> decoder{undecoded};
    std::vector<decode::Outcome> outcomes;
    std::vector<CapturePacket> packets;
    std::size_t tcp = 0;
    std::size_t fragments = 0;  // records to join (DecodeOptions::join_fragments), as Outcome::fragment

    void reserve(std::size_t capacity) {
        records.resize(capacity);
        outcomes.resize(capacity);
        packets.resize(capacity);
    }
    // Only between being traced and being filled again: no other thread looks at it.
    void clear() noexcept {
        count = 0;
        first_generation = std::numeric_limits<std::uint64_t>::max();  // holds up no buffer
        error = nullptr;
        tick.reset();
        stopped = false;
        last = false;
        decoder.store(undecoded, std::memory_order_relaxed);
        tcp = 0;
        fragments = 0;
    }
    [[nodiscard]] bool empty() const noexcept { return count == 0; }
    [[nodiscard]] bool full() const noexcept { return count == records.size(); }

    // Takes the decoding of this batch for the calling thread: false when the other has it.
    [[nodiscard]] bool claim() noexcept {
        std::uint8_t expected = undecoded;
        return decoder.compare_exchange_strong(expected, decoding, std::memory_order_acquire);
    }
    // Decodes every record (after claim()) and says so.
    void decode(const decode::DecodeOptions& options) noexcept {
        decode::TcpSegment seg;
        constexpr std::size_t ahead = 8;  // records between a bits::prefetch and its decode
        for (std::size_t i = 0; i < count && i < ahead; ++i) prefetch_headers(records[i]);
        std::size_t n = 0;
        for (std::size_t i = 0; i < count; ++i) {
            if (i + ahead < count) prefetch_headers(records[i + ahead]);
            const io::Record& record = records[i];
            outcomes[i] = decode::decode_tcp(record.linktype, record.frame.bytes, seg, options);
            if (FragmentJoiner::takes(outcomes[i], seg, options)) {
                outcomes[i] = decode::Outcome::fragment;  // for the tracing thread's FragmentJoiner, in order
                ++fragments;
            }
            if (outcomes[i] == decode::Outcome::tcp) make_capture_packet(record, seg, first_number + i, packets[n++]);
        }
        tcp = n;
        decoder.store(decoded, std::memory_order_release);
    }
    [[nodiscard]] bool is_decoded() const noexcept { return decoder.load(std::memory_order_acquire) == decoded; }

private:
    // Hints the CPU to load the first two cache lines of a record's frame,
    // where its headers are: records lie some 700 bytes apart in buffers
    // the other core read in, beyond the hardware prefetcher's reach.
    static void prefetch_headers(const io::Record& record) noexcept {
        bits::prefetch(record.frame.bytes.data);
        if (record.frame.bytes.size > 64) bits::prefetch(record.frame.bytes.data + 64);
    }
};

}  // namespace detail::ingest
TRACEFLOW_NAMESPACE_END
