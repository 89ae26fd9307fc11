// SPDX-License-Identifier: MIT
// StatsSlot: one flow's FlowStats and the facts its Zeek history comes from, counted per packet.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "../community_id.hpp"
#include "../flow_stats.hpp"
#include "../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail {

/// Statistics of one flow and the facts its history is made from (kept out
/// of the hot records, and apart from the tcp lifecycle's own state).
struct StatsSlot {
    FlowStats stats;
    TcpFacts facts;

    /// Counts one packet sent by direction `dir` (0: originator).
    void count(int dir, bool syn, bool ack, bool fin, bool rst, std::uint32_t payload, std::uint32_t wirelen) {
        const auto d = static_cast<std::size_t>(dir);
        ++stats.packets[d];
        stats.bytes[d] += wirelen;
        stats.payload[d] += payload;
        if (syn) ++(ack ? stats.synack : stats.syn);
        if (fin) ++stats.fin;
        if (rst) ++stats.rst;
        facts.add(dir, syn, ack, fin, rst, payload != 0, stats.history);
    }

    /// The flow's final FlowStats; the Community ID (which needs IpAddress
    /// keys) only `with_community_id`.
    template <typename AddressT>
    [[nodiscard]] std::shared_ptr<const FlowStats> finished(const Timestamp& first, const Timestamp& last,
                                                            const AddressT& a, std::uint16_t pa, const AddressT& b,
                                                            std::uint16_t pb, bool with_community_id = true) const {
        auto s = std::make_shared<FlowStats>(stats);
        s->first = first;
        s->last = last;
        s->conn_state = facts.conn_state();
        if constexpr (std::is_same_v<AddressT, IpAddress>)
            if (with_community_id) s->community_id = community_id(a, pa, b, pb);
        return s;
    }
};

}  // namespace detail
TRACEFLOW_NAMESPACE_END
