// SPDX-License-Identifier: MIT
// feed_threaded: feed() on two threads, reading and decoding ahead of the tracer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "extract.hpp"

namespace traceflow {

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
    bool last = false;

    void clear() {
        packets.clear();
        sizes.clear();
        bytes.clear();
        skipped.clear();
        error = nullptr;
        last = false;
    }
};

}  // namespace detail

/// feed() with the reading and decoding on a second thread, a few thousand
/// packets ahead of the tracer (which stays on the calling thread, so the
/// callbacks run there). The result is identical to feed(): the same packets
/// in the same order, the same frame numbers and counts; a damaged file
/// throws FormatError after every record before the damage was traced. An
/// exception from the tracer stops the reading thread and propagates.
/// `progress` runs on the reading thread every 65536 records: it may look at
/// the reader, not at the tracer or `stats`. Uses up to 8 batches of 4096
/// packets (plus their frame bytes, up to 2 MiB a batch, when the tracer
/// writes files). Worth it when a second core is free.
template <typename Tracer>
void feed_threaded(io::CaptureReader& reader, Tracer& tracer, ExtractStats& stats,
                   const std::function<void(const io::CaptureReader&)>& progress = {}) {
    constexpr std::size_t ring = 8;
    constexpr std::size_t max_packets = 4096;
    constexpr std::size_t max_bytes = std::size_t{2} << 20;
    const bool copy_bytes = detail::needs_frame_bytes(tracer);
    std::vector<detail::FeedBatch> batches(ring);
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t produced = 0;  // batches filled
    std::size_t consumed = 0;  // batches traced
    // The tracer failed: reading ends at the next record (set under `mutex`,
    // so the wait below sees it; read without it between records).
    std::atomic<bool> stopping{false};
    const std::uint64_t first_number = stats.frames;

    auto read_ahead = [&] {
        io::Record record;
        decode::TcpSegment seg;
        CapturePacket packet;
        std::uint64_t number = first_number;
        for (std::size_t n = 0;; ++n) {
            {
                std::unique_lock<std::mutex> lock(mutex);
                changed.wait(lock, [&] { return stopping.load() || n - consumed < ring; });
                if (stopping.load()) return;
            }
            detail::FeedBatch& batch = batches[n % ring];
            batch.clear();
            try {
                bool more = true;
                while (batch.packets.size() < max_packets && batch.bytes.size() < max_bytes &&
                       !stopping.load(std::memory_order_relaxed) && (more = reader.next(record))) {
                    ++number;
                    if (progress && (number & 0xFFFF) == 0) progress(reader);
                    const decode::Outcome outcome = decode::decode_tcp(record.linktype, record.frame.bytes, seg);
                    if (outcome != decode::Outcome::tcp) {
                        batch.skipped.push_back({number, record.frame.bytes.size, outcome});
                        continue;
                    }
                    make_capture_packet(record, seg, number, packet);
                    batch.sizes.push_back(record.frame.bytes.size);
                    if (copy_bytes)
                        batch.bytes.insert(batch.bytes.end(), record.frame.bytes.begin(), record.frame.bytes.end());
                    packet.frame.bytes = ByteView();  // the reader's buffer moves on; copies are pointed to below
                    batch.packets.push_back(packet);
                }
                batch.last = !more;
            } catch (...) {
                batch.error = std::current_exception();
                batch.last = true;
            }
            if (copy_bytes) {  // the copies lie in packet order, now that `bytes` no longer moves
                std::size_t offset = 0;
                for (std::size_t i = 0; i < batch.packets.size(); ++i) {
                    const auto size = static_cast<std::size_t>(batch.sizes[i]);
                    batch.packets[i].frame.bytes = ByteView(batch.bytes.data() + offset, size);
                    offset += size;
                }
            }
            {
                std::lock_guard<std::mutex> lock(mutex);
                produced = n + 1;
            }
            changed.notify_all();
            if (batch.last) return;
        }
    };

    auto count_skipped = [&stats](const detail::FeedBatch::Skipped& s) {
        detail::count_frame(stats, s.number, s.size, s.outcome);
    };

    std::thread reading(read_ahead);
    std::exception_ptr read_error;
    try {
        for (std::size_t n = 0;; ++n) {
            {
                std::unique_lock<std::mutex> lock(mutex);
                changed.wait(lock, [&] { return produced > n; });
            }
            const detail::FeedBatch& batch = batches[n % ring];
            std::size_t s = 0;
            // No files to write: the whole batch through trace_batch(), whose
            // prefetching overlaps the flow lookups (counted first, in order).
            bool batched = false;
            if constexpr (detail::traces_batches<Tracer>::value) batched = !copy_bytes;
            for (std::size_t i = 0; i < batch.packets.size(); ++i) {
                const CapturePacket& packet = batch.packets[i];
                for (; s < batch.skipped.size() && batch.skipped[s].number < packet.index; ++s)
                    count_skipped(batch.skipped[s]);
                detail::count_frame(stats, packet.index, batch.sizes[i], decode::Outcome::tcp);
                if (!batched) tracer.dump(packet);
            }
            if constexpr (detail::traces_batches<Tracer>::value) {
                if (batched) tracer.trace_batch(batch.packets.data(), batch.packets.size());
            }
            for (; s < batch.skipped.size(); ++s) count_skipped(batch.skipped[s]);
            const bool last = batch.last;
            read_error = batch.error;
            {
                std::lock_guard<std::mutex> lock(mutex);
                consumed = n + 1;
            }
            changed.notify_all();
            if (last) break;
        }
    } catch (...) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stopping.store(true);
        }
        changed.notify_all();
        reading.join();
        throw;
    }
    reading.join();
    if (read_error) std::rethrow_exception(read_error);
}

/// Opens `path` ("-" for standard input) and feeds it as above.
template <typename Tracer>
void feed_threaded(const std::string& path, Tracer& tracer, ExtractStats& stats,
                   const std::function<void(const io::CaptureReader&)>& progress = {}) {
    io::CaptureReader reader(path);
    feed_threaded(reader, tracer, stats, progress);
}

}  // namespace traceflow
