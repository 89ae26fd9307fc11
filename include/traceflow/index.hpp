// SPDX-License-Identifier: MIT
// Index: the finished record of one flow (pcapkit's `Index`), and why it ended.
#pragma once

#include "version.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "buffer_id.hpp"
#include "flow_stats.hpp"
#include "fwd.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Why a flow's record was produced.
enum class EndReason : std::uint8_t {
    open,           ///< still open: listed by index() before the finished flows
    fin_one_side,   ///< pcapkit mode: a FIN closed this direction
    fin,            ///< tcp mode: FIN from both sides (plus linger)
    rst,            ///< tcp mode: RST (plus linger)
    idle,           ///< no packet for the idle timeout
    active,         ///< open longer than the active timeout
    evicted,        ///< dropped to respect the maximum number of live flows
    end_of_input,   ///< still open when the input ended
    reused,         ///< tcp mode: a new SYN (other sequence number) reused the tuple
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

/// One flow as `TraceFlow::index()` reports it, keyed by addresses of type `AddressT`.
template <typename AddressT>
struct BasicIndex {
    std::optional<std::string> fpout;   ///< path of the flow's output file; none when no file is written
    std::vector<std::uint64_t> index;   ///< frame numbers of the flow, in arrival order
    std::string label;                  ///< `{src}_{srcport}-{dst}_{dstport}-{ts}`
    EndReason reason = EndReason::open; ///< why this record exists (not in pcapkit)
    /// Counters, present when TraceFlowOptions::statistics is on (null
    /// otherwise: a flow record then costs no room for them). Immutable, so
    /// copies of an Index share them.
    std::shared_ptr<const FlowStats> stats;
    BufferID<AddressT> id;              ///< the flow's key; bidirectional: as its initiator sent it (not in pcapkit)
};

/// The flow record of a tracer keyed by IpAddress.
using Index = BasicIndex<IpAddress>;

TRACEFLOW_NAMESPACE_END
