// SPDX-License-Identifier: MIT
// DeadlineHeap: an indexed binary min-heap of flow deadlines (the tcp lifecycle's lingers).
#pragma once

#include "../../version.hpp"

#include <cstdint>
#include <utility>

#include "pod_array.hpp"
#include "slot_list.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::containers {

/// Deadlines of slots, earliest first; equal deadlines in insertion order.
/// Push, erase and pop cost O(log n) whatever order deadlines arrive in (a
/// sorted list walks back O(n) per insert once capture time steps back).
/// Each slot is in the heap at most once; its position is kept per slot so
/// a flow ended early leaves the heap at once.
class DeadlineHeap {
public:
    [[nodiscard]] bool empty() const noexcept { return heap_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return heap_.size(); }
    /// The slot with the earliest deadline (heap not empty).
    [[nodiscard]] std::uint32_t top() const noexcept { return heap_.front().slot; }
    /// The earliest deadline (heap not empty).
    [[nodiscard]] std::int64_t top_deadline() const noexcept { return heap_.front().deadline; }
    /// True when `slot` has a deadline.
    [[nodiscard]] bool contains(std::uint32_t slot) const noexcept {
        return slot < position_.size() && position_[slot] != no_slot;
    }

    /// Gives `slot` (not in the heap) its deadline.
    void push(std::uint32_t slot, std::int64_t deadline) {
        if (position_.size() <= slot) position_.resize(std::size_t{slot} + 1, no_slot);
        heap_.push_back(Entry{deadline, order_++, slot});
        position_[slot] = static_cast<std::uint32_t>(heap_.size() - 1);
        up(heap_.size() - 1);
    }

    /// Removes `slot`'s deadline, if it has one.
    void erase(std::uint32_t slot) noexcept {
        if (!contains(slot)) return;
        const std::size_t at = position_[slot];
        position_[slot] = no_slot;
        const std::size_t last = heap_.size() - 1;
        if (at != last) {
            heap_[at] = heap_[last];
            position_[heap_[at].slot] = static_cast<std::uint32_t>(at);
        }
        heap_.pop_back();
        if (at < heap_.size()) {
            up(at);
            down(at);
        }
    }

private:
    struct Entry {
        std::int64_t deadline;
        std::uint64_t order;  // ties keep insertion order, as a stable sorted list would
        std::uint32_t slot;
    };

    static bool before(const Entry& x, const Entry& y) noexcept {
        return x.deadline != y.deadline ? x.deadline < y.deadline : x.order < y.order;
    }

    void place(std::size_t at, const Entry& e) noexcept {
        heap_[at] = e;
        position_[e.slot] = static_cast<std::uint32_t>(at);
    }

    void up(std::size_t at) noexcept {
        const Entry e = heap_[at];
        while (at > 0) {
            const std::size_t parent = (at - 1) / 2;
            if (!before(e, heap_[parent])) break;
            place(at, heap_[parent]);
            at = parent;
        }
        place(at, e);
    }

    void down(std::size_t at) noexcept {
        const Entry e = heap_[at];
        const std::size_t n = heap_.size();
        for (;;) {
            std::size_t child = 2 * at + 1;
            if (child >= n) break;
            if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
            if (!before(heap_[child], e)) break;
            place(at, heap_[child]);
            at = child;
        }
        place(at, e);
    }

    PodArray<Entry> heap_;
    PodArray<std::uint32_t> position_;  // by slot: index in heap_, or no_slot
    std::uint64_t order_ = 0;
};

}  // namespace detail::containers
TRACEFLOW_NAMESPACE_END
