// SPDX-License-Identifier: MIT
// FlowStore: the open flows: records in reusable slots, the key table, and the opening and last-seen orders.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

#include "../../buffer.hpp"
#include "../../buffer_id.hpp"
#include "../../options.hpp"
#include "../../timestamp.hpp"
#include "../bits/prefetch.hpp"
#include "../containers/flow_table.hpp"
#include "../containers/pod_array.hpp"
#include "../containers/slot_chunks.hpp"
#include "../containers/slot_list.hpp"
#include "flow_key.hpp"
#include "stats_slot.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// One open flow. What every packet touches comes first: the key (the
/// Buffer's id with `scope` and `id_is_a`: the table compares it here) and
/// the frame list, then the orders (the tcp lifecycle keeps its own state). Its
/// first and last times are kept apart (FlowTimes), only when used: with
/// statistics, in the flow's StatsSlot, next to what each packet counts.
template <typename AddressT>
struct OpenFlow {
    BasicBuffer<AddressT> buffer;
    std::uint32_t scope = 0;       // VLAN / interface part of the key
    bool id_is_a = true;           // buffer.id.src is the key's `a` side
    bool orig_is_a = true;         // the originator is the key's `a` side
    containers::SlotLinks recent;  // last-seen order
    containers::SlotLinks opened;  // opening order
};

/// The table key of a tuple: directional as given, or bidirectional with the
/// smaller endpoint first (`from_a` tells whether `src` is the key's `a`).
template <typename AddressT>
[[nodiscard]] FlowKey<AddressT> make_flow_key(const AddressT& src, std::uint16_t srcport, const AddressT& dst,
                                              std::uint16_t dstport, std::uint32_t scope, FlowKeying keying,
                                              bool& from_a) {
    FlowKey<AddressT> k;
    from_a = !(keying == FlowKeying::bidirectional &&
               (values::address_less(dst, src) || (values::address_equal(dst, src) && dstport < srcport)));
    if (from_a) {
        k.a = src;
        k.pa = srcport;
        k.b = dst;
        k.pb = dstport;
    } else {
        k.a = dst;
        k.pa = dstport;
        k.b = src;
        k.pb = srcport;
    }
    k.scope = scope;
    return k;
}

/// What a FlowStore keeps beside each open flow's record.
struct FlowStoreOptions {
    FlowKeying keying = FlowKeying::directional;  ///< how packets are keyed
    bool last_seen_order = false;                 ///< the flows in last-seen order (idle timeouts, max_flows)
    bool statistics = false;                      ///< a StatsSlot per flow (its times live there)
    bool times = false;                           ///< first and last times (FlowTimes) without statistics
};

/// The store a tracer of `options` needs: the one place its options choose the store's behaviour.
[[nodiscard]] inline FlowStoreOptions flow_store_options(const TraceFlowOptions& options) noexcept {
    FlowStoreOptions s;
    s.keying = options.keying;
    s.last_seen_order = options.idle_timeout.count() > 0 || options.max_flows > 0;
    s.statistics = options.statistics;
    s.times = options.flow_times || options.idle_timeout.count() > 0 || options.active_timeout.count() > 0;
    return s;
}

/// Open flows by slot number. Slots of ended flows are reused; the table maps
/// a whole key to its slot; intrusive lists give the opening order and (when
/// asked for) the last-seen order.
template <typename AddressT>
class FlowStore {
public:
    using Key = FlowKey<AddressT>;
    using Flow = OpenFlow<AddressT>;
    using Slots = containers::SlotChunks<Flow>;
    using OpenList = containers::SlotList<Flow, &Flow::opened, Slots>;
    using RecentList = containers::SlotList<Flow, &Flow::recent, Slots>;

    explicit FlowStore(const FlowStoreOptions& options = {})
        : keying_(options.keying),
          recency_(options.last_seen_order),
          statistics_(options.statistics),
          times_on_(options.statistics || options.times) {}

    [[nodiscard]] std::size_t size() const noexcept { return table_.size(); }
    [[nodiscard]] Flow& operator[](std::uint32_t id) noexcept { return flows_[id]; }
    [[nodiscard]] const Flow& operator[](std::uint32_t id) const noexcept { return flows_[id]; }
    [[nodiscard]] std::size_t slots() const noexcept { return flows_.size(); }
    [[nodiscard]] bool statistics() const noexcept { return statistics_; }
    [[nodiscard]] StatsSlot& stats(std::uint32_t id) noexcept { return stats_[id]; }
    [[nodiscard]] const StatsSlot& stats(std::uint32_t id) const noexcept { return stats_[id]; }
    /// Whether times() are kept.
    [[nodiscard]] bool keeps_times() const noexcept { return times_on_; }
    [[nodiscard]] FlowTimes& times(std::uint32_t id) noexcept { return statistics_ ? stats_[id].times : times_[id]; }
    [[nodiscard]] const FlowTimes& times(std::uint32_t id) const noexcept {
        return statistics_ ? stats_[id].times : times_[id];
    }

    /// The slot of the open flow keyed `key`, or nullptr.
    [[nodiscard]] const std::uint32_t* find(const Key& key, std::uint64_t hash) const noexcept {
        return table_.find(hash, [&](std::uint32_t id) noexcept { return has_key(id, key); });
    }
    /// The slot most likely to hold the flow of `hash` (FlowTable::none when
    /// none can): a prefetch hint that reads the table only.
    [[nodiscard]] std::uint32_t candidate(std::uint64_t hash) const noexcept { return table_.candidate(hash); }
    void prefetch(std::uint64_t hash) const noexcept { table_.prefetch(hash); }

    /// The table key of open flow `id`.
    [[nodiscard]] Key key_of(std::uint32_t id) const {
        const Flow& f = flows_[id];
        bool from_a = true;
        return make_flow_key(f.buffer.id.src, f.buffer.id.srcport, f.buffer.id.dst, f.buffer.id.dstport, f.scope,
                             keying_, from_a);
    }

    /// A fresh slot, not yet in the table (its statistics reset).
    std::uint32_t allocate() {
        std::uint32_t id;
        if (!free_.empty()) {
            id = free_.back();
            free_.pop_back();
        } else {
            id = static_cast<std::uint32_t>(flows_.size());
            flows_.emplace_back();
        }
        if (statistics_) {
            stats_.grow_to(std::size_t{id} + 1);
            stats_[id] = StatsSlot{};
        }
        if (times_on_ && !statistics_) times_.grow_to(std::size_t{id} + 1);
        return id;
    }

    /// Makes slot `id`, whose buffer.id is set, the open flow of `key`, not
    /// open yet (newest in both orders).
    void insert(std::uint32_t id, const Key& key, std::uint64_t hash) {
        Flow& f = flows_[id];
        f.scope = key.scope;
        f.id_is_a = values::address_equal(f.buffer.id.src, key.a) && f.buffer.id.srcport == key.pa;
        table_.insert(hash, id);
        opened_.push_back(flows_, id);
        if (recency_) recent_.push_back(flows_, id);
    }

    /// A packet of flow `id` was seen.
    void touch(std::uint32_t id) noexcept {
        if (recency_) recent_.move_to_back(flows_, id);
    }

    /// Removes flow `id` from the table and orders and frees its slot.
    void release(std::uint32_t id) {
        table_.erase(hash_value(key_of(id)), id);
        opened_.erase(flows_, id);
        if (recency_) recent_.erase(flows_, id);
        flows_[id] = Flow{};
        free_.push_back(id);
    }

    /// Prefetch hints (batched tracing): a flow record, then the end of its frame list.
    void prefetch_record(std::uint32_t id) const noexcept {
        const char* record = reinterpret_cast<const char*>(&flows_[id]);
        for (std::size_t line = 0; line < sizeof(Flow); line += 64) detail::bits::prefetch(record + line, true);
    }
    void prefetch_frames(std::uint32_t id) const noexcept {
        if (const std::uint8_t* end = flows_[id].buffer.index.append_position()) detail::bits::prefetch(end, true);
    }

    /// Whether a packet touches more than its record and frames: statistics,
    /// times, or last-seen neighbours (prefetch_side() has work).
    [[nodiscard]] bool has_side_data() const noexcept { return statistics_ || times_on_ || recency_; }
    /// Prefetch hint for what else a packet of flow `id` writes: its
    /// statistics and times, and (last-seen order kept) its neighbours'
    /// links, read from its record, which should be in cache by now.
    void prefetch_side(std::uint32_t id) const noexcept {
        if (statistics_) {
            const char* slot = reinterpret_cast<const char*>(&stats_[id]);
            detail::bits::prefetch(slot, true);
            detail::bits::prefetch(slot + 64, true);
        } else if (times_on_) {
            detail::bits::prefetch(&times_[id], true);  // with statistics they are in the slot
        }
        if (recency_) {
            const containers::SlotLinks& links = flows_[id].recent;
            if (links.prev < flows_.size()) detail::bits::prefetch(&flows_[links.prev].recent, true);
            if (links.next < flows_.size()) detail::bits::prefetch(&flows_[links.next].recent, true);
        }
    }

    /// Oldest open flow (no_slot when none), and the next in opening order.
    [[nodiscard]] std::uint32_t first_opened() const noexcept { return opened_.front(); }
    [[nodiscard]] std::uint32_t next_opened(std::uint32_t id) const noexcept { return OpenList::next(flows_, id); }
    /// Least recently seen open flow (no_slot when none or not tracked).
    [[nodiscard]] std::uint32_t least_recent() const noexcept { return recent_.front(); }

    /// The open flows' Buffers in opening order, as a forward range.
    class OpenRange {
    public:
        class iterator {
        public:
            using value_type = BasicBuffer<AddressT>;
            using reference = const value_type&;
            using pointer = const value_type*;
            using difference_type = std::ptrdiff_t;
            using iterator_category = std::forward_iterator_tag;

            iterator(const FlowStore* store, std::uint32_t id) noexcept : store_(store), id_(id) {}
            reference operator*() const noexcept { return (*store_)[id_].buffer; }
            pointer operator->() const noexcept { return &(*store_)[id_].buffer; }
            iterator& operator++() noexcept {
                id_ = store_->next_opened(id_);
                return *this;
            }
            iterator operator++(int) noexcept {
                iterator old = *this;
                ++*this;
                return old;
            }
            friend bool operator==(const iterator& x, const iterator& y) noexcept { return x.id_ == y.id_; }
            friend bool operator!=(const iterator& x, const iterator& y) noexcept { return x.id_ != y.id_; }

        private:
            const FlowStore* store_;
            std::uint32_t id_;
        };

        explicit OpenRange(const FlowStore& store) noexcept : store_(&store) {}
        [[nodiscard]] iterator begin() const noexcept { return {store_, store_->first_opened()}; }
        [[nodiscard]] iterator end() const noexcept { return {store_, containers::no_slot}; }
        [[nodiscard]] std::size_t size() const noexcept { return store_->size(); }
        [[nodiscard]] bool empty() const noexcept { return store_->size() == 0; }

    private:
        const FlowStore* store_;
    };

private:
    FlowKeying keying_;
    bool recency_;     // FlowStoreOptions::last_seen_order
    bool statistics_;  // FlowStoreOptions::statistics
    bool times_on_;    // statistics or FlowStoreOptions::times
    // Whether open flow `id` is keyed `key` (the table keeps no keys: they are here).
    [[nodiscard]] bool has_key(std::uint32_t id, const Key& key) const noexcept {
        const Flow& f = flows_[id];
        const BufferID<AddressT>& b = f.buffer.id;
        if (f.scope != key.scope) return false;
        return f.id_is_a ? b.srcport == key.pa && b.dstport == key.pb && values::address_equal(b.src, key.a) &&
                               values::address_equal(b.dst, key.b)
                         : b.dstport == key.pa && b.srcport == key.pb && values::address_equal(b.dst, key.a) &&
                               values::address_equal(b.src, key.b);
    }

    containers::FlowTable table_;
    Slots flows_;                              // slots, reused through free_
    containers::SlotChunks<StatsSlot> stats_;  // by slot, only with statistics on
    containers::SlotChunks<FlowTimes> times_;  // by slot, when times are kept without statistics
    containers::PodArray<std::uint32_t> free_;
    OpenList opened_;
    RecentList recent_;
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
