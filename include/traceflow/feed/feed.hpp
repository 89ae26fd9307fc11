// SPDX-License-Identifier: MIT
// feed(): read captures, decode every frame, hand the TCP ones to a tracer, on one thread.
#pragma once

#include "../version.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "../decode/decoder.hpp"
#include "../decode/outcome.hpp"
#include "../detail/ingest/feed_control.hpp"
#include "../detail/ingest/frame_counting.hpp"
#include "../detail/ingest/packet_batcher.hpp"
#include "../io/capture_reader.hpp"
#include "capture_conversion.hpp"
#include "capture_packet.hpp"
#include "extract_stats.hpp"
#include "feed_options.hpp"
#include "fragment_joiner.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Reads every record of `reader`, counts each frame's outcome in `stats`,
/// and dumps each TCP frame into `tracer`. Frame numbers continue from
/// `stats.frames`, so several inputs can feed one tracer. A damaged file
/// throws FormatError after every record before the damage was traced and
/// written. `options.stop` ends reading between records (FeedStatus::stopped);
/// `options.live_clock` advances the tracer's clock while a stream is quiet.
/// `options.on_error` is for several inputs (below); here errors are thrown.
/// A tracer that writes no files gets the packets up to 128 at a time
/// (traced before any wait for input, error or return), through
/// trace_batch() or dump(), whichever is timed faster on this input; if a
/// callback throws, the rest of that batch is counted but not traced.
template <typename Tracer>
FeedStatus feed(io::CaptureReader& reader, Tracer& tracer, ExtractStats& stats, const FeedOptions& options) {
    if constexpr (!detail::ingest::takes_capture_packets<Tracer>::value) {  // another packet type: converted
        return detail::ingest::with_capture_tracer(
            tracer, [&](auto& capture_tracer) { return feed(reader, capture_tracer, stats, options); });
    } else {
        io::Record record;
        decode::TcpSegment seg;
        CapturePacket packet;
        detail::ingest::LiveClock clock;
        detail::ingest::PacketBatcher<Tracer, CapturePacket> batcher(tracer);
        FragmentJoiner joiner(options.decode);
        const auto joined = [&](const CapturePacket& p) { batcher.add(p); };
        io::ByteSource& source = reader.source();
        const bool live = options.live_clock && source.is_stream();
        // The hook refers to this call's locals: it is removed on the way out.
        struct Unhook {
            io::ByteSource& source;
            bool installed;
            ~Unhook() {
                if (installed) source.on_wait({});
            }
        } unhook{source, source.is_stream() && (live || options.stop != nullptr)};
        if (unhook.installed) {
            source.on_wait(
                [&](io::WaitEvent event) {
                    if (detail::ingest::stop_requested(options)) return false;
                    batcher.flush();  // what came before the wait is traced now, not when more comes
                    if (event == io::WaitEvent::starting)
                        clock.dry();
                    else if (live)
                        if (const auto now = clock.now()) detail::ingest::advance_clock(tracer, *now);
                    return true;
                },
                options.wake_interval);
        }
        try {
            while (!detail::ingest::stop_requested(options)) {
                if (detail::ingest::frame_limit_reached(options, stats.frames) || !reader.next(record)) {
                    batcher.flush();
                    joiner.finish(stats);
                    return FeedStatus::complete;
                }
                const std::uint64_t number = stats.frames + 1;
                decode::Outcome outcome = decode::decode_tcp(record.linktype, record.frame.bytes, seg, options.decode);
                const bool fragment = FragmentJoiner::takes(outcome, seg, options.decode);
                if (fragment) outcome = decode::Outcome::fragment;
                detail::ingest::count_frame(stats, number, record.frame.bytes.size, outcome);
                if (options.progress && (number & 0xFFFF) == 0) options.progress(reader);
                if (live) clock.saw(record.frame.timestamp);
                if (fragment) joiner.add(record, number, stats, joined);
                if (outcome != decode::Outcome::tcp) continue;
                if (batcher.batching()) {
                    CapturePacket& slot = batcher.slot();
                    make_capture_packet(record, seg, number, slot);
                    slot.frame.bytes = ByteView();  // not read; the reader's buffer moves on
                    batcher.commit();
                } else {
                    make_capture_packet(record, seg, number, packet);
                    batcher.add(packet);  // dump(): writes the frame only when the tracer writes files
                }
            }
        } catch (const io::ReadStopped&) {
        } catch (...) {
            batcher.flush();  // the records before the error are traced, then it propagates
            joiner.finish(stats);
            throw;
        }
        batcher.flush();
        joiner.finish(stats);
        return FeedStatus::stopped;
    }
}

/// Same, with progress reported every 65536 records.
template <typename Tracer>
FeedStatus feed(io::CaptureReader& reader, Tracer& tracer, ExtractStats& stats,
                const std::function<void(const io::CaptureReader&)>& progress = {}) {
    return feed(reader, tracer, stats, detail::ingest::with_progress(progress));
}

/// Opens `path` ("-" for standard input) and feeds it as above.
template <typename Tracer>
FeedStatus feed(const std::string& path, Tracer& tracer, ExtractStats& stats, const FeedOptions& options) {
    return detail::ingest::feed_path(path, options, stats.frames,
                                     [&](io::CaptureReader& reader) { return feed(reader, tracer, stats, options); });
}

/// Opens `path` ("-" for standard input) and feeds it as above.
template <typename Tracer>
FeedStatus feed(const std::string& path, Tracer& tracer, ExtractStats& stats,
                const std::function<void(const io::CaptureReader&)>& progress = {}) {
    io::CaptureReader reader(path);
    return feed(reader, tracer, stats, progress);
}

/// Feeds `inputs` in order into one tracer, frame numbers going on from one
/// input to the next (the first frame of an input is one more than the last
/// frame read before it, damaged inputs included). With `options.on_error`
/// set, an input that cannot be opened (IoError) or is damaged
/// (FormatError, after its records before the damage were traced) is
/// reported there, counted in `stats.failed_inputs`, and the next input is
/// read; without it the error is thrown.
template <typename Tracer>
FeedStatus feed(const std::vector<std::string>& inputs, Tracer& tracer, ExtractStats& stats,
                const FeedOptions& options) {
    return detail::ingest::feed_inputs(inputs, options, stats.failed_inputs,
                                       [&](const std::string& path) { return feed(path, tracer, stats, options); });
}

TRACEFLOW_NAMESPACE_END
