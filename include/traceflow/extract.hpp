// SPDX-License-Identifier: MIT
// extract: read capture files, decode every frame, trace the TCP ones
// (pcapkit's `extract(fin=..., tcp=True, trace=True)`).
#pragma once

#include "version.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "detail/frame_counting.hpp"
#include "detail/trace_batcher.hpp"
#include "decode/decoder.hpp"
#include "decode/outcome.hpp"
#include "extract_stats.hpp"
#include "feed_options.hpp"
#include "io/capture_reader.hpp"
#include "packet.hpp"
#include "trace_flow.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// The packet type capture readers produce: the frame is a view into the
/// reader's buffer, so nothing is copied or allocated per packet.
using CapturePacket = Packet<FrameView>;

/// Fills `packet` from a decoded segment (pcapkit's Packet fields plus TCP details).
inline void make_capture_packet(const io::Record& record, const decode::TcpSegment& seg, std::uint64_t frame_number,
                                CapturePacket& packet) noexcept {
    packet.protocol = record.linktype;
    packet.index = frame_number;
    packet.frame = record.frame;
    packet.syn = seg.syn();
    packet.fin = seg.fin();
    packet.src = seg.src;
    packet.dst = seg.dst;
    packet.srcport = seg.srcport;
    packet.dstport = seg.dstport;
    packet.timestamp = record.frame.timestamp;
    packet.tcp.rst = seg.rst();
    packet.tcp.ack = seg.ack_flag();
    packet.tcp.flags = seg.flags;
    packet.tcp.seq = seg.seq;
    packet.tcp.ack_number = seg.ack;
    packet.tcp.payload_size = seg.payload_size;
    packet.tcp.vlan = seg.vlan_outer;
    packet.tcp.interface_id = record.interface_id;
}

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
    io::Record record;
    decode::TcpSegment seg;
    CapturePacket packet;
    detail::LiveClock clock;
    detail::TraceBatcher<Tracer, CapturePacket> batcher(tracer);
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
                if (detail::stop_requested(options)) return false;
                batcher.flush();  // what came before the wait is traced now, not when more comes
                if (event == io::WaitEvent::starting) clock.dry();
                else if (live)
                    if (const auto now = clock.now()) detail::advance_clock(tracer, *now);
                return true;
            },
            options.wake_interval);
    }
    try {
        while (!detail::stop_requested(options)) {
            if (detail::frame_limit_reached(options, stats.frames) || !reader.next(record)) {
                batcher.flush();
                return FeedStatus::complete;
            }
            const std::uint64_t number = stats.frames + 1;
            const decode::Outcome outcome =
                decode::decode_tcp(record.linktype, record.frame.bytes, seg, options.decode);
            detail::count_frame(stats, number, record.frame.bytes.size, outcome);
            if (options.progress && (number & 0xFFFF) == 0) options.progress(reader);
            if (live) clock.saw(record.frame.timestamp);
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
        throw;
    }
    batcher.flush();
    return FeedStatus::stopped;
}

/// Same, with progress reported every 65536 records.
template <typename Tracer>
void feed(io::CaptureReader& reader, Tracer& tracer, ExtractStats& stats,
          const std::function<void(const io::CaptureReader&)>& progress = {}) {
    FeedOptions options;
    options.progress = progress;
    feed(reader, tracer, stats, options);
}

/// Opens `path` ("-" for standard input) and feeds it as above.
template <typename Tracer>
FeedStatus feed(const std::string& path, Tracer& tracer, ExtractStats& stats, const FeedOptions& options) {
    if (detail::frame_limit_reached(options, stats.frames)) return FeedStatus::complete;  // not even opened
    try {
        io::CaptureReader reader = detail::open_input(path, options);
        return feed(reader, tracer, stats, options);
    } catch (const io::ReadStopped&) {  // while reading the capture header
        return FeedStatus::stopped;
    }
}

/// Opens `path` ("-" for standard input) and feeds it as above.
template <typename Tracer>
void feed(const std::string& path, Tracer& tracer, ExtractStats& stats,
          const std::function<void(const io::CaptureReader&)>& progress = {}) {
    io::CaptureReader reader(path);
    feed(reader, tracer, stats, progress);
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
    return detail::feed_inputs(inputs, options, stats.failed_inputs,
                               [&](const std::string& path) { return feed(path, tracer, stats, options); });
}

/// The result of extract(): every flow and the frame counts.
struct ExtractResult {
    std::vector<Index> index;
    ExtractStats stats;
    FeedStatus status = FeedStatus::complete;  ///< stopped when FeedOptions::stop ended reading
};

/// Traces every TCP frame of `inputs`, in order, into one tracer and returns
/// its index (in the `tcp` lifecycle every flow is ended first, so each
/// carries its end reason). Throws FormatError / IoError unless
/// `feed_options.on_error` takes them (use feed() to keep the flows traced
/// before a thrown error).
inline ExtractResult extract(const std::vector<std::string>& inputs, TraceFlowOptions options,
                             const FeedOptions& feed_options) {
    ExtractResult result;
    TraceFlow<CapturePacket> tracer(std::move(options));
    result.status = feed(inputs, tracer, result.stats, feed_options);
    if (tracer.options().lifecycle == Lifecycle::tcp) tracer.end_of_input();
    tracer.finish();
    result.index = tracer.index();
    return result;
}

/// Same, throwing at the first error.
inline ExtractResult extract(const std::vector<std::string>& inputs, TraceFlowOptions options = {}) {
    return extract(inputs, std::move(options), FeedOptions{});
}

TRACEFLOW_NAMESPACE_END
