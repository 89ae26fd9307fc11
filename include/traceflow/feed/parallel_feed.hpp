// SPDX-License-Identifier: MIT
// feed_parallel(): a regular file read in byte ranges by several threads, traced in order: one pass's result.
#pragma once

#include "../version.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "../decode/decoder.hpp"
#include "../decode/outcome.hpp"
#include "../decode/tcp_segment.hpp"
#include "../detail/ingest/feed_control.hpp"
#include "../detail/meta/tracer_traits.hpp"
#include "../errors.hpp"
#include "../io/byte_source.hpp"
#include "../io/capture_reader.hpp"
#include "../io/range_reader.hpp"
#include "../parts/map_range.hpp"
#include "../parts/merge_parts.hpp"
#include "capture_conversion.hpp"
#include "extract_stats.hpp"
#include "feed.hpp"
#include "feed_options.hpp"
#include "fragment_joiner.hpp"
#include "threaded_feed.hpp"

TRACEFLOW_NAMESPACE_BEGIN

namespace detail::ingest {
// Whether a range holds enough fragments to join (more than 1 frame in 64)
// that reading the capture in ranges would cost more than it gains.
inline bool many_fragments(const Part& part, const decode::DecodeOptions& decode) noexcept {
    const std::uint64_t fragments = part.stats.outcomes[static_cast<std::size_t>(decode::Outcome::fragment)];
    return decode.join_fragments && fragments * 64 > part.stats.frames;
}

// Whether the first records of the capture at `path` hold many fragments to
// join (more than 1 in 64 of the first 4096): a quick look before ranges are read.
inline bool starts_with_many_fragments(const std::string& path, const decode::DecodeOptions& decode) {
    if (!decode.join_fragments) return false;
    try {
        io::CaptureReader reader(path);
        io::Record record;
        decode::TcpSegment seg;
        std::uint64_t frames = 0;
        std::uint64_t fragments = 0;
        while (frames < 4096 && reader.next(record)) {
            ++frames;
            const decode::Outcome outcome = decode::decode_tcp(record.linktype, record.frame.bytes, seg, decode);
            if (FragmentJoiner::takes(outcome, seg, decode)) ++fragments;
        }
        return fragments * 64 > frames;
    } catch (const Error&) {
        return false;  // the ranges' reading reports it
    }
}

// feed_parallel() of a file, for a tracer that takes CapturePacket.
template <typename Tracer>
FeedStatus feed_parallel_file(const std::string& path, Tracer& tracer, ExtractStats& stats, const FeedOptions& options,
                              unsigned threads, std::uint64_t range_bytes = 0) {
    // Asked of the name, not of an opened file: opening a FIFO to look would take its writer's first bytes.
    std::error_code ec;
    const bool seekable = path != "-" && std::filesystem::is_regular_file(path, ec);
    const std::uint64_t size = seekable ? std::filesystem::file_size(path, ec) : 0;
    // pcapng ranges find their first block by walking from the file's start
    // (io::RangeReader), which would read the file over again for every range.
    bool pcapng = false;
    if (seekable) {
        std::ifstream magic(path, std::ios::binary);
        unsigned char m[4] = {};
        pcapng =
            magic.read(reinterpret_cast<char*>(m), 4) && m[0] == 0x0A && m[1] == 0x0D && m[2] == 0x0D && m[3] == 0x0A;
    }
    if (!seekable || pcapng || threads < 2 || options.max_frames != 0) {
        if (threads >= 2) return feed_threaded(path, tracer, stats, options);
        return feed(path, tracer, stats, options);
    }
    // Ranges carry fragments whole, to be joined in file order: on a capture
    // full of them, one thread reading, joining and tracing is faster
    // (docs/benchmarks.md). The same result either way.
    if (starts_with_many_fragments(path, options.decode)) return feed(path, tracer, stats, options);
    // Ranges large enough that finding each one's first record (reading and
    // scanning one largest record before it) costs little; smaller when they
    // carry frames, which the ranges in flight hold in memory.
    const std::uint64_t largest_range =
        detail::meta::needs_frame_bytes(tracer) ? std::uint64_t{8} << 20 : std::uint64_t{32} << 20;
    const std::uint64_t chunk = range_bytes != 0 ? range_bytes
                                                 : std::clamp<std::uint64_t>(size / (std::uint64_t{threads} * 8),
                                                                             std::uint64_t{4} << 20, largest_range);
    const std::size_t chunks = static_cast<std::size_t>(std::max<std::uint64_t>(1, (size + chunk - 1) / chunk));
    const std::size_t window = 2 * std::size_t{threads};
    MapOptions map;
    map.decode = options.decode;
    map.carry_frames = detail::meta::needs_frame_bytes(tracer);
    map.read_tail = false;  // a range that does not start where the one before stopped is read again instead
    const auto range_of = [&](std::size_t c) {
        return io::ByteRange{c * chunk, std::min<std::uint64_t>(size, (c + 1) * chunk)};
    };
    // Each thread reads its ranges with one reader, moved from range to range
    // (its file and buffer kept); opening the first also checks the file header.
    struct Mapper {
        std::optional<io::RangeReader> reader;
    };
    const auto map_with = [&](Mapper& m, Part& part, io::ByteRange range, const MapOptions& how,
                              std::optional<std::uint64_t> known_start) {
        if (!m.reader) {
            m.reader.emplace(io::ByteSource(path), range, known_start);
        } else if (!m.reader->restart(range, known_start)) {
            throw Error(path + ": a byte range of this capture cannot be read again");
        }
        part.capture = path;
        part.capture_size = size;
        map_into(*m.reader, part, how);
    };
    Mapper mine;
    try {
        mine.reader.emplace(io::ByteSource(path), range_of(0));
    } catch (const FormatError&) {
        return feed(path, tracer, stats, options);  // a bad file header: reported as one pass reports it
    }
    std::atomic<bool> halt{false};  // the tracer failed or reading stopped: claim no more ranges
    struct Slot {
        std::optional<Part> part;
        std::exception_ptr error;
        bool done = false;
    };
    std::vector<Slot> slots(chunks);
    std::vector<Part> spare;  // parts fed to the tracer, their logs' memory kept for the next ranges
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t next_claim = 0;  // the next range to read
    std::size_t fed = 0;         // ranges fed to the tracer
    const auto stopping = [&] { return halt.load() || detail::ingest::stop_requested(options); };
    MapOptions worker_map = map;
    worker_map.stop = options.stop;
    // Reads range `c` (the lock not held) and hands it over.
    const auto read_range = [&](Mapper& m, std::size_t c) {
        Slot result;
        result.part.emplace();
        {
            std::lock_guard<std::mutex> lock(mutex);
            if (!spare.empty()) {
                *result.part = std::move(spare.back());
                spare.pop_back();
            }
        }
        try {
            map_with(m, *result.part, range_of(c), worker_map, std::nullopt);
        } catch (...) {
            result.error = std::current_exception();
        }
        result.done = true;
        {
            std::lock_guard<std::mutex> lock(mutex);
            slots[c] = std::move(result);
        }
        changed.notify_all();
    };
    // Claims the next range within the window, or nothing.
    const auto claim = [&]() -> std::optional<std::size_t> {
        if (next_claim >= chunks || next_claim >= fed + window || stopping()) return std::nullopt;
        return next_claim++;
    };
    const auto work = [&] {
        Mapper m;
        std::unique_lock<std::mutex> lock(mutex);
        for (;;) {
            changed.wait(lock, [&] { return stopping() || next_claim >= chunks || next_claim < fed + window; });
            const std::optional<std::size_t> c = claim();
            if (!c) {
                if (stopping() || next_claim >= chunks) return;
                continue;
            }
            lock.unlock();
            read_range(m, *c);
            lock.lock();
        }
    };
    std::vector<std::thread> workers;
    const auto finish = [&] {
        {
            std::lock_guard<std::mutex> lock(mutex);
            halt = true;
        }
        changed.notify_all();
        for (std::thread& t : workers) t.join();
        workers.clear();
    };
    FeedStatus status = FeedStatus::complete;
    FragmentJoiner joiner(options.decode);  // the ranges' fragments joined in file order, as one pass joins them
    try {
        for (unsigned t = 1; t < threads; ++t) workers.emplace_back(work);
        std::optional<std::uint64_t> prev_stop;
        std::uint64_t file_records = 0;
        for (std::size_t c = 0; c < chunks; ++c) {
            Slot slot;
            {
                std::unique_lock<std::mutex> lock(mutex);
                for (;;) {
                    if (slots[c].done) break;
                    // Read a range meanwhile (the one awaited, when no one has claimed it yet).
                    if (const std::optional<std::size_t> claimed = claim()) {
                        lock.unlock();
                        read_range(mine, *claimed);
                        lock.lock();
                        continue;
                    }
                    if (next_claim <= c) break;  // stopped before this range was claimed
                    changed.wait(lock, [&] { return slots[c].done; });
                }
                if (!slots[c].done) {
                    status = FeedStatus::stopped;
                    break;
                }
                slot = std::move(slots[c]);
                slots[c] = Slot{};
            }
            if (slot.error) std::rethrow_exception(slot.error);
            Part& part = *slot.part;
            if (c == 0 && many_fragments(part, options.decode)) {
                // As starts_with_many_fragments(), for a first range whose
                // fragments come after its first records. Nothing was traced yet.
                finish();
                return feed(path, tracer, stats, options);
            }
            if (prev_stop && (part.start != *prev_stop || part.unreachable) && !part.cut_short) {
                // Its first record was not where the range before stopped: read it from there.
                map_with(mine, part, range_of(c), map, *prev_stop);
            }
            const std::uint64_t base = stats.frames;
            detail::parts::add_counts(stats, part.stats);
            replay_part(part, tracer, base, joiner, stats);
            if (part.damage) {
                joiner.finish(stats);
                throw detail::parts::damage_error(part, *part.damage, file_records);
            }
            file_records += part.stats.frames;
            prev_stop = part.stop;
            const bool cut_short = part.cut_short;
            {
                std::lock_guard<std::mutex> lock(mutex);
                fed = c + 1;
                spare.push_back(std::move(part));
            }
            changed.notify_all();
            if (cut_short) {
                status = FeedStatus::stopped;
                break;
            }
        }
    } catch (...) {
        finish();
        throw;
    }
    finish();
    joiner.finish(stats);
    if (status == FeedStatus::complete && detail::ingest::stop_requested(options)) status = FeedStatus::stopped;
    return status;
}
}  // namespace detail::ingest

/// feed() of a regular file on `threads` threads (the calling one among
/// them): the file is cut into byte ranges that the threads read, decode and
/// pack (map_range()) each on its own, and the calling thread feeds them to
/// `tracer` in file order (replay_part()), helping to read while it would
/// wait. The tracer sees exactly what feed() gives it: the same packets in
/// the same order with the same frame numbers, so its flows, files and
/// callbacks are the same for any `threads`; a damaged file throws the same
/// FormatError after the records before the damage were traced. Each range's
/// first record is found by io::RangeReader; one that does not start where
/// the range before stopped is read again from there, so a wrong resync can
/// never change the result. At most 2 x `threads` ranges are held at once
/// (of `range_bytes`, by default 4 to 32 MiB, at most 8 MiB when the tracer
/// writes files and the ranges hold their frames); each thread reads them with one open file and
/// buffer, and their packets' memory is used again.
/// Streams, pcapng files (whose ranges are found by walking from the
/// start), `threads` below 2 and `options.max_frames` go to feed_threaded()
/// or feed(), as do captures whose first range is more than 1/64 IP
/// fragments to join (to feed(): ranges carry them whole, to be joined in
/// file order, which costs more than the second thread gains). `options.stop` ends reading: the tracer gets
/// the records read before it in file order, up to the first range cut short.
template <typename Tracer>
FeedStatus feed_parallel(const std::string& path, Tracer& tracer, ExtractStats& stats, const FeedOptions& options,
                         unsigned threads, std::uint64_t range_bytes = 0) {
    if constexpr (!detail::ingest::takes_capture_packets<Tracer>::value)  // another packet type: converted
        return detail::ingest::with_capture_tracer(tracer, [&](auto& capture_tracer) {
            return feed_parallel(path, capture_tracer, stats, options, threads, range_bytes);
        });
    else
        return detail::ingest::feed_parallel_file(path, tracer, stats, options, threads, range_bytes);
}

/// feed_parallel() of several inputs in order, frame numbers going on from
/// one to the next; errors as feed() of several inputs (`options.on_error`).
template <typename Tracer>
FeedStatus feed_parallel(const std::vector<std::string>& inputs, Tracer& tracer, ExtractStats& stats,
                         const FeedOptions& options, unsigned threads, std::uint64_t range_bytes = 0) {
    return detail::ingest::feed_inputs(inputs, options, stats.failed_inputs, [&](const std::string& path) {
        return feed_parallel(path, tracer, stats, options, threads, range_bytes);
    });
}

TRACEFLOW_NAMESPACE_END
