// SPDX-License-Identifier: MIT
// FlowTimers: the capture clock and the ends it brings: lingers after FIN/RST, idle and active timeouts.
#pragma once

#include "../../version.hpp"

#include <chrono>
#include <climits>
#include <cstdint>

#include "../containers/deadline_heap.hpp"
#include "../containers/slot_list.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// `time + span` in nanoseconds, saturating (a file may hold any time).
[[nodiscard]] inline std::int64_t later(std::int64_t time, std::int64_t span_ns) noexcept {
    return time > INT64_MAX - span_ns ? INT64_MAX : time + span_ns;
}

/// The clock is the latest capture time seen; it never steps back. When it
/// advances, flows end: lingering ones whose deadline passed (earliest
/// deadline first, from a heap: O(log n) each, whatever order capture time
/// comes in), then idle ones in last-seen order, then those open too long in
/// opening order. Both orders are arrival orders, so their fronts are O(1).
class FlowTimers {
public:
    FlowTimers(std::chrono::nanoseconds idle, std::chrono::nanoseconds active) noexcept
        : idle_(idle.count()), active_(active.count()) {}

    /// Flow `id` ends at `deadline` (ns) unless something ends it sooner.
    void linger(std::uint32_t id, std::int64_t deadline) { deadlines_.push(id, deadline); }
    /// Flow `id` ended: drop its deadline.
    void forget(std::uint32_t id) noexcept { deadlines_.erase(id); }

    /// Which timer ended a flow.
    enum class Fired : std::uint8_t { linger_over, idle, active };
    /// A flow whose time is over.
    struct Expired {
        std::uint32_t id = containers::no_slot;
        Fired fired = Fired::linger_over;
    };

    /// Moves the clock to `now` when that is later; false when time did not
    /// advance (then nothing new can expire).
    bool advance_to(std::int64_t now) noexcept {
        if (now <= clock_) return false;
        clock_ = now;
        phase_ = Fired::linger_over;
        return true;
    }

    /// The next flow whose time is over at the clock, if any (else `id` is
    /// containers::no_slot; not std::optional, which would cost every
    /// user's TU its instantiations): every linger
    /// first (earliest deadline first; its deadline is dropped here), then
    /// every idle flow in last-seen order, then every flow open too long in
    /// opening order: one timer's turn ends for this clock when it has no
    /// more. The caller ends the flow, which takes it out of the store's
    /// orders, before it asks again.
    template <typename Store>
    [[nodiscard]] Expired next_expired(const Store& store) noexcept {
        if (phase_ == Fired::linger_over) {
            if (!deadlines_.empty() && deadlines_.top_deadline() <= clock_) {
                const std::uint32_t id = deadlines_.top();
                deadlines_.erase(id);
                return Expired{id, Fired::linger_over};
            }
            phase_ = Fired::idle;
        }
        if (phase_ == Fired::idle) {
            if (idle_ > 0) {
                const std::uint32_t id = store.least_recent();
                if (id != containers::no_slot && later(store.times(id).last.total_nanoseconds(), idle_) <= clock_)
                    return Expired{id, Fired::idle};
            }
            phase_ = Fired::active;
        }
        if (active_ > 0) {
            const std::uint32_t id = store.first_opened();
            if (id != containers::no_slot && later(store.times(id).first.total_nanoseconds(), active_) <= clock_)
                return Expired{id, Fired::active};
        }
        return Expired{};
    }

private:
    std::int64_t idle_;    // ns; 0: no idle timeout
    std::int64_t active_;  // ns; 0: no active timeout
    std::int64_t clock_ = INT64_MIN;
    Fired phase_ = Fired::linger_over;  // whose turn it is at this clock
    containers::DeadlineHeap deadlines_;
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
