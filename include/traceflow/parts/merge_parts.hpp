// SPDX-License-Identifier: MIT
// check_parts() and replay_parts(): parts that tile their captures, fed to a tracer as one pass would.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "../detail/ingest/packet_batcher.hpp"
#include "../detail/parts/packet_log.hpp"
#include "../errors.hpp"
#include "../feed/capture_conversion.hpp"
#include "../feed/capture_packet.hpp"
#include "../feed/extract_stats.hpp"
#include "../feed/fragment_joiner.hpp"
#include "../io/record.hpp"
#include "part.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Parts that do not make one input: another capture or options, a missing,
/// repeated or misplaced range, a first record where the range before did not end.
class PartsError : public Error {
public:
    using Error::Error;
};

namespace detail::parts {
// check_parts(), or with `whole` false the same for a run of consecutive
// ranges of one capture that need not begin at its byte 0 nor reach its end.
inline void check_tiling(const std::vector<const Part*>& parts, const std::vector<std::string>& names, bool whole) {
    const auto name = [&](std::size_t i) { return i < names.size() ? names[i] : "part " + std::to_string(i + 1); };
    const auto fail = [&](std::size_t i, const std::string& what) { throw PartsError(name(i) + ": " + what); };
    if (parts.empty()) throw PartsError("no parts to merge");
    const Part& first = *parts[0];
    bool damaged = !whole && first.unreachable;  // a run that begins after damage: the part before reports it
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const Part& p = *parts[i];
        if (p.options != first.options)
            fail(i, "made with other options than " + name(0) + " (map every part with the same options)");
        if (p.frames_carried != first.frames_carried)
            fail(i, std::string(p.frames_carried ? "carries" : "does not carry") + " frames and " + name(0) +
                        (first.frames_carried ? " does" : " does not") + " (map every part with or without --files)");
        const bool starts_input = p.range.begin == 0;
        if (!whole && i != 0 && (starts_input || p.capture_id != parts[i - 1]->capture_id))
            fail(i, "is not the range after " + name(i - 1) + " in the same capture: a joined part holds one run of " +
                        "consecutive ranges of one capture");
        if (i == 0 && !starts_input) {
            if (whole)
                fail(i, "holds bytes " + std::to_string(p.range.begin) + ".. of " + p.capture +
                            ": the parts before it, from byte 0, are missing");
        } else if (!starts_input) {
            const Part& q = *parts[i - 1];
            if (q.capture_id != p.capture_id || q.capture_size != p.capture_size)
                fail(i, "is of another capture (" + p.capture + ") than " + name(i - 1) + " (" + q.capture +
                            "), and does not begin at byte 0: a range is missing or the parts are out of order");
            if (p.range.begin != q.range.end)
                fail(i, "holds bytes " + std::to_string(p.range.begin) + ".." + std::to_string(p.range.end) + " of " +
                            p.capture + " but " + name(i - 1) + " ends at byte " + std::to_string(q.range.end) +
                            (p.range.begin < q.range.end ? ": ranges overlap (a range repeated, or out of order)"
                                                         : ": a range is missing"));
            if (!damaged && q.tail && (p.unreachable || p.start != q.stop)) {
                damaged = true;  // the damage just past q's range ends the capture: q's tail holds what precedes it
            }
            if (!damaged) {
                if (p.unreachable) fail(i, "found damage before its range, which no part before it reports");
                if (p.start != q.stop)
                    fail(i, "starts at byte " + std::to_string(p.start) + " of " + p.capture + " but " + name(i - 1) +
                                " stopped at byte " + std::to_string(q.stop) +
                                ": the first record of its range was not found right; map it again");
            }
        } else {
            if (i != 0) {
                const Part& q = *parts[i - 1];
                if (q.range.end != q.capture_size)
                    fail(i - 1, "ends at byte " + std::to_string(q.range.end) + " of " + q.capture + " (of " +
                                    std::to_string(q.capture_size) + " bytes): the ranges after it are missing");
            }
            damaged = false;
            if (p.unreachable) fail(i, "begins at byte 0 but is marked unreachable: the part is inconsistent");
        }
        if (p.damage) damaged = true;
    }
    const Part& last = *parts.back();
    if (whole && last.range.end != last.capture_size)
        fail(parts.size() - 1, "ends at byte " + std::to_string(last.range.end) + " of " + last.capture + " (of " +
                                   std::to_string(last.capture_size) + " bytes): the ranges after it are missing");
}
}  // namespace detail::parts

/// Checks that `parts`, in input order, are the consecutive ranges of one or
/// more captures (a part whose range begins at 0 starts the next input, as a
/// capture named again in a plain run does), made with the same options, and
/// that each range's first record starts where the one before stopped (so no
/// resync found a wrong record). After damage, a capture's later parts are
/// only checked for their ranges. `names` (one per part) name them in the
/// message of the PartsError thrown.
inline void check_parts(const std::vector<const Part*>& parts, const std::vector<std::string>& names) {
    detail::parts::check_tiling(parts, names, true);
}

namespace detail::parts {
// Feeds a packet log into `tracer` through dump(), numbered from `base` + 1;
// its fragment records go through `joiner` (their counts in `stats`).
template <typename Tracer>
void replay_log(const std::vector<std::uint8_t>& bytes, bool carried, Tracer& tracer, std::uint64_t base,
                FragmentJoiner& joiner, ExtractStats& stats) {
    PacketLogReader log(bytes.data(), bytes.size(), carried);
    detail::ingest::PacketBatcher<Tracer, CapturePacket> batcher(tracer);
    const auto joined = [&](const CapturePacket& p) { batcher.add(p); };
    io::Record record;
    const auto join = [&](const CapturePacket& p) {
        record.frame = p.frame;
        record.linktype = p.protocol;
        record.interface_id = p.tcp.interface_id;
        joiner.add(record, p.index, stats, joined);
    };
    CapturePacket packet;
    if (batcher.batching()) {
        for (;;) {
            CapturePacket& slot = batcher.slot();
            if (!log.next(slot, base)) break;
            if (log.fragment()) {
                packet = slot;
                join(packet);
                continue;
            }
            batcher.commit();
        }
    } else {
        while (log.next(packet, base)) {
            if (log.fragment())
                join(packet);
            else
                batcher.add(packet);
        }
    }
    batcher.flush();
}

// Adds a part's frame counts to `stats` (frames, TCP frames, bytes, outcomes).
inline void add_counts(ExtractStats& stats, const ExtractStats& counts) noexcept {
    stats.frames += counts.frames;
    stats.tcp_frames += counts.tcp_frames;
    stats.bytes += counts.bytes;
    for (std::size_t o = 0; o < stats.outcomes.size(); ++o) stats.outcomes[o] += counts.outcomes[o];
}

// The FormatError one pass throws at a part's damage; `file_records`: the capture's records before the part.
inline FormatError damage_error(const Part& part, const PartDamage& d, std::uint64_t file_records) {
    return FormatError(part.capture, d.record_known ? d.record : file_records + d.record, d.offset, d.what);
}
}  // namespace detail::parts

/// Feeds one part's packets into `tracer` through dump(), numbered from
/// `base` + 1. Its IP fragments go through `joiner`, which the parts of one
/// capture share in order (a packet's fragments may lie in two parts); a
/// joined packet's frames move from `fragment` to its outcome in `stats`,
/// which must already hold the part's counts.
template <typename Tracer>
void replay_part(const Part& part, Tracer& tracer, std::uint64_t base, FragmentJoiner& joiner, ExtractStats& stats) {
    if constexpr (!detail::ingest::takes_capture_packets<Tracer>::value)  // another packet type: converted
        detail::ingest::with_capture_tracer(
            tracer, [&](auto& capture_tracer) { replay_part(part, capture_tracer, base, joiner, stats); });
    else
        detail::parts::replay_log(part.log, part.frames_carried, tracer, base, joiner, stats);
}

/// Feeds the TCP packets of `parts` (checked by check_parts()) into `tracer`
/// through dump() in input order, with the frame numbers one pass gives:
/// every frame of every earlier part counts, `stats.frames` on. Adds the
/// parts' counts to `stats`. A part's damage is reported to `on_error` as
/// the FormatError one pass throws there (and counted in
/// `stats.failed_inputs`); the capture's later parts are skipped, as one
/// pass reads on with the next input. Without `on_error` it is thrown.
/// IP fragments are joined as one pass joins them, with `decode` (the
/// options the parts were mapped with).
template <typename Tracer>
void replay_parts(const std::vector<const Part*>& parts, Tracer& tracer, ExtractStats& stats,
                  const std::function<void(const Error&)>& on_error = {}, const decode::DecodeOptions& decode = {}) {
    bool skipping = false;
    std::uint64_t file_records = 0;  // records of this capture before the part
    const auto damaged = [&](const Part& part, const PartDamage& d) {
        skipping = true;
        ++stats.failed_inputs;
        const FormatError error = detail::parts::damage_error(part, d, file_records);
        if (!on_error) throw error;
        on_error(error);
    };
    // One joiner a capture, as one pass has one a capture.
    std::optional<FragmentJoiner> joiner;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const Part* part = parts[i];
        if (part->range.begin == 0) {
            skipping = false;
            file_records = 0;
            if (joiner) joiner->finish(stats);
            joiner.emplace(decode);
        }
        if (skipping) continue;
        if (!joiner) joiner.emplace(decode);
        const std::uint64_t base = stats.frames;
        detail::parts::add_counts(stats, part->stats);
        replay_part(*part, tracer, base, *joiner, stats);
        if (part->damage) {
            joiner->finish(stats);
            damaged(*part, *part->damage);
            continue;
        }
        const Part* next = i + 1 < parts.size() ? parts[i + 1] : nullptr;
        if (part->tail && next != nullptr && next->range.begin != 0 &&
            (next->unreachable || next->start != part->stop)) {
            // The next range started past damage just after this one: the records before it, then the damage.
            const std::uint64_t tail_base = stats.frames;
            detail::parts::add_counts(stats, part->tail->stats);
            detail::parts::replay_log(part->tail->log, part->frames_carried, tracer, tail_base, *joiner, stats);
            joiner->finish(stats);
            damaged(*part, part->tail->damage);
            continue;
        }
        file_records += part->stats.frames;
    }
    if (joiner) joiner->finish(stats);
}

TRACEFLOW_NAMESPACE_END
