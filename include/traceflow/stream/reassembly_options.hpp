// SPDX-License-Identifier: MIT
// ReassemblyOptions: how streams are followed: which copy of a byte wins, and the bounds on held bytes.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN

/// Which copy of a byte a stream keeps when segments overlap. Every overlap
/// whose bytes differ is reported (a conflict) either way.
enum class OverlapPolicy : std::uint8_t {
    first,  ///< the first copy captured wins (Wireshark, Zeek, PcapPlusPlus)
    last,   ///< a later copy replaces it: its bytes are delivered again at their offset (tcpflow)
};

/// Bounds and policy of StreamFollower.
struct ReassemblyOptions {
    OverlapPolicy overlap = OverlapPolicy::first;
    /// Out-of-order bytes held per direction while a hole waits to be filled;
    /// past it, the first hole becomes a gap and delivery goes on.
    std::size_t max_held_per_direction = std::size_t{4} << 20;
    /// The same bound over all directions of all flows.
    std::size_t max_held_total = std::size_t{256} << 20;
    /// Delivered bytes kept per direction (rounded down to a power of two) to
    /// compare retransmitted copies with; overlaps further back are counted
    /// as unchecked. Freed when the direction's FIN has been delivered. 0: none.
    std::size_t compare_window = std::size_t{8} << 10;
};

TRACEFLOW_NAMESPACE_END
