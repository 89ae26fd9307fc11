// SPDX-License-Identifier: MIT
// trace_pipelined: runs packets through a flow store in three prefetch stages, so their cache misses overlap.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>

#include "../containers/slot_list.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// Traces packets 0..count-1 in order through `trace(i, key, hash, from_a)`,
/// with exactly its effect, after prefetching for each packet a few packets
/// ahead: its table slot (16 ahead), its flow record (8 ahead), the end of
/// its frame list (4 ahead), each stage waiting for what the one before
/// brought in. `make_key(i, from_a)` gives packet i's key.
template <typename Key, bool PrefetchSide, typename Store, typename MakeKey, typename Trace>
void trace_pipelined_as(std::size_t count, const Store& store, MakeKey&& make_key, Trace&& trace) {
    constexpr std::size_t ahead = 16;
    constexpr std::size_t record_ahead = 8;
    constexpr std::size_t frames_ahead = 4;
    struct Pending {
        Key key;
        std::uint64_t hash;
        std::uint32_t id;  // open flow found at the record stage, or none
        bool from_a;
    };
    constexpr std::size_t ring_size = 2 * ahead;  // packet i's entry outlives i + ahead
    Pending ring[ring_size];
    for (std::size_t i = 0; i < count + ahead; ++i) {
        if (i < count) {
            Pending& p = ring[i % ring_size];
            p.key = make_key(i, p.from_a);
            p.hash = hash_value(p.key);
            store.prefetch(p.hash);
        }
        if (i >= record_ahead && i - record_ahead < count) {
            Pending& p = ring[(i - record_ahead) % ring_size];
            // The table's first slot with the hash's tag: the key is compared in
            // the record, which this brings in (a rare tag clash costs a wasted hint).
            const std::uint32_t found = store.candidate(p.hash);
            p.id = found < store.slots() ? found : containers::no_slot;
            if (p.id != containers::no_slot) store.prefetch_record(p.id);
        }
        if (i >= frames_ahead + record_ahead && i - frames_ahead - record_ahead < count) {
            const Pending& p = ring[(i - frames_ahead - record_ahead) % ring_size];
            // The flow may have ended since; any live slot is a harmless hint.
            if (p.id != containers::no_slot && p.id < store.slots()) {
                store.prefetch_frames(p.id);
                if constexpr (PrefetchSide) store.prefetch_side(p.id);
            }
        }
        if (i >= ahead) {
            const Pending& p = ring[(i - ahead) % ring_size];
            // Looked up again, in cache now: the packets in between may have
            // opened or ended this flow.
            trace(i - ahead, p.key, p.hash, p.from_a);
        }
    }
}

/// trace_pipelined_as() with the frames stage also prefetching each flow's
/// statistics, times and last-seen neighbours when the store keeps them: a
/// loop of its own, so modes without them compile to the plain loop.
template <typename Key, typename Store, typename MakeKey, typename Trace>
void trace_pipelined(std::size_t count, const Store& store, MakeKey&& make_key, Trace&& trace) {
    if (store.has_side_data())
        trace_pipelined_as<Key, true>(count, store, std::forward<MakeKey>(make_key), std::forward<Trace>(trace));
    else
        trace_pipelined_as<Key, false>(count, store, std::forward<MakeKey>(make_key), std::forward<Trace>(trace));
}

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
