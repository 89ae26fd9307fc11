// SPDX-License-Identifier: MIT
// TcpLifecycle: when the `tcp` lifecycle ends flows: FIN from both sides or RST start a linger; a new SYN replaces the flow.
#pragma once

#include "../../version.hpp"

#include <chrono>
#include <cstdint>
#include <utility>

#include "../../index.hpp"
#include "flow_key.hpp"
#include "flow_store.hpp"
#include "flow_timers.hpp"
#include "tcp_connection.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// The `tcp` lifecycle over a store of open flows. Each flow's own
/// TcpConnection holds its state; with directional keys the two directions
/// of a connection are two flows, so FIN and RST look at the reverse flow.
template <typename AddressT>
class TcpLifecycle {
public:
    using Store = FlowStore<AddressT>;
    using Key = FlowKey<AddressT>;

    TcpLifecycle(bool bidirectional, std::chrono::nanoseconds fin_linger, std::chrono::nanoseconds rst_linger) noexcept
        : bidirectional_(bidirectional), fin_linger_(fin_linger), rst_linger_(rst_linger) {}

    /// An opening SYN on open flow `id`: true when it begins a new connection.
    /// Without sequence numbers (`have_seq` false) there is no same-ISN rule:
    /// a SYN starts a new connection only on a flow that already ended.
    [[nodiscard]] bool starts_new_connection(Store& store, std::uint32_t id, bool from_a, std::uint32_t seq,
                                             bool have_seq = true) const {
        if (!have_seq) return store[id].tcp.lingering();
        const bool from_orig = !bidirectional_ || from_a == store[id].orig_is_a;
        return store[id].tcp.on_syn(from_orig, seq) == SynVerdict::new_connection;
    }

    /// Ends (through `end(id, reason)`) the flow a new connection replaces;
    /// with directional keys, the lingering reverse direction of the old connection too.
    template <typename End>
    void restart(Store& store, std::uint32_t id, const Key& key, End&& end) const {
        const EndReason pending = store[id].tcp.pending;
        end(id, pending != EndReason::open ? pending : EndReason::reused);
        if (const std::uint32_t* other = find_reverse(store, key)) {
            const EndReason other_pending = store[*other].tcp.pending;
            if (other_pending != EndReason::open) end(*other, other_pending);
        }
    }

    /// A FIN or RST from direction `dir` of flow `id` at `now` (ns): FIN from
    /// both sides or a RST start the linger.
    void on_fin_or_rst(Store& store, FlowTimers& timers, std::uint32_t id, int dir, bool rst, std::int64_t now) const {
        const Key key = store.key_of(id);
        if (rst) {
            linger(store, timers, id, EndReason::rst, later(now, rst_linger_));
            if (const std::uint32_t* reverse = find_reverse(store, key))
                linger(store, timers, *reverse, EndReason::rst, later(now, rst_linger_));
            return;
        }
        store[id].tcp.on_fin(dir);
        const std::int64_t deadline = later(now, fin_linger_);
        if (bidirectional_) {
            if (store[id].tcp.both_fins()) linger(store, timers, id, EndReason::fin, deadline);
            return;
        }
        // Directional: the connection ends when the reverse direction has sent its FIN too.
        const std::uint32_t* reverse = find_reverse(store, key);
        if (reverse == nullptr) {
            linger(store, timers, id, EndReason::fin, deadline);
        } else if (store[*reverse].tcp.fin_sent(0)) {
            const std::uint32_t other = *reverse;
            linger(store, timers, id, EndReason::fin, deadline);
            linger(store, timers, other, EndReason::fin, deadline);
        }
    }

private:
    // The open flow of the other direction (directional keying only).
    const std::uint32_t* find_reverse(const Store& store, const Key& key) const {
        if (bidirectional_) return nullptr;
        Key reverse = key;
        std::swap(reverse.a, reverse.b);
        std::swap(reverse.pa, reverse.pb);
        return store.find(reverse, hash_value(reverse));
    }

    static void linger(Store& store, FlowTimers& timers, std::uint32_t id, EndReason reason, std::int64_t deadline) {
        TcpConnection& tcp = store[id].tcp;
        if (tcp.lingering()) return;
        tcp.pending = reason;
        timers.linger(id, deadline);
    }

    bool bidirectional_;
    std::chrono::nanoseconds fin_linger_;
    std::chrono::nanoseconds rst_linger_;
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
