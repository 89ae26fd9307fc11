// SPDX-License-Identifier: MIT
// count_frame(): one frame read, counted in ExtractStats with its decode outcome.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>

#include "../../decode/outcome.hpp"
#include "../../feed/extract_stats.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::ingest {

/// Counts frame `number` (the highest so far) of `size` captured bytes with its outcome.
inline void count_frame(ExtractStats& stats, std::uint64_t number, std::uint64_t size,
                        decode::Outcome outcome) noexcept {
    stats.frames = number;
    stats.bytes += size;
    ++stats.outcomes[static_cast<std::size_t>(outcome)];
    if (outcome == decode::Outcome::tcp) ++stats.tcp_frames;
}

}  // namespace detail::ingest
TRACEFLOW_NAMESPACE_END
