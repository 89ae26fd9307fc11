// SPDX-License-Identifier: MIT
// TcpConnection: the tcp lifecycle's state machine for one flow, one state per direction.
#pragma once

#include "../../version.hpp"

#include <array>
#include <cstdint>

#include "../../end_reason.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// What one direction of a connection has done, as far as ending it goes.
enum class TcpDirection : std::uint8_t {
    open,      ///< no FIN sent yet
    fin_sent,  ///< sent its FIN
};

/// What the tcp lifecycle decided about an opening SYN on a known flow.
enum class SynVerdict : std::uint8_t {
    same_connection,  ///< a retransmission or a duplicate copy: stays in the flow
    new_connection,   ///< begins a new connection on the same tuple
};

/// The tcp lifecycle's own view of a flow: the originator's ISN, each
/// direction's state, and, once both FINs or a RST were seen, why it will end
/// after the linger. Independent of the statistics, so results never depend
/// on whether they are collected.
struct TcpConnection {
    std::array<TcpDirection, 2> direction{};  // 0: originator (or the flow's one direction), 1: responder
    EndReason pending = EndReason::open;      // fin / rst once lingering
    bool have_isn = false;
    std::uint32_t isn = 0;  // originator's SYN sequence number

    /// True once the connection ended and only lingers for late packets.
    [[nodiscard]] bool lingering() const noexcept { return pending != EndReason::open; }

    /// Records the ISN of the SYN that opened the flow.
    void opened_by_syn(std::uint32_t seq) noexcept {
        isn = seq;
        have_isn = true;
    }

    /// An opening SYN arrived on this flow (`from_orig`: sent by its
    /// originator). A SYN carrying the flow's own ISN is a retransmission or
    /// a duplicate copy (the same traffic seen on two VLANs or interfaces),
    /// even after FIN or RST while the flow lingers: it never starts a new flow.
    [[nodiscard]] SynVerdict on_syn(bool from_orig, std::uint32_t seq) noexcept {
        if (from_orig && have_isn && seq == isn) return SynVerdict::same_connection;
        if (lingering()) return SynVerdict::new_connection;  // the old one already ended
        if (!from_orig) return SynVerdict::same_connection;
        if (!have_isn) {
            opened_by_syn(seq);
            return SynVerdict::same_connection;
        }
        return SynVerdict::new_connection;
    }

    /// Direction `dir` sent a FIN.
    void on_fin(int dir) noexcept { direction[static_cast<std::size_t>(dir)] = TcpDirection::fin_sent; }
    /// True when direction `dir` sent its FIN.
    [[nodiscard]] bool fin_sent(int dir) const noexcept {
        return direction[static_cast<std::size_t>(dir)] == TcpDirection::fin_sent;
    }
    /// True when both directions sent their FIN.
    [[nodiscard]] bool both_fins() const noexcept { return fin_sent(0) && fin_sent(1); }
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
