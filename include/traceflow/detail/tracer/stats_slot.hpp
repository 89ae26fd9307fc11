// SPDX-License-Identifier: MIT
// StatsSlot: one flow's FlowStats and the facts its Zeek history comes from, counted per packet.
#pragma once

#include "../../version.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "../../community_id.hpp"
#include "../../flow_stats.hpp"
#include "../../timestamp.hpp"
#include "tcp_facts.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// An open flow's first and last packet times (statistics and timeouts only).
struct FlowTimes {
    Timestamp first;
    Timestamp last;
};

/// Statistics of one open flow as its packets count them: two aligned cache
/// lines, the counters in the first; the flow's times in the second, so a
/// packet writes two adjacent lines, not a third elsewhere. A whole
/// FlowStats took 200 bytes, for strings that are only made when the flow ends.
struct alignas(64) StatsSlot {
    std::array<std::uint64_t, 2> packets{};
    std::array<std::uint64_t, 2> bytes{};
    std::array<std::uint64_t, 2> payload{};
    std::uint32_t syn = 0;
    std::uint32_t synack = 0;
    std::uint32_t fin = 0;
    std::uint32_t rst = 0;
    FlowTimes times;  // kept by FlowStore::times()
    TcpFacts facts;
    std::uint8_t history_size = 0;
    char history[TcpFacts::letters * 2] = {};  // each letter once per direction

    /// Counts one packet sent by direction `dir` (0: originator).
    void count(int dir, bool syn_flag, bool ack, bool fin_flag, bool rst_flag, std::uint32_t payload_bytes,
               std::uint32_t wirelen) {
        const auto d = static_cast<std::size_t>(dir);
        ++packets[d];
        bytes[d] += wirelen;
        payload[d] += payload_bytes;
        if (syn_flag) ++(ack ? synack : syn);
        if (fin_flag) ++fin;
        if (rst_flag) ++rst;
        facts.add(dir, syn_flag, ack, fin_flag, rst_flag, payload_bytes != 0,
                  [this](char letter) { history[history_size++] = letter; });
    }

    /// The flow's final FlowStats; the Community ID (which needs IpAddress
    /// keys) only `with_community_id`.
    template <typename AddressT>
    [[nodiscard]] std::shared_ptr<const FlowStats> finished(const Timestamp& first, const Timestamp& last,
                                                            const AddressT& a, std::uint16_t pa, const AddressT& b,
                                                            std::uint16_t pb, bool with_community_id = true) const {
        FlowStats s;
        s.packets = packets;
        s.bytes = bytes;
        s.payload = payload;
        s.syn = syn;
        s.synack = synack;
        s.fin = fin;
        s.rst = rst;
        s.history.assign(history, history_size);
        s.first = first;
        s.last = last;
        s.conn_state = facts.conn_state();
        if constexpr (std::is_same_v<AddressT, IpAddress>)
            if (with_community_id) s.community_id = community_id(a, pa, b, pb);
        // As FlowRecordCodec::decode() makes it: one instantiation of make_shared.
        return std::make_shared<const FlowStats>(std::move(s));
    }
};
static_assert(sizeof(StatsSlot) == 128, "two cache lines per open flow");

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
