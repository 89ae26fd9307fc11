// SPDX-License-Identifier: MIT
// HashSet64: a flat set of 64-bit hashes (the labels in use).
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include "linear_probing.hpp"
#include "pod_array.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::containers {

/// Linear probing over a power-of-two array of the values themselves, load
/// factor <= 1/2: no node per element (std::unordered_set allocates one per
/// insert, once per flow). Erase shifts back, so no tombstones pile up in
/// streaming use. The values are hashes already, so their low bits pick the slot.
class HashSet64 {
public:
    HashSet64() : slots_(64), mask_(63) {}

    [[nodiscard]] std::size_t size() const noexcept { return size_; }

    [[nodiscard]] bool contains(std::uint64_t value) const noexcept {
        const std::uint64_t v = stored(value);
        for (std::size_t i = v & mask_;; i = (i + 1) & mask_) {
            if (slots_[i] == 0) return false;
            if (slots_[i] == v) return true;
        }
    }

    /// Adds `value`; returns false when it was there already.
    bool insert(std::uint64_t value) {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        const std::uint64_t v = stored(value);
        std::size_t i = v & mask_;
        for (; slots_[i] != 0; i = (i + 1) & mask_)
            if (slots_[i] == v) return false;
        slots_[i] = v;
        ++size_;
        return true;
    }

    /// Removes `value` if present.
    void erase(std::uint64_t value) noexcept {
        const std::uint64_t v = stored(value);
        std::size_t i = v & mask_;
        for (;; i = (i + 1) & mask_) {
            if (slots_[i] == 0) return;
            if (slots_[i] == v) break;
        }
        backward_shift_erase(slots_, mask_, i, [](std::uint64_t slot) { return slot; });
        --size_;
    }

private:
    // 0 marks an empty slot, so the value 0 is stored as 1 (a set of hashes
    // can only gain a false "present", which costs a needless label suffix).
    static std::uint64_t stored(std::uint64_t value) noexcept { return value == 0 ? 1 : value; }

    void grow() {
        PodArray<std::uint64_t> old(slots_.size() * 2);
        old.swap(slots_);
        mask_ = slots_.size() - 1;
        for (const std::uint64_t v : old) {
            if (v == 0) continue;
            std::size_t i = v & mask_;
            while (slots_[i] != 0) i = (i + 1) & mask_;
            slots_[i] = v;
        }
    }

    PodArray<std::uint64_t> slots_;
    std::size_t mask_;
    std::size_t size_ = 0;
};

}  // namespace detail::containers
TRACEFLOW_NAMESPACE_END
