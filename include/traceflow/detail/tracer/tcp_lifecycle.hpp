// SPDX-License-Identifier: MIT
// TcpLifecycle: when the `tcp` lifecycle ends flows: FIN from both sides or RST start a linger; a new SYN replaces the flow.
#pragma once

#include "../../version.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "../../end_reason.hpp"
#include "../../options.hpp"
#include "../containers/slot_chunks.hpp"
#include "flow_key.hpp"
#include "flow_store.hpp"
#include "flow_timers.hpp"
#include "originator.hpp"
#include "tcp_connection.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// At most two of something: what one packet can do to a connection whose
/// two directions may be two flows (directional keying).
template <typename T>
struct AtMostTwo {
    std::array<T, 2> items{};
    std::size_t count = 0;

    void push_back(const T& item) noexcept { items[count++] = item; }
    [[nodiscard]] const T* begin() const noexcept { return items.data(); }
    [[nodiscard]] const T* end() const noexcept { return items.data() + count; }
};

/// A flow the lifecycle decided to end, and why.
struct FlowEnd {
    std::uint32_t id = 0;
    EndReason reason = EndReason::open;
};

/// A flow that now lingers until `deadline` (ns, capture time), then ends.
struct Linger {
    std::uint32_t id = 0;
    std::int64_t deadline = 0;
};

/// The `tcp` lifecycle. It owns each open flow's TcpConnection (by the
/// flow's slot) and changes it only here; it reads the store to find the
/// other direction of a connection, and hands back what the tracer must do
/// (flows to end, lingers to time) instead of doing it. With directional
/// keys the two directions of a connection are two flows, so FIN and RST
/// look at the reverse flow.
template <typename AddressT>
class TcpLifecycle {
public:
    using Store = FlowStore<AddressT>;
    using Key = FlowKey<AddressT>;

    TcpLifecycle(FlowKeying keying, std::chrono::nanoseconds fin_linger, std::chrono::nanoseconds rst_linger) noexcept
        : keying_(keying), fin_linger_(fin_linger.count()), rst_linger_(rst_linger.count()) {}

    /// Flow `id` opened (`seq`: the sequence number of its opening SYN, when `by_syn`).
    void opened(std::uint32_t id, bool by_syn, std::uint32_t seq) {
        connections_.grow_to(std::size_t{id} + 1);
        TcpConnection& c = connections_[id];
        c = TcpConnection{};
        if (by_syn) c.opened_by_syn(seq);
    }

    /// Why flow `id` will end once its linger is over (`open` when it does not linger).
    [[nodiscard]] EndReason pending(std::uint32_t id) const noexcept {
        return id < connections_.size() ? connections_[id].pending : EndReason::open;
    }

    /// An opening SYN from `sender` on open flow `id`: true when it begins a
    /// new connection. Without sequence numbers (`have_seq` false) there is
    /// no same-ISN rule: a SYN starts a new connection only on a flow that already ended.
    [[nodiscard]] bool starts_new_connection(std::uint32_t id, Side sender, std::uint32_t seq, bool have_seq) {
        TcpConnection& c = connections_[id];
        if (!have_seq) return c.lingering();
        return c.on_syn(sender == Side::originator, seq) == SynVerdict::new_connection;
    }

    /// The flows a new connection on flow `id` (keyed `key`) ends, in order:
    /// the flow itself, and with directional keys the lingering reverse
    /// direction of the old connection.
    [[nodiscard]] AtMostTwo<FlowEnd> replaced(const Store& store, std::uint32_t id, const Key& key) const {
        AtMostTwo<FlowEnd> ends;
        const EndReason own = pending(id);
        ends.push_back({id, own != EndReason::open ? own : EndReason::reused});
        // A self-connection (same address and port both ways) is its own reverse: ended once.
        if (const std::uint32_t* other = find_reverse(store, key); other != nullptr && *other != id) {
            const EndReason other_pending = pending(*other);
            if (other_pending != EndReason::open) ends.push_back({*other, other_pending});
        }
        return ends;
    }

    /// A FIN or RST from `sender` on flow `id` at `now` (ns): FIN from both
    /// sides or a RST start the linger. Returns the lingers that start.
    [[nodiscard]] AtMostTwo<Linger> on_fin_or_rst(const Store& store, std::uint32_t id, Side sender, bool rst,
                                                  std::int64_t now) {
        AtMostTwo<Linger> lingers;
        const Key key = store.key_of(id);
        if (rst) {
            linger(id, EndReason::rst, later(now, rst_linger_), lingers);
            if (const std::uint32_t* reverse = find_reverse(store, key))
                linger(*reverse, EndReason::rst, later(now, rst_linger_), lingers);
            return lingers;
        }
        TcpConnection& c = connections_[id];
        c.on_fin(direction_index(sender));
        const std::int64_t deadline = later(now, fin_linger_);
        if (keying_ == FlowKeying::bidirectional) {
            if (c.both_fins()) linger(id, EndReason::fin, deadline, lingers);
            return lingers;
        }
        // Directional: the connection ends when the reverse direction has sent its FIN too.
        const std::uint32_t* reverse = find_reverse(store, key);
        if (reverse == nullptr) {
            linger(id, EndReason::fin, deadline, lingers);
        } else if (connections_[*reverse].fin_sent(direction_index(Side::originator))) {
            const std::uint32_t other = *reverse;
            linger(id, EndReason::fin, deadline, lingers);
            linger(other, EndReason::fin, deadline, lingers);
        }
        return lingers;
    }

private:
    // The open flow of the other direction (directional keying only).
    const std::uint32_t* find_reverse(const Store& store, const Key& key) const {
        if (keying_ == FlowKeying::bidirectional) return nullptr;
        Key reverse = key;
        std::swap(reverse.a, reverse.b);
        std::swap(reverse.pa, reverse.pb);
        return store.find(reverse, hash_value(reverse));
    }

    // Flow `id` lingers for `reason` until `deadline`, unless it already does.
    void linger(std::uint32_t id, EndReason reason, std::int64_t deadline, AtMostTwo<Linger>& lingers) {
        TcpConnection& c = connections_[id];
        if (c.lingering()) return;
        c.pending = reason;
        lingers.push_back({id, deadline});
    }

    FlowKeying keying_;
    std::int64_t fin_linger_;  // ns
    std::int64_t rst_linger_;  // ns
    containers::SlotChunks<TcpConnection> connections_;  // by flow slot; only the tcp lifecycle fills it
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
