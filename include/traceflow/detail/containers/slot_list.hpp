// SPDX-License-Identifier: MIT
// Intrusive doubly-linked lists over slots of a vector, linked by index:
// O(1) ordering of flows by opening time or last-seen time.
#pragma once

#include "../../version.hpp"

#include <cstdint>
#include <vector>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::containers {

inline constexpr std::uint32_t no_slot = 0xFFFFFFFFu;

/// The links one list keeps in each element.
struct SlotLinks {
    std::uint32_t prev = no_slot;
    std::uint32_t next = no_slot;
};

/// A list of elements of `Slots` (indexed by slot number, e.g.
/// `std::vector<T>` or SlotChunks<T>), threaded through `T::*Member`.
template <typename T, SlotLinks T::*Member, typename Slots = std::vector<T>>
class SlotList {
public:
    [[nodiscard]] std::uint32_t front() const noexcept { return head_; }
    [[nodiscard]] std::uint32_t back() const noexcept { return tail_; }
    [[nodiscard]] bool empty() const noexcept { return head_ == no_slot; }
    [[nodiscard]] static std::uint32_t next(const Slots& v, std::uint32_t id) noexcept { return (v[id].*Member).next; }

    void push_back(Slots& v, std::uint32_t id) noexcept { insert_after(v, tail_, id); }

    /// Inserts `id` after `at` (no_slot: at the front).
    void insert_after(Slots& v, std::uint32_t at, std::uint32_t id) noexcept {
        SlotLinks& l = v[id].*Member;
        l.prev = at;
        l.next = at == no_slot ? head_ : (v[at].*Member).next;
        if (l.next != no_slot)
            (v[l.next].*Member).prev = id;
        else
            tail_ = id;
        if (at != no_slot)
            (v[at].*Member).next = id;
        else
            head_ = id;
    }

    void erase(Slots& v, std::uint32_t id) noexcept {
        SlotLinks& l = v[id].*Member;
        if (l.prev != no_slot)
            (v[l.prev].*Member).next = l.next;
        else
            head_ = l.next;
        if (l.next != no_slot)
            (v[l.next].*Member).prev = l.prev;
        else
            tail_ = l.prev;
        l.prev = l.next = no_slot;
    }

    void move_to_back(Slots& v, std::uint32_t id) noexcept {
        if (tail_ == id) return;
        erase(v, id);
        push_back(v, id);
    }

private:
    std::uint32_t head_ = no_slot;
    std::uint32_t tail_ = no_slot;
};

}  // namespace detail::containers
TRACEFLOW_NAMESPACE_END
