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
[[nodiscard]] inline std::int64_t later(std::int64_t time, std::chrono::nanoseconds span) noexcept {
    const std::int64_t d = span.count();
    return time > INT64_MAX - d ? INT64_MAX : time + d;
}

/// The clock is the latest capture time seen; it never steps back. When it
/// advances, flows end: lingering ones whose deadline passed (earliest
/// deadline first, from a heap: O(log n) each, whatever order capture time
/// comes in), then idle ones in last-seen order, then those open too long in
/// opening order. Both orders are arrival orders, so their fronts are O(1).
class FlowTimers {
public:
    FlowTimers(std::chrono::nanoseconds idle, std::chrono::nanoseconds active) noexcept
        : idle_(idle), active_(active) {}

    /// Flow `id` ends at `deadline` (ns) unless something ends it sooner.
    void linger(std::uint32_t id, std::int64_t deadline) { deadlines_.push(id, deadline); }
    /// Flow `id` ended: drop its deadline.
    void forget(std::uint32_t id) noexcept { deadlines_.erase(id); }

    /// Moves the clock to `now` if later and calls `end(id, reason_kind)` for
    /// every flow whose time is over; `end` must call forget(id). The
    /// reasons are given as which timer fired: `linger_over`, `idle`, `active`.
    enum class Fired : std::uint8_t { linger_over, idle, active };
    template <typename Store, typename End>
    void expire(std::int64_t now, Store& store, End&& end) {
        if (now <= clock_) return;  // time did not advance: nothing new can expire
        clock_ = now;
        while (!deadlines_.empty() && deadlines_.top_deadline() <= now) end(deadlines_.top(), Fired::linger_over);
        if (idle_.count() > 0) {
            for (std::uint32_t id = store.least_recent();
                 id != containers::no_slot && later(store.times(id).last.total_nanoseconds(), idle_) <= now;
                 id = store.least_recent())
                end(id, Fired::idle);
        }
        if (active_.count() > 0) {
            for (std::uint32_t id = store.first_opened();
                 id != containers::no_slot && later(store.times(id).first.total_nanoseconds(), active_) <= now;
                 id = store.first_opened())
                end(id, Fired::active);
        }
    }

private:
    std::chrono::nanoseconds idle_;
    std::chrono::nanoseconds active_;
    std::int64_t clock_ = INT64_MIN;
    containers::DeadlineHeap deadlines_;
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
