// SPDX-License-Identifier: MIT
// Part: what tracing one byte range of one capture needs, recorded so that parts merge into one run.
#pragma once

#include "../version.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../detail/bits/checksum.hpp"
#include "../feed/extract_stats.hpp"
#include "../io/byte_source.hpp"
#include "../io/range_reader.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Damage met in a part's range: as FormatError tells it, the record number
/// counted from the file's start when `record_known`, else from the part's first record.
struct PartDamage {
    std::uint64_t record = 0;  ///< record (pcapng: block) number
    bool record_known = true;  ///< false: counted from the part's first record (a resynced pcap range)
    std::uint64_t offset = 0;  ///< byte offset of the damaged record or block
    std::string what;          ///< the reader's words, after FormatError's "PATH: record N at byte offset X: "
};

/// Damage just past a part's range, and the records between its range's end
/// and the damage: the next range's resync may have passed over them (a chain
/// of headers that dies at damage is not taken), so merge uses these when
/// the next part does not start where this one stopped.
struct PartTail {
    ExtractStats stats;             ///< the tail's frames
    std::uint64_t packets = 0;      ///< TCP packets in `log`
    std::vector<std::uint8_t> log;  ///< the packets, numbered from 1 after the part's last frame
    PartDamage damage;              ///< the damage that ends it
};

/// The partial result of one byte range of one capture: its frame counts and
/// the TCP packets it holds, packed (their frames too when `frames_carried`).
/// Parts of consecutive ranges merge (merge_parts(), replay_parts()) into
/// exactly what one pass over the whole input gives: the tracer sees the same
/// packets in the same order with the same frame numbers.
struct Part {
    std::string capture;                              ///< the file's path, as given
    std::uint64_t capture_size = 0;                   ///< its size in bytes
    std::uint64_t capture_id = 0;                     ///< fingerprint of its size, first and last 64 KiB
    io::ByteRange range;                              ///< the declared range
    std::uint64_t start = 0;                          ///< where its first record starts (io::RangeReader::start())
    std::uint64_t stop = 0;                           ///< where the next range's first record starts
    io::RangeStart how = io::RangeStart::file_start;  ///< how its first record was found
    bool numbers_known = true;                        ///< records_before is exact
    std::uint64_t records_before = 0;                 ///< records of the file before the range, when numbers_known
    bool unreachable = false;                         ///< damage before the range: one pass never reads it
    std::optional<PartDamage> damage;                 ///< damage in the range: reading stopped there
    ExtractStats stats;                               ///< its frames: `frames` = records read, outcomes, bytes
    bool frames_carried = false;                      ///< the log holds each TCP frame's bytes
    std::uint64_t packets = 0;                        ///< TCP packets in `log`
    std::vector<std::uint8_t> log;                    ///< the packets (detail::parts::PacketLogWriter)
    std::optional<PartTail> tail;                     ///< damage within the next range's resync reach (pcap only)
    std::vector<std::string> options;                 ///< how it was made (the tool's options; merge wants them equal)
    bool cut_short = false;  ///< reading was stopped (MapOptions::stop) before the range's end; not saved
};

/// The fingerprint parts use to tell one capture from another: its size and
/// its first and last 64 KiB (cheap on any size; a file rewritten in the
/// middle only, keeping its size, goes unnoticed).
inline std::uint64_t capture_fingerprint(io::ByteSource& source) {
    constexpr std::size_t edge = std::size_t{64} << 10;
    const std::uint64_t size = source.size();
    std::uint64_t id = detail::bits::mix64(size ^ 0x7261636566666C6FULL);
    const auto hash_at = [&](std::uint64_t at) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(edge, size - at));
        if (!source.seek(at) || !source.ensure(n)) return;
        id = detail::bits::checksum64(source.data(), n, id);
    };
    hash_at(0);
    if (size > edge) hash_at(size - std::min<std::uint64_t>(edge, size - edge));
    return id;
}

TRACEFLOW_NAMESPACE_END
