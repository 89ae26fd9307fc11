// SPDX-License-Identifier: MIT
// StreamSummary: what one direction of a followed flow came to: its length, gaps and conflicts.
#pragma once

#include "../version.hpp"

#include <cstdint>
#include <vector>

TRACEFLOW_NAMESPACE_BEGIN

/// Which side sent a stream's bytes: `orig` from the flow's originator (its
/// key's src), `resp` from the other side. pcapkit's directional flows have
/// only `orig`.
enum class StreamDirection : std::uint8_t { orig = 0, resp = 1 };

/// Bytes [offset, offset + length) of a stream.
struct ByteRange {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    friend bool operator==(const ByteRange& a, const ByteRange& b) noexcept {
        return a.offset == b.offset && a.length == b.length;
    }
    friend bool operator!=(const ByteRange& a, const ByteRange& b) noexcept { return !(a == b); }
};

/// One direction's stream as it ended. Offsets count from 0, the byte after
/// the SYN (without a SYN: the first byte seen, and `midstream` is true).
struct StreamSummary {
    std::uint64_t length = 0;          ///< the stream's length: bytes delivered plus gaps
    std::vector<ByteRange> gaps;       ///< bytes the capture lacks, in offset order (adjacent ones joined)
    std::vector<ByteRange> conflicts;  ///< overlaps whose bytes differed, in the order seen
    bool midstream = false;            ///< no SYN: picked up after the stream began
    /// Overlapping bytes that could not be compared (further back than
    /// ReassemblyOptions::compare_window, or inside a gap).
    std::uint64_t unchecked = 0;
    /// Bytes sent before offset 0 (seen only when picked up midway), not in the stream.
    std::uint64_t before_start = 0;

    /// Bytes the stream holds (length less the gaps).
    [[nodiscard]] std::uint64_t delivered() const noexcept {
        std::uint64_t missing = 0;
        for (const ByteRange& g : gaps) missing += g.length;
        return length - missing;
    }
};

TRACEFLOW_NAMESPACE_END
