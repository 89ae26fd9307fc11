// SPDX-License-Identifier: MIT
// EndReason: why a flow's record was produced, and its stable name.
#pragma once

#include "version.hpp"

#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN

/// Why a flow's record was produced.
enum class EndReason : std::uint8_t {
    open,          ///< still open: listed by index() before the finished flows
    fin_one_side,  ///< pcapkit mode: a FIN closed this direction
    fin,           ///< tcp mode: FIN from both sides (plus linger)
    rst,           ///< tcp mode: RST (plus linger)
    idle,          ///< no packet for the idle timeout
    active,        ///< open longer than the active timeout
    evicted,       ///< dropped to respect the maximum number of live flows
    end_of_input,  ///< still open when the input ended
    reused,        ///< tcp mode: a new SYN (other sequence number) reused the tuple
};

/// Stable lowercase name of an end reason ("fin", "end-of-input", ...).
[[nodiscard]] constexpr const char* to_string(EndReason reason) noexcept {
    switch (reason) {
        case EndReason::open: return "open";
        case EndReason::fin_one_side: return "fin-one-side";
        case EndReason::fin: return "fin";
        case EndReason::rst: return "rst";
        case EndReason::idle: return "idle";
        case EndReason::active: return "active";
        case EndReason::evicted: return "evicted";
        case EndReason::end_of_input: return "end-of-input";
        case EndReason::reused: return "reused";
    }
    return "unknown";
}

TRACEFLOW_NAMESPACE_END
