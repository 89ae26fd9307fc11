// SPDX-License-Identifier: MIT
// TraceFlowOptions: how TraceFlow keys flows, ends them and writes them out.
#pragma once

#include "version.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "fwd.hpp"
#include "output/byte_order.hpp"
#include "warning.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Which packets share a flow.
enum class FlowKeying : std::uint8_t {
    directional,    ///< pcapkit: (src, srcport, dst, dstport), one flow per direction
    bidirectional,  ///< one flow per connection, labelled from its initiator
};

/// When a flow ends.
enum class Lifecycle : std::uint8_t {
    pcapkit,  ///< the reference: a FIN ends its direction at once; SYN and RST change nothing
    tcp,      ///< FIN from both sides or RST, plus a linger; new SYNs on ended tuples start new flows
};

/// Settings of a TraceFlow. The first four are pcapkit's constructor
/// arguments; the defaults reproduce pcapkit's behaviour exactly.
struct TraceFlowOptions {
    std::string fout;                         ///< output root folder; empty: write no files
    std::string format = "pcap";              ///< output format name (see FormatRegistry)
    ByteOrder byteorder = ByteOrder::native;  ///< pcap output byte order
    bool nanosecond = false;                  ///< pcap output with nanosecond times
    std::size_t max_open_files = 64;          ///< descriptors the writers may hold at once
    std::size_t output_buffer_bytes = std::size_t{8}
                                      << 20;      ///< memory for frames waiting to be written, all flows together
    WarningSink warning = stderr_warning_sink();  ///< where warnings go
    /// When set, only the flows whose number (Buffer::number) it accepts get
    /// a file; the others are traced and listed without one (the tool's --flows).
    std::function<bool(std::uint64_t number)> file_for;
    /// Output file name of each flow, without extension: {label} {src} {srcport}
    /// {dst} {dstport} {first} (addresses as in the label, {first} the first packet's time).
    std::string name_template = "{label}";

    FlowKeying keying = FlowKeying::directional;                    ///< directional or bidirectional flows
    bool key_vlan = false;                                          ///< VLAN id is part of the key
    bool key_interface = false;                                     ///< pcapng interface is part of the key
    Lifecycle lifecycle = Lifecycle::pcapkit;                       ///< when flows end
    std::chrono::nanoseconds fin_linger = std::chrono::seconds(2);  ///< tcp: kept after both FINs, for the last ACK
    std::chrono::nanoseconds rst_linger = std::chrono::seconds(1);  ///< tcp: kept after a RST
    std::chrono::nanoseconds idle_timeout{0};    ///< end a flow idle this long (capture time); 0: never
    std::chrono::nanoseconds active_timeout{0};  ///< end a flow open this long (capture time); 0: never
    std::size_t max_flows = 0;                   ///< evict the least recently seen flow beyond this; 0: no limit
    bool statistics = false;                     ///< collect FlowStats for every flow
    bool flow_times = false;  ///< keep each flow's first and last times (Index::first, last) without statistics
    bool keep_closed = true;  ///< keep ended flows for index(); false: callbacks only (bounded memory)
};

TRACEFLOW_NAMESPACE_END
