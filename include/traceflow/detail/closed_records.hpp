// SPDX-License-Identifier: MIT
// ClosedRecords: where a tracer keeps the records of ended flows (one small class, to be swapped for a compact one).
#pragma once

#include <deque>
#include <utility>

namespace traceflow::detail {

/// The ended flows' records in ending order. A deque: records never move
/// once made, and growing never copies them.
template <typename IndexT>
class ClosedRecords {
public:
    using container_type = std::deque<IndexT>;

    /// Keeps `record` after the others and returns it.
    const IndexT& push_back(IndexT&& record) {
        records_.push_back(std::move(record));
        return records_.back();
    }
    /// All records kept, in ending order.
    [[nodiscard]] const container_type& all() const noexcept { return records_; }
    [[nodiscard]] std::size_t size() const noexcept { return records_.size(); }
    /// Drops every record kept.
    void clear() noexcept { records_.clear(); }

private:
    container_type records_;
};

}  // namespace traceflow::detail
