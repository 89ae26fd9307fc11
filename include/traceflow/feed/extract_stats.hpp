// SPDX-License-Identifier: MIT
// ExtractStats: counts of what happened to every frame read (traced, or why not).
#pragma once

#include "../version.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

#include "../decode/outcome.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Counts of what happened to every frame read.
struct ExtractStats {
    std::uint64_t frames = 0;         ///< records read, all inputs together (the last frame number)
    std::uint64_t tcp_frames = 0;     ///< frames traced
    std::uint64_t bytes = 0;          ///< captured bytes of all frames
    std::uint64_t failed_inputs = 0;  ///< inputs reported to FeedOptions::on_error (missing or damaged)
    std::array<std::uint64_t, decode::outcome_count> outcomes{};  ///< frames per decode::Outcome
    /// IP packets joined from fragments (their frames counted by the joined packet's outcome).
    std::uint64_t fragmented_joined = 0;
    /// IP packets given up with fragments missing, overlapping or cut short (their frames stay `fragment`).
    std::uint64_t fragmented_incomplete = 0;

    /// Frames not traced, all reasons together.
    [[nodiscard]] std::uint64_t skipped() const noexcept { return frames - tcp_frames; }
    /// Frames with this outcome.
    [[nodiscard]] std::uint64_t count(decode::Outcome o) const noexcept {
        return outcomes[static_cast<std::size_t>(o)];
    }
};

TRACEFLOW_NAMESPACE_END
