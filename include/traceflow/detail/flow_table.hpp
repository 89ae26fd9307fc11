// SPDX-License-Identifier: MIT
// FlowTable: open-addressing map from a whole flow key to a 32-bit slot number.
#pragma once

#include "../version.hpp"

#include <cstdint>
#include <utility>
#include <vector>

#include "linear_probing.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail {

/// Linear probing over a power-of-two array, load factor <= 1/2. Each slot
/// keeps the key and 32 bits of its hash: the hash bits pick the slot and
/// skip most mismatches, and identity is always the full key comparison
/// (a hash collision never merges two flows). Erase shifts back, so there
/// are no tombstones and lookups stay short after millions of closes.
template <typename Key>
class FlowTable {
public:
    using Value = std::uint32_t;

    explicit FlowTable(std::size_t initial_capacity = 1024) { rehash(round_up(initial_capacity)); }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }

    /// The value stored under `key`, or nullptr.
    [[nodiscard]] Value* find(const Key& key, std::uint64_t hash) noexcept {
        const std::uint32_t tag = tag_of(hash);
        for (std::size_t i = tag & mask_;; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.tag == 0) return nullptr;
            if (s.tag == tag && s.key == key) return &s.value;
        }
    }

    /// The value stored under `key`, or nullptr.
    [[nodiscard]] const Value* find(const Key& key, std::uint64_t hash) const noexcept {
        return const_cast<FlowTable*>(this)->find(key, hash);
    }

    /// Finds `key` or inserts it with `value`; returns the stored value and
    /// whether it was inserted.
    std::pair<Value*, bool> try_emplace(const Key& key, std::uint64_t hash, Value value) {
        if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
        const std::uint32_t tag = tag_of(hash);
        std::size_t i = tag & mask_;
        for (;; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.tag == 0) break;
            if (s.tag == tag && s.key == key) return {&s.value, false};
        }
        Slot& s = slots_[i];
        s.tag = tag;
        s.key = key;
        s.value = value;
        ++size_;
        return {&s.value, true};
    }

    /// Removes `key` if present.
    void erase(const Key& key, std::uint64_t hash) noexcept {
        const std::uint32_t tag = tag_of(hash);
        std::size_t i = tag & mask_;
        for (;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.tag == 0) return;
            if (s.tag == tag && s.key == key) break;
        }
        backward_shift_erase(slots_, mask_, i, [](const Slot& slot) { return std::uint64_t{slot.tag}; });
        --size_;
    }

    /// Hints the CPU to load the slot `hash` starts at (batching callers).
    void prefetch(std::uint64_t hash) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
        __builtin_prefetch(&slots_[tag_of(hash) & mask_]);
#else
        (void)hash;
#endif
    }

private:
    struct Slot {
        Key key{};
        Value value = 0;
        std::uint32_t tag = 0;  // 0 = empty
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
        std::vector<Slot> old(new_capacity);
        old.swap(slots_);
        mask_ = slots_.size() - 1;
        for (Slot& s : old) {
            if (s.tag == 0) continue;
            std::size_t i = s.tag & mask_;
            while (slots_[i].tag != 0) i = (i + 1) & mask_;
            slots_[i] = std::move(s);
        }
    }

    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

}  // namespace detail
TRACEFLOW_NAMESPACE_END
