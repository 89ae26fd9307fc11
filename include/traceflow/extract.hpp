// SPDX-License-Identifier: MIT
// extract: read capture files, decode every frame, trace the TCP ones
// (pcapkit's `extract(fin=..., tcp=True, trace=True)`).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "decode/decode_options.hpp"
#include "decode/decoder.hpp"
#include "decode/outcome.hpp"
#include "io/capture_reader.hpp"
#include "packet.hpp"
#include "trace_flow.hpp"

namespace traceflow {

/// The packet type capture readers produce: the frame is a view into the
/// reader's buffer, so nothing is copied or allocated per packet.
using CapturePacket = Packet<FrameView>;

/// Counts of what happened to every frame read.
struct ExtractStats {
    std::uint64_t frames = 0;       ///< records read, all inputs together (the last frame number)
    std::uint64_t tcp_frames = 0;   ///< frames traced
    std::uint64_t bytes = 0;        ///< captured bytes of all frames
    std::array<std::uint64_t, decode::outcome_count> outcomes{};  ///< frames per decode::Outcome

    /// Frames not traced, all reasons together.
    [[nodiscard]] std::uint64_t skipped() const noexcept { return frames - tcp_frames; }
    /// Frames with this outcome.
    [[nodiscard]] std::uint64_t count(decode::Outcome o) const noexcept {
        return outcomes[static_cast<std::size_t>(o)];
    }
};

namespace detail {

/// Counts frame `number` (the highest so far) of `size` captured bytes with its outcome.
inline void count_frame(ExtractStats& stats, std::uint64_t number, std::uint64_t size,
                        decode::Outcome outcome) noexcept {
    stats.frames = number;
    stats.bytes += size;
    ++stats.outcomes[static_cast<std::size_t>(outcome)];
    if (outcome == decode::Outcome::tcp) ++stats.tcp_frames;
}

}  // namespace detail

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
/// and dumps each TCP frame into `tracer`. Frame numbers continue from `stats.frames`, so several inputs can
/// feed one tracer. A damaged file throws FormatError after every record
/// before the damage was traced and written. `decode` is passed to
/// decode_tcp(); with `max_frames` nonzero, reading stops once
/// `stats.frames` reaches it (all inputs together).
template <typename Tracer>
void feed(io::CaptureReader& reader, Tracer& tracer, ExtractStats& stats,
          const std::function<void(const io::CaptureReader&)>& progress = {},
          const decode::DecodeOptions& decode = {}, std::uint64_t max_frames = 0) {
    io::Record record;
    decode::TcpSegment seg;
    CapturePacket packet;
    while ((max_frames == 0 || stats.frames < max_frames) && reader.next(record)) {
        const std::uint64_t number = stats.frames + 1;
        const decode::Outcome outcome = decode::decode_tcp(record.linktype, record.frame.bytes, seg, decode);
        detail::count_frame(stats, number, record.frame.bytes.size, outcome);
        if (progress && (number & 0xFFFF) == 0) progress(reader);
        if (outcome != decode::Outcome::tcp) continue;
        make_capture_packet(record, seg, number, packet);
        tracer.dump(packet);  // writes the frame only when the tracer writes files
    }
}

/// Opens `path` ("-" for standard input) and feeds it as above.
template <typename Tracer>
void feed(const std::string& path, Tracer& tracer, ExtractStats& stats,
          const std::function<void(const io::CaptureReader&)>& progress = {},
          const decode::DecodeOptions& decode = {}, std::uint64_t max_frames = 0) {
    io::CaptureReader reader(path);
    feed(reader, tracer, stats, progress, decode, max_frames);
}

/// The result of extract(): every flow and the frame counts.
struct ExtractResult {
    std::vector<Index> index;
    ExtractStats stats;
};

/// Traces every TCP frame of `inputs`, in order, into one tracer and returns
/// its index (in the `tcp` lifecycle every flow is ended first, so each
/// carries its end reason). Throws FormatError / IoError (use feed() to keep the flows
/// traced before an error).
inline ExtractResult extract(const std::vector<std::string>& inputs, TraceFlowOptions options = {}) {
    ExtractResult result;
    TraceFlow<CapturePacket> tracer(std::move(options));
    for (const std::string& path : inputs) feed(path, tracer, result.stats);
    if (tracer.options().lifecycle == Lifecycle::tcp) tracer.end_of_input();
    tracer.finish();
    result.index = tracer.index();
    return result;
}

}  // namespace traceflow
