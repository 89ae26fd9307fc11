// SPDX-License-Identifier: MIT
// join_parts(): consecutive parts of one capture made one, so that merges nest (a tree of merges).
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../detail/parts/packet_log.hpp"
#include "../feed/capture_packet.hpp"
#include "merge_parts.hpp"
#include "part.hpp"

TRACEFLOW_NAMESPACE_BEGIN

namespace detail::parts {
// Appends a log's packets to `to`, their numbers within the part raised by `before`.
inline void append_log(const std::vector<std::uint8_t>& log, bool carried, PacketLogWriter& to, std::uint64_t before) {
    PacketLogReader reader(log.data(), log.size(), carried);
    CapturePacket packet;
    while (reader.next(packet, before)) to.add(packet, packet.index);
}

// Damage counted from a part's first record, counted from the first record of a joined part `before` records earlier.
inline PartDamage rebased(PartDamage d, std::uint64_t before) {
    if (!d.record_known) d.record += before;
    return d;
}
}  // namespace detail::parts

/// The one part that consecutive `parts` of one capture make: its range from
/// the first's beginning to the last's end, their packets, counts and damage
/// as replay_parts() would take them (after damage, or damage just past a
/// range that the next one's first record skipped, the rest adds nothing).
/// Merging it with the parts around it gives what merging its parts there
/// gives, so merges nest: ranges joined on each machine, the joined parts
/// merged on one. Throws PartsError (naming them by `names`) when the parts
/// are not one run of consecutive ranges of one capture made alike.
inline Part join_parts(const std::vector<const Part*>& parts, const std::vector<std::string>& names) {
    detail::parts::check_tiling(parts, names, false);
    const Part& first = *parts.front();
    Part joined;
    joined.capture = first.capture;
    joined.capture_size = first.capture_size;
    joined.capture_id = first.capture_id;
    joined.range = {first.range.begin, parts.back()->range.end};
    joined.start = first.start;
    joined.stop = parts.back()->stop;
    joined.how = first.how;
    joined.numbers_known = first.numbers_known;
    joined.records_before = first.records_before;
    joined.unreachable = first.unreachable;
    joined.frames_carried = first.frames_carried;
    joined.options = first.options;
    std::optional<detail::parts::PacketLogWriter> writer;
    writer.emplace(joined.log, joined.frames_carried);
    std::uint64_t before = 0;  // frames of the joined part before the one added
    const auto add = [&](const std::vector<std::uint8_t>& log, const ExtractStats& stats, std::uint64_t packets) {
        detail::parts::append_log(log, joined.frames_carried, *writer, before);
        detail::parts::add_counts(joined.stats, stats);
        joined.packets += packets;
        before += stats.frames;
    };
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const Part& part = *parts[i];
        if (joined.unreachable) break;  // nothing of it is read by one pass
        const std::uint64_t part_first = before;
        add(part.log, part.stats, part.packets);
        if (part.damage) {
            joined.damage = detail::parts::rebased(*part.damage, part_first);
            joined.stop = part.stop;
            break;
        }
        const Part* next = i + 1 < parts.size() ? parts[i + 1] : nullptr;
        if (part.tail && next != nullptr && (next->unreachable || next->start != part.stop)) {
            // The next range started past damage just after this one: the records before it, then the damage.
            add(part.tail->log, part.tail->stats, part.tail->packets);
            joined.damage = detail::parts::rebased(part.tail->damage, part_first);
            joined.stop = part.tail->damage.offset;
            break;
        }
        if (next == nullptr && part.tail) {
            joined.tail = *part.tail;
            joined.tail->damage = detail::parts::rebased(part.tail->damage, part_first);
        }
    }
    writer.reset();  // the log cut to its size
    return joined;
}

TRACEFLOW_NAMESPACE_END
