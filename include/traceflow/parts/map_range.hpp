// SPDX-License-Identifier: MIT
// map_range(): reads one byte range of a capture, decodes it and records its TCP packets in a Part.
#pragma once

#include "../version.hpp"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "../decode/decoder.hpp"
#include "../decode/outcome.hpp"
#include "../detail/ingest/frame_counting.hpp"
#include "../detail/parts/packet_log.hpp"
#include "../errors.hpp"
#include "../feed/capture_packet.hpp"
#include "../feed/fragment_joiner.hpp"
#include "../io/range_reader.hpp"
#include "part.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// How map_range() reads.
struct MapOptions {
    decode::DecodeOptions decode;             ///< as FeedOptions::decode (--decap)
    bool carry_frames = false;                ///< keep each TCP frame's bytes (to write per-flow files at merge)
    const std::atomic<bool>* stop = nullptr;  ///< when set and true, reading ends before the next record
    /// Also read the records the next range's resync looks at, to keep damage
    /// among them (Part::tail, for merge). feed_parallel() reads a range
    /// again from where the one before stopped instead, and needs none.
    bool read_tail = true;
};

namespace detail::parts {
// FormatError's own words, without the "PATH: record N at byte offset X: " it adds.
inline std::string damage_words(const FormatError& e) {
    const std::string prefix =
        e.path() + ": record " + std::to_string(e.record()) + " at byte offset " + std::to_string(e.offset()) + ": ";
    const std::string all = e.what();
    return all.compare(0, prefix.size(), prefix) == 0 ? all.substr(prefix.size()) : all;
}
}  // namespace detail::parts

/// Reads the range `reader` is on into `part`, whose capture fields the
/// caller set: its counts, packets, boundaries and damage are replaced;
/// the log's memory is kept for reuse (feed_parallel() maps range after range so).
inline void map_into(io::RangeReader& reader, Part& part, const MapOptions& options) {
    part.range = reader.range();
    part.stats = ExtractStats{};
    part.packets = 0;
    part.log.clear();
    part.damage.reset();
    part.tail.reset();
    part.cut_short = false;
    part.frames_carried = options.carry_frames;
    part.how = reader.how_started();
    part.unreachable = reader.unreachable();
    part.numbers_known = reader.numbers_known();
    part.records_before = reader.records_before();
    std::optional<detail::parts::PacketLogWriter> log_writer;
    log_writer.emplace(part.log, options.carry_frames);
    detail::parts::PacketLogWriter& log = *log_writer;
    // About 35 bytes a packet of some 600 bytes on average, frames as they are when carried.
    const std::uint64_t span = part.range.end - part.range.begin;
    log.reserve(static_cast<std::size_t>(options.carry_frames ? span + span / 8 : span / 16));
    io::Record record;
    decode::TcpSegment seg;
    CapturePacket packet;
    // One record read: counted as feed() counts it, packed when it is TCP.
    const auto take = [&](ExtractStats& stats, std::uint64_t& packets, detail::parts::PacketLogWriter& to,
                          std::uint64_t number) {
        const decode::Outcome outcome = decode::decode_tcp(record.linktype, record.frame.bytes, seg, options.decode);
        if (FragmentJoiner::takes(outcome, seg, options.decode)) {
            // Joined when the parts are replayed in order, as one pass joins them.
            detail::ingest::count_frame(stats, number, record.frame.bytes.size, decode::Outcome::fragment);
            to.add_fragment(record, number);
            return;
        }
        detail::ingest::count_frame(stats, number, record.frame.bytes.size, outcome);
        if (outcome != decode::Outcome::tcp) return;
        make_capture_packet(record, seg, number, packet);
        to.add(packet, number);
        ++packets;
    };
    std::uint64_t number = 0;
    try {
        for (;;) {
            if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) {
                part.cut_short = true;
                break;
            }
            if (!reader.next(record)) break;
            take(part.stats, part.packets, log, ++number);
        }
    } catch (const FormatError& e) {
        part.damage = PartDamage{e.record(), reader.numbers_known(), e.offset(), detail::parts::damage_words(e)};
    }
    log_writer.reset();  // the log cut to its size
    if (options.read_tail && !part.damage && !part.cut_short && !part.unreachable && reader.lookahead() != 0 &&
        part.range.end < part.capture_size) {
        // The records the next range's resync looked at: damage among them is kept, with what comes before it.
        const std::uint64_t horizon = part.range.end + reader.lookahead();
        PartTail tail;
        std::optional<detail::parts::PacketLogWriter> tail_writer;
        tail_writer.emplace(tail.log, options.carry_frames);
        detail::parts::PacketLogWriter& tail_log = *tail_writer;
        std::uint64_t n = 0;
        try {
            while (reader.next_beyond(record) && record.offset < horizon) take(tail.stats, tail.packets, tail_log, ++n);
        } catch (const FormatError& e) {
            tail_writer.reset();
            tail.damage = PartDamage{e.record(), reader.numbers_known(), e.offset(), detail::parts::damage_words(e)};
            part.tail = std::move(tail);
        }
    }
    part.records_before = reader.records_before();
    part.numbers_known = reader.numbers_known();
    part.start = part.stats.frames == 0 && part.damage ? part.damage->offset : reader.start();
    part.stop = part.damage ? part.damage->offset : reader.stop();
}

/// Reads `range` of the capture at `path` (a regular file) into a Part: its
/// frames counted as feed() counts them, its TCP packets packed in order.
/// Damage in the range ends the part there and is recorded in it (the part
/// stays valid); damage before the range leaves it empty and `unreachable`.
/// Throws IoError when the file cannot be opened or read, FormatError when
/// its file header is bad (as one pass would, for the part of the range
/// holding it; other parts are then empty and unreachable).
/// `known_start`, when given, is where the range's first record starts (a
/// pcap range after one just read): no resync is needed.
inline Part map_range(const std::string& path, io::ByteRange range, const MapOptions& options = {},
                      std::optional<std::uint64_t> known_start = std::nullopt) {
    Part part;
    part.capture = path;
    io::ByteSource source(path);
    if (!source.seekable())
        throw IoError(path, std::make_error_code(std::errc::invalid_seek), "a byte range needs a regular file");
    part.capture_size = source.size();
    part.capture_id = capture_fingerprint(source);
    (void)source.seek(0);
    part.range = range;
    if (part.range.end > part.capture_size) part.range.end = part.capture_size;
    if (part.range.begin > part.range.end) part.range.begin = part.range.end;
    part.frames_carried = options.carry_frames;
    std::optional<io::RangeReader> opened;
    try {
        opened.emplace(std::move(source), part.range, known_start);
    } catch (const FormatError& e) {
        // A bad file header: the part holding byte 0 reports it, as one pass does; the others hold nothing.
        part.start = part.stop = part.range.begin;
        if (part.range.begin == 0) {
            part.damage = PartDamage{e.record(), true, e.offset(), detail::parts::damage_words(e)};
        } else {
            part.unreachable = true;
        }
        return part;
    }
    map_into(*opened, part, options);
    return part;
}

TRACEFLOW_NAMESPACE_END
