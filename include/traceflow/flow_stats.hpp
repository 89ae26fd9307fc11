// SPDX-License-Identifier: MIT
// FlowStats: per-flow counters, Zeek-style history and conn_state, Community ID.
#pragma once

#include "version.hpp"

#include <array>
#include <cstdint>
#include <string>

#include "timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Statistics of one flow, collected when TraceFlowOptions::statistics is on.
/// Direction 0 is the flow's originator (the label's first endpoint), 1 the responder.
struct FlowStats {
    std::array<std::uint64_t, 2> packets{};  ///< packets per direction
    std::array<std::uint64_t, 2> bytes{};    ///< bytes on the wire per direction
    std::array<std::uint64_t, 2> payload{};  ///< TCP payload bytes per direction
    Timestamp first;                         ///< time of the first packet
    Timestamp last;                          ///< time of the last packet
    std::uint32_t syn = 0;                   ///< SYN without ACK
    std::uint32_t synack = 0;                ///< SYN with ACK
    std::uint32_t fin = 0;                   ///< FIN
    std::uint32_t rst = 0;                   ///< RST
    std::string history;                     ///< Zeek-style: ShAaDdFfRr, upper case = originator, each letter once
    std::string conn_state;                  ///< Zeek conn_state: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH
    std::string community_id;                ///< Community ID v1 of the connection

    /// Nanoseconds from the first packet to the last.
    [[nodiscard]] std::int64_t duration_ns() const noexcept {
        return last.total_nanoseconds() - first.total_nanoseconds();
    }
};

TRACEFLOW_NAMESPACE_END
