// SPDX-License-Identifier: MIT
// FlowTable: open-addressing map from a flow's hash to its 32-bit slot number; keys are compared where they live.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>

#include "../bits/prefetch.hpp"
#include "linear_probing.hpp"
#include "pod_array.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::containers {

/// Linear probing over a power-of-two array, load factor <= 1/2. A slot is
/// 8 bytes: 32 bits of the key's hash and the value (the flow's slot
/// number); the key itself stays in the flow record, so the caller passes
/// `is_key(value)` to compare the whole key there. The hash bits pick the slot and
/// skip most mismatches, and identity is always the full key comparison
/// (a hash collision never merges two flows). Erase shifts back, so there
/// are no tombstones and lookups stay short after millions of closes.
class FlowTable {
public:
    using Value = std::uint32_t;
    /// candidate()'s answer when no slot carries the hash's tag.
    static constexpr Value none = 0xFFFFFFFFu;

    explicit FlowTable(std::size_t initial_capacity = 1024) { rehash(round_up(initial_capacity)); }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }

    /// The value whose key `is_key(value)` accepts, among those stored under `hash`; or nullptr.
    template <typename IsKey>
    [[nodiscard]] const Value* find(std::uint64_t hash, IsKey&& is_key) const {
        const std::uint32_t tag = tag_of(hash);
        for (std::size_t i = tag & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.tag == 0) return nullptr;
            if (s.tag == tag && is_key(s.value)) return &s.value;
        }
    }

    /// The first value stored under `hash`'s tag (most likely its key's), or
    /// `none`; a prefetch hint that reads only the table.
    [[nodiscard]] Value candidate(std::uint64_t hash) const noexcept {
        const std::uint32_t tag = tag_of(hash);
        for (std::size_t i = tag & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.tag == 0) return none;
            if (s.tag == tag) return s.value;
        }
    }

    /// Stores `value` under `hash`; its key must not be in the table yet.
    void insert(std::uint64_t hash, Value value) {
        if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
        const std::uint32_t tag = tag_of(hash);
        std::size_t i = tag & mask_;
        while (slots_[i].tag != 0) i = (i + 1) & mask_;
        slots_[i] = Slot{tag, value};
        ++size_;
    }

    /// Removes `value`, stored under `hash`, if present.
    void erase(std::uint64_t hash, Value value) noexcept {
        const std::uint32_t tag = tag_of(hash);
        std::size_t i = tag & mask_;
        for (;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.tag == 0) return;
            if (s.tag == tag && s.value == value) break;
        }
        backward_shift_erase(slots_, mask_, i, [](const Slot& slot) { return std::uint64_t{slot.tag}; });
        --size_;
    }

    /// Hints the CPU to load the slot `hash` starts at (batching callers).
    void prefetch(std::uint64_t hash) const noexcept { detail::bits::prefetch(&slots_[tag_of(hash) & mask_]); }

private:
    struct Slot {
        std::uint32_t tag = 0;  // 0 = empty
        Value value = 0;
    };

    // The high half of a well-mixed hash; never 0 so 0 can mean "empty".
    static std::uint32_t tag_of(std::uint64_t hash) noexcept {
        const auto t = static_cast<std::uint32_t>(hash >> 32);
        return t == 0 ? 1u : t;
    }

    static std::size_t round_up(std::size_t n) {
        std::size_t c = 16;
        while (c < n) c *= 2;
        return c;
    }

    void rehash(std::size_t new_capacity) {
        PodArray<Slot> old(new_capacity);
        old.swap(slots_);
        mask_ = slots_.size() - 1;
        for (const Slot& s : old) {
            if (s.tag == 0) continue;
            std::size_t i = s.tag & mask_;
            while (slots_[i].tag != 0) i = (i + 1) & mask_;
            slots_[i] = s;
        }
    }

    PodArray<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

}  // namespace detail::containers
TRACEFLOW_NAMESPACE_END
