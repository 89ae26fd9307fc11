// SPDX-License-Identifier: MIT
// The originator rule: which end of a connection opened it, and which side sent each packet.
#pragma once

#include "../../version.hpp"

#include <cstdint>

#include "../../options.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// The end of a connection a packet came from; also the index of a
/// direction in per-direction counters and states.
enum class Side : std::uint8_t {
    originator = 0,  ///< the end that sent the SYN (a directional flow's only side)
    responder = 1,
};

/// The index of `side` in a two-element array.
[[nodiscard]] constexpr int direction_index(Side side) noexcept { return static_cast<int>(side); }

/// The rule, written once. The originator sent the SYN; a SYN-ACK seen first
/// came from the responder; any other first packet came from the
/// originator. With directional keying each flow is one direction, whose
/// sender is its originator.
struct Originator {
    /// Whether a packet with these flags opens a connection (directional
    /// keying: a direction, so a SYN-ACK opens one too).
    [[nodiscard]] static constexpr bool opens(FlowKeying keying, bool syn, bool ack) noexcept {
        return syn && (!ack || keying == FlowKeying::directional);
    }
    /// Whether a flow's first packet was sent by the flow's originator.
    [[nodiscard]] static constexpr bool first_sender_is_originator(FlowKeying keying, bool syn, bool ack) noexcept {
        return keying == FlowKeying::directional || !(syn && ack);
    }
    /// Whether the originator is the table key's `a` end, from the first
    /// packet (`sent_from_a`: it was sent from the key's `a` end).
    [[nodiscard]] static constexpr bool originator_is_a(FlowKeying keying, bool first_sender_is_orig,
                                                        bool sent_from_a) noexcept {
        return keying == FlowKeying::directional || first_sender_is_orig == sent_from_a;
    }
    /// The side that sent a packet from the key's `a` end (`sent_from_a`)
    /// or its `b` end, on a flow whose originator is `a` when `orig_is_a`.
    [[nodiscard]] static constexpr Side side_of(FlowKeying keying, bool sent_from_a, bool orig_is_a) noexcept {
        return keying == FlowKeying::bidirectional && sent_from_a != orig_is_a ? Side::responder : Side::originator;
    }
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
