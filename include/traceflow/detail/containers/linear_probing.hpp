// SPDX-License-Identifier: MIT
// The erase shared by traceflow's open-addressing tables (FlowTable, HashSet64).
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::containers {

/// Empties slot `hole` of a linear-probing table over a power-of-two array
/// (`mask` = size - 1) and pulls later members of its probe run back into
/// the gap, so lookups never meet tombstones however many erases there are.
/// `bits(slot)` gives the hash bits a slot was placed by, 0 for an empty
/// slot; a value-initialised Slot is an empty one.
template <typename Slots, typename Bits>
void backward_shift_erase(Slots& slots, std::size_t mask, std::size_t hole, Bits bits) noexcept {
    for (std::size_t j = (hole + 1) & mask;; j = (j + 1) & mask) {
        const std::uint64_t b = bits(slots[j]);
        if (b == 0) break;
        const std::size_t home = static_cast<std::size_t>(b) & mask;
        // Movable when its home is not cyclically within (hole, j].
        const bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (stays) continue;
        slots[hole] = slots[j];
        hole = j;
    }
    slots[hole] = {};
}

}  // namespace detail::containers
TRACEFLOW_NAMESPACE_END
