// SPDX-License-Identifier: MIT
// feed_threaded: feed() on two threads, reading and decoding ahead of the tracer.
#pragma once

#include "../version.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "../detail/ingest/feed_control.hpp"
#include "../detail/ingest/frame_counting.hpp"
#include "../detail/ingest/packet_batcher.hpp"
#include "../detail/ingest/record_batch.hpp"
#include "../detail/ingest/spin_wait.hpp"
#include "capture_conversion.hpp"
#include "capture_packet.hpp"
#include "extract_stats.hpp"
#include "feed_options.hpp"
#include "fragment_joiner.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// feed() with the reading on a second thread, a few thousand records ahead
/// of the tracer (which stays on the calling thread, so the callbacks run
/// there). Records are decoded by whichever thread has time: the tracer, or
/// the reading thread while the tracer is behind. The result is identical
/// to feed(): the same packets in the same order, the same frame numbers and
/// counts; a damaged file throws FormatError after every record before the
/// damage was traced. An exception from the tracer stops the reading thread
/// and propagates. `options.stop` is checked per record on the reading
/// thread, and the tracer traces exactly the records read before it (as
/// feed() does). On a stream, what was read is handed to the tracer
/// whenever the input runs dry, so nothing waits for a batch to fill; the
/// live clock's ticks follow the packets read before them.
/// `options.progress` runs on the reading thread every 65536 records: it may
/// look at the reader, not at the tracer or `stats`. Uses 8 batches of 128
/// records, and reads into 4 buffers (of 256 KiB, or the source's capacity
/// if smaller) in turn, so that no frame is copied. A thread that must wait
/// for the other spins up to 50 us before it sleeps (detail::ingest::SpinWait).
/// Worth it when a second core is free.
template <typename Tracer>
FeedStatus feed_threaded(io::CaptureReader& reader, Tracer& tracer, ExtractStats& stats, const FeedOptions& options) {
    if constexpr (!detail::ingest::takes_capture_packets<Tracer>::value) {  // another packet type: converted
        return detail::ingest::with_capture_tracer(
            tracer, [&](auto& capture_tracer) { return feed_threaded(reader, capture_tracer, stats, options); });
    } else {
        // 8 batches of 128 records in flight, in 4 source buffers of 256 KiB
        // (1 MiB, as feed() reads into). 8 x 512 in 6 x 1 MiB was 5-15 % slower
        // (the kernel's copies into more memory miss the cache); 8 x 256 in 4 x
        // 512 KiB no faster, for 10 more bytes per flow at peak.
        constexpr std::size_t ring = 8;
        constexpr std::size_t batch_records = 128;
        constexpr std::size_t kept_buffers = 4;
        std::unique_ptr<detail::ingest::RecordBatch[]> batches(new detail::ingest::RecordBatch[ring]);
        for (std::size_t i = 0; i < ring; ++i) batches[i].reserve(batch_records);
        // What the threads share, and what only the reading thread writes, on
        // cache lines of their own (as are the batches): with them on lines the
        // tracing thread reads, reading for a tracer with nothing to do took 1.5x as long.
        struct alignas(64) Handoff {
            std::mutex mutex;
            std::condition_variable changed;
            std::atomic<std::size_t> produced{0};  // batches filled
            std::atomic<std::size_t> consumed{0};  // batches traced
        } handoff;
        // The tracer failed: reading ends at the next record (set under `mutex`,
        // so the waits see it; read without it per record, so on a line of its
        // own, not the one the lock moves between the cores at every batch).
        struct alignas(64) StopFlag {
            std::atomic<bool> stopping{false};
        } stop_flag;
        struct alignas(64) ReadSide {
            detail::ingest::LiveClock clock;
            std::size_t filling = 0;  // the batch the reading thread fills
        } read_side;
        std::mutex& mutex = handoff.mutex;
        std::condition_variable& changed = handoff.changed;
        std::atomic<std::size_t>& produced = handoff.produced;
        std::atomic<std::size_t>& consumed = handoff.consumed;
        const detail::ingest::SpinWait spin;
        std::atomic<bool>& stopping = stop_flag.stopping;
        detail::ingest::LiveClock& clock = read_side.clock;
        std::size_t& filling = read_side.filling;
        const std::uint64_t start_number = stats.frames;
        io::ByteSource& source = reader.source();
        const std::size_t kept_size = std::min(source.capacity(), std::size_t{256} << 10);
        const bool live = options.live_clock && source.is_stream();

        // Waits until `ready()`: spinning first, then asleep until a notify.
        auto wait_until = [&](auto&& ready) {
            if (spin.until(ready)) return;
            std::unique_lock<std::mutex> lock(mutex);
            changed.wait(lock, ready);
        };
        // Reading thread: waits until batch `filling` is free; false when the
        // tracer failed. While every batch is full, the tracer is the slower:
        // this thread decodes one of them meanwhile, the newest (the tracer's last).
        auto acquire = [&]() -> bool {
            for (;;) {
                detail::ingest::RecordBatch* help = nullptr;
                {
                    std::unique_lock<std::mutex> lock(mutex);
                    if (stopping.load()) return false;
                    if (filling - consumed < ring) {
                        batches[filling % ring].clear();
                        return true;
                    }
                    for (std::size_t m = filling; m-- > consumed + 1 && help == nullptr;)
                        if (batches[m % ring].decoder.load(std::memory_order_relaxed) ==
                            detail::ingest::RecordBatch::undecoded)
                            help = &batches[m % ring];
                    if (help == nullptr) {
                        lock.unlock();
                        wait_until([&] { return stopping.load() || filling - consumed < ring; });
                        continue;  // checked again under the lock
                    }
                }
                if (help != nullptr && help->claim()) help->decode(options.decode);
            }
        };
        auto publish = [&] {
            {
                std::lock_guard<std::mutex> lock(mutex);
                produced = ++filling;
            }
            changed.notify_all();
        };
        // A stream ran dry: hand over what was read; while it stays dry, the live clock's ticks.
        auto on_wait = [&](io::WaitEvent event) -> bool {
            if (detail::ingest::stop_requested(options) || stopping.load()) return false;
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
        // The source is about to read over buffer `generation`: hands over the
        // batch being filled if it has records there, and waits until every
        // batch that has is traced. Batches are in order, so the oldest untraced
        // one tells.
        auto release = [&](std::uint64_t generation) {
            if (!batches[filling % ring].empty() && batches[filling % ring].first_generation <= generation) {
                publish();
                if (!acquire()) throw io::ReadStopped();
            }
            const auto traced = [&] {
                const std::size_t oldest = consumed.load();
                return stopping.load() || oldest == produced.load() ||
                       batches[oldest % ring].first_generation > generation;
            };
            wait_until(traced);
            if (stopping.load()) throw io::ReadStopped();
        };

        auto read_ahead = [&] {
            // What each record looks at, copied to this thread's stack: `options`
            // may share a line with what the tracing thread writes.
            const std::atomic<bool>* const stop_token = options.stop;
            const std::uint64_t max_frames = options.max_frames;
            const bool reports_progress = static_cast<bool>(options.progress);
            std::uint64_t number = start_number;
            if (!acquire()) return;
            for (;;) {
                bool last = false;
                try {
                    for (;;) {
                        detail::ingest::RecordBatch& current = batches[filling % ring];
                        if (current.full() || stopping.load(std::memory_order_relaxed)) break;
                        if (stop_token != nullptr && stop_token->load(std::memory_order_relaxed)) {
                            current.stopped = last = true;
                            break;
                        }
                        io::Record* const slot = &current.records[current.count];
                        if (current.count + 8 < batch_records) detail::bits::prefetch(slot + 8, true);
                        if ((max_frames != 0 && number >= max_frames) || !reader.next(*slot)) {
                            last = true;
                            break;
                        }
                        // A hook in next() may have handed the batch over: the record goes on in the next one.
                        detail::ingest::RecordBatch& batch = batches[filling % ring];
                        io::Record& record = batch.records[batch.count];
                        if (&record != slot) record = *slot;
                        if (batch.count++ == 0) {
                            batch.first_number = number + 1;
                            batch.first_generation = source.generation();
                        }
                        ++number;
                        if (reports_progress && (number & 0xFFFF) == 0) options.progress(reader);
                        if (live) clock.saw(record.frame.timestamp);
                    }
                } catch (const io::ReadStopped&) {
                    if (stopping.load()) return;  // the tracer failed while a hook handed a batch over
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

        // The hooks refer to this call's locals: they are removed on the way out (after the join).
        struct Unhook {
            io::ByteSource& source;
            bool waits;
            ~Unhook() {
                if (waits) source.on_wait({});
                source.keep_buffers(0, {});
            }
        } unhook{source, source.is_stream()};
        if (unhook.waits) source.on_wait(on_wait, options.wake_interval);
        source.keep_buffers(kept_buffers, release, kept_size);

        std::thread reading(read_ahead);
        std::exception_ptr read_error;
        bool stopped = false;
        // No files to write: a batch's packets go through trace_batch() or
        // dump(), whichever is timed faster on this input (AdaptiveTracing);
        // otherwise each through dump() as soon as it is counted.
        detail::ingest::AdaptiveTracingFor<Tracer, CapturePacket> adaptive(tracer);
        FragmentJoiner joiner(options.decode);
        bool batched = false;
        if constexpr (detail::meta::traces_batches<Tracer, CapturePacket>::value)
            batched = !detail::meta::needs_frame_bytes(tracer);
        try {
            for (std::size_t n = 0;; ++n) {
                wait_until([&] { return produced > n; });
                detail::ingest::RecordBatch& batch = batches[n % ring];
                if (batch.claim()) {
                    batch.decode(options.decode);
                } else {
                    while (!batch.is_decoded()) std::this_thread::yield();  // the reading thread is on it
                }
                // Counted in order, each TCP frame just before it is traced (all of them first when batched).
                // Fragments join in order: a batch holding some goes packet by packet.
                const bool one_by_one = !batched || batch.fragments != 0;
                std::size_t next = 0;
                for (std::size_t i = 0; i < batch.count; ++i) {
                    const decode::Outcome outcome = batch.outcomes[i];
                    detail::ingest::count_frame(stats, batch.first_number + i, batch.records[i].frame.bytes.size,
                                                outcome);
                    if (batch.fragments != 0 && outcome == decode::Outcome::fragment)
                        joiner.add(batch.records[i], batch.first_number + i, stats,
                                   [&](const CapturePacket& p) { tracer.dump(p); });
                    if (outcome == decode::Outcome::tcp && one_by_one) {
                        // dump() copies the frame into its file's block: the next
                        // frame, read in by the other core, is fetched meanwhile.
                        if (next + 1 < batch.tcp) {
                            const ByteView following = batch.packets[next + 1].frame.bytes;
                            detail::bits::prefetch_range(following.data, following.size);
                        }
                        tracer.dump(batch.packets[next++]);
                    }
                }
                if constexpr (detail::meta::traces_batches<Tracer, CapturePacket>::value) {
                    if (!one_by_one) adaptive.trace(batch.packets.data(), batch.tcp);
                }
                if (batch.tick) detail::ingest::advance_clock(tracer, *batch.tick);
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
        joiner.finish(stats);
        if (read_error) std::rethrow_exception(read_error);
        return stopped ? FeedStatus::stopped : FeedStatus::complete;
    }
}

/// Same, with progress reported every 65536 records (on the reading thread).
template <typename Tracer>
FeedStatus feed_threaded(io::CaptureReader& reader, Tracer& tracer, ExtractStats& stats,
                         const std::function<void(const io::CaptureReader&)>& progress = {}) {
    return feed_threaded(reader, tracer, stats, detail::ingest::with_progress(progress));
}

/// Opens `path` ("-" for standard input) and feeds it as above.
template <typename Tracer>
FeedStatus feed_threaded(const std::string& path, Tracer& tracer, ExtractStats& stats, const FeedOptions& options) {
    return detail::ingest::feed_path(path, options, stats.frames, [&](io::CaptureReader& reader) {
        return feed_threaded(reader, tracer, stats, options);
    });
}

/// Opens `path` ("-" for standard input) and feeds it as above.
template <typename Tracer>
FeedStatus feed_threaded(const std::string& path, Tracer& tracer, ExtractStats& stats,
                         const std::function<void(const io::CaptureReader&)>& progress = {}) {
    io::CaptureReader reader(path);
    return feed_threaded(reader, tracer, stats, progress);
}

/// feed() of several inputs (see there: frame numbers, `options.on_error`), each read on two threads.
template <typename Tracer>
FeedStatus feed_threaded(const std::vector<std::string>& inputs, Tracer& tracer, ExtractStats& stats,
                         const FeedOptions& options) {
    return detail::ingest::feed_inputs(inputs, options, stats.failed_inputs, [&](const std::string& path) {
        return feed_threaded(path, tracer, stats, options);
    });
}

TRACEFLOW_NAMESPACE_END
