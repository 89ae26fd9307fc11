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
#include "end_reason.hpp"
#include "flow_stats.hpp"
#include "fwd.hpp"
#include "timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// One flow as `TraceFlow::index()` reports it, keyed by addresses of type `AddressT`.
template <typename AddressT>
struct BasicIndex {
    std::optional<std::string> fpout;    ///< path of the flow's output file; none when no file is written
    std::vector<std::uint64_t> index;    ///< frame numbers of the flow, in arrival order
    std::string label;                   ///< `{src}_{srcport}-{dst}_{dstport}-{ts}`
    EndReason reason = EndReason::open;  ///< why this record exists (not in pcapkit)
    /// Counters, present when TraceFlowOptions::statistics is on (null
    /// otherwise: a flow record then costs no room for them). Immutable, so
    /// copies of an Index share them.
    std::shared_ptr<const FlowStats> stats;
    BufferID<AddressT> id;  ///< the flow's key; bidirectional: as its initiator sent it (not in pcapkit)
    /// Time of the flow's first packet, when the tracer keeps flow times
    /// (TraceFlowOptions::flow_times, statistics or a timeout); zero otherwise.
    Timestamp first;
    Timestamp last;            ///< time of the flow's last packet so far, kept as `first` is
    std::uint64_t number = 0;  ///< the flow's number: 0, 1, ... in the order flows opened (Buffer::number)
    /// The flow's VLAN id when flows are keyed by VLAN (TraceFlowOptions::key_vlan), else 0.
    std::uint32_t vlan = 0;
    /// The flow's pcapng interface when flows are keyed by interface (key_interface), else 0.
    std::uint32_t interface = 0;
};

/// The flow record of a tracer keyed by IpAddress.
using Index = BasicIndex<IpAddress>;

TRACEFLOW_NAMESPACE_END
