// SPDX-License-Identifier: MIT
// feed_threaded: feed() on two threads, reading and decoding ahead of the tracer.
#pragma once

#include "version.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "detail/feed_batch.hpp"
#include "extract.hpp"
#include "feed_options.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// feed() with the reading and decoding on a second thread, a few thousand
/// packets ahead of the tracer (which stays on the calling thread, so the
/// callbacks run there). The result is identical to feed(): the same packets
/// in the same order, the same frame numbers and counts; a damaged file
/// throws FormatError after every record before the damage was traced. An
/// exception from the tracer stops the reading thread and propagates.
/// `options.stop` is checked per record on the reading thread, and the
/// tracer traces exactly the records read before it (as feed() does). On a
/// stream, what was read is handed to the tracer whenever the input runs
/// dry, so nothing waits for a batch to fill; the live clock's ticks follow
/// the packets read before them. `options.progress` runs on the reading
/// thread every 65536 records: it may look at the reader, not at the tracer
/// or `stats`. Uses up to 8 batches of 512 packets (plus their frame bytes,
/// up to 2 MiB a batch, when the tracer writes files). Worth it when a
/// second core is free.
template <typename Tracer>
FeedStatus feed_threaded(io::CaptureReader& reader, Tracer& tracer, ExtractStats& stats,
                         const FeedOptions& options) {
    constexpr std::size_t ring = 8;
    constexpr std::size_t max_packets = 512;  // 8 x 512 decoded packets: ~0.6 MiB; 4 x 512 was 7 % slower
    constexpr std::size_t max_bytes = std::size_t{2} << 20;
    const bool copy_bytes = detail::needs_frame_bytes(tracer);
    std::vector<detail::FeedBatch> batches(ring);
    // What the threads share, and what only the reading thread writes, on
    // cache lines of their own (as are the batches): with them on lines the
    // tracing thread reads, reading for a tracer with nothing to do took 1.5x as long.
    struct alignas(64) Handoff {
        std::mutex mutex;
        std::condition_variable changed;
        std::size_t produced = 0;  // batches filled
        std::size_t consumed = 0;  // batches traced
        // The tracer failed: reading ends at the next record (set under `mutex`,
        // so the wait below sees it; read without it between records).
        std::atomic<bool> stopping{false};
    } handoff;
    struct alignas(64) ReadSide {
        detail::LiveClock clock;
        std::size_t filling = 0;  // the batch the reading thread fills
    } read_side;
    std::mutex& mutex = handoff.mutex;
    std::condition_variable& changed = handoff.changed;
    std::size_t& produced = handoff.produced;
    std::size_t& consumed = handoff.consumed;
    std::atomic<bool>& stopping = handoff.stopping;
    detail::LiveClock& clock = read_side.clock;
    std::size_t& filling = read_side.filling;
    const std::uint64_t first_number = stats.frames;
    io::ByteSource& source = reader.source();
    const bool live = options.live_clock && source.is_stream();

    // Reading thread: waits until batch `filling` is free; false when the tracer failed.
    auto acquire = [&]() -> bool {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return stopping.load() || filling - consumed < ring; });
        if (stopping.load()) return false;
        batches[filling % ring].clear();
        return true;
    };
    auto publish = [&] {
        detail::FeedBatch& batch = batches[filling % ring];
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
            produced = ++filling;
        }
        changed.notify_all();
    };
    // A stream ran dry: hand over what was read; while it stays dry, the live clock's ticks.
    auto on_wait = [&](io::WaitEvent event) -> bool {
        if (detail::stop_requested(options) || stopping.load()) return false;
        if (event == io::WaitEvent::starting) {
            clock.dry();
            if (batches[filling % ring].empty()) return true;
        } else {
            const std::optional<Timestamp> now = live ? clock.now() : std::nullopt;
            if (!now) return true;
            batches[filling % ring].tick = now;
        }
        publish();
        return acquire();
    };

    auto read_ahead = [&] {
        io::Record record;
        decode::TcpSegment seg;
        std::uint64_t number = first_number;
        if (!acquire()) return;
        for (;;) {
            bool last = false;
            try {
                for (;;) {
                    const detail::FeedBatch& full = batches[filling % ring];
                    if (full.packets.size() >= max_packets || full.bytes.size() >= max_bytes ||
                        stopping.load(std::memory_order_relaxed))
                        break;
                    if (detail::stop_requested(options)) {
                        batches[filling % ring].stopped = last = true;
                        break;
                    }
                    if (detail::frame_limit_reached(options, number) || !reader.next(record)) {
                        last = true;
                        break;
                    }
                    detail::FeedBatch& batch = batches[filling % ring];  // next() may have handed one over
                    ++number;
                    if (options.progress && (number & 0xFFFF) == 0) options.progress(reader);
                    if (live) clock.saw(record.frame.timestamp);
                    const decode::Outcome outcome =
                        decode::decode_tcp(record.linktype, record.frame.bytes, seg, options.decode);
                    if (outcome != decode::Outcome::tcp) {
                        batch.skipped.push_back({number, record.frame.bytes.size, outcome});
                        continue;
                    }
                    batch.sizes.push_back(record.frame.bytes.size);
                    if (copy_bytes)
                        batch.bytes.insert(batch.bytes.end(), record.frame.bytes.begin(), record.frame.bytes.end());
                    // Made in place: a copy of a packet just written field by field
                    // stalls on every 16-byte load (store forwarding fails).
                    CapturePacket& packet = batch.packets.emplace_back();
                    make_capture_packet(record, seg, number, packet);
                    packet.frame.bytes = ByteView();  // the reader's buffer moves on; publish() points to the copies
                }
            } catch (const io::ReadStopped&) {
                if (stopping.load()) return;  // the tracer failed while a wait handed a batch over
                batches[filling % ring].stopped = last = true;
            } catch (...) {
                batches[filling % ring].error = std::current_exception();
                last = true;
            }
            batches[filling % ring].last = last;
            publish();
            if (last || !acquire()) return;
        }
    };

    // The hook refers to this call's locals: it is removed on the way out (after the join).
    struct Unhook {
        io::ByteSource& source;
        bool installed;
        ~Unhook() {
            if (installed) source.on_wait({});
        }
    } unhook{source, source.is_stream()};
    if (unhook.installed) source.on_wait(on_wait, options.wake_interval);

    auto count_skipped = [&stats](const detail::FeedBatch::Skipped& s) {
        detail::count_frame(stats, s.number, s.size, s.outcome);
    };

    std::thread reading(read_ahead);
    std::exception_ptr read_error;
    bool stopped = false;
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
            if constexpr (detail::traces_batches<Tracer, CapturePacket>::value) batched = !copy_bytes;
            const std::size_t count = batch.packets.size();
            for (std::size_t i = 0; i < count; ++i) {
                const CapturePacket& packet = batch.packets[i];
                for (; s < batch.skipped.size() && batch.skipped[s].number < packet.index; ++s)
                    count_skipped(batch.skipped[s]);
                detail::count_frame(stats, packet.index, batch.sizes[i], decode::Outcome::tcp);
                if (!batched) tracer.dump(packet);
            }
            if constexpr (detail::traces_batches<Tracer, CapturePacket>::value) {
                if (batched) tracer.trace_batch(batch.packets.data(), batch.packets.size());
            }
            for (; s < batch.skipped.size(); ++s) count_skipped(batch.skipped[s]);
            if (batch.tick) detail::advance_clock(tracer, *batch.tick);
            const bool last = batch.last;
            stopped = batch.stopped;
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
    return stopped ? FeedStatus::stopped : FeedStatus::complete;
}

/// Same, with progress reported every 65536 records (on the reading thread).
template <typename Tracer>
void feed_threaded(io::CaptureReader& reader, Tracer& tracer, ExtractStats& stats,
                   const std::function<void(const io::CaptureReader&)>& progress = {}) {
    FeedOptions options;
    options.progress = progress;
    feed_threaded(reader, tracer, stats, options);
}

/// Opens `path` ("-" for standard input) and feeds it as above.
template <typename Tracer>
FeedStatus feed_threaded(const std::string& path, Tracer& tracer, ExtractStats& stats, const FeedOptions& options) {
    if (detail::frame_limit_reached(options, stats.frames)) return FeedStatus::complete;  // not even opened
    try {
        io::CaptureReader reader = detail::open_input(path, options);
        return feed_threaded(reader, tracer, stats, options);
    } catch (const io::ReadStopped&) {  // while reading the capture header
        return FeedStatus::stopped;
    }
}

/// Opens `path` ("-" for standard input) and feeds it as above.
template <typename Tracer>
void feed_threaded(const std::string& path, Tracer& tracer, ExtractStats& stats,
                   const std::function<void(const io::CaptureReader&)>& progress = {}) {
    io::CaptureReader reader(path);
    feed_threaded(reader, tracer, stats, progress);
}

/// feed() of several inputs (see there: frame numbers, `options.on_error`), each read on two threads.
template <typename Tracer>
FeedStatus feed_threaded(const std::vector<std::string>& inputs, Tracer& tracer, ExtractStats& stats,
                         const FeedOptions& options) {
    return detail::feed_inputs(inputs, options, stats.failed_inputs,
                               [&](const std::string& path) { return feed_threaded(path, tracer, stats, options); });
}

TRACEFLOW_NAMESPACE_END
