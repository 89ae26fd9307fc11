// SPDX-License-Identifier: MIT
// LabelRegistry: makes flow labels unique (`-g2`, `-g3`, ...), bounded in streaming mode.
#pragma once

#include "../../version.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "../containers/hash_set64.hpp"
#include "../containers/pod_array.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// Two flows of one tuple opened within a microsecond share a label (the
/// time is printed as a double), and so would share a file: the second gets
/// `-g2`, the third `-g3`, ... (pcapkit overwrites the first file). Labels in
/// use are remembered by 64-bit hash: a hash collision can only add a
/// needless suffix, never let two flows share a label. Bounded mode keeps
/// only the labels of the last 2 µs of capture time, so memory stays
/// bounded; time that steps back further than that is then not checked.
class LabelRegistry {
public:
    /// `bounded`: forget labels older than the window (streaming mode).
    explicit LabelRegistry(bool bounded = false) : bounded_(bounded) {}

    /// Makes `label` unique among the labels seen (appending `-gN`) and records it.
    void make_unique(std::string& label, std::int64_t time_ns) {
        if (bounded_) {
            clock_ = std::max(clock_, time_ns);
            // Unsigned difference: exact for any two int64 times, no overflow.
            while (first_ < times_.size() && static_cast<std::uint64_t>(clock_) - times_[first_] > window_ns) {
                hashes_.erase(times_[first_ + 1]);
                first_ += 2;
            }
            if (first_ == times_.size()) {
                times_.clear();
                first_ = 0;
            } else if (first_ >= 128 && first_ * 2 >= times_.size()) {  // the live ones move down, O(1) amortised
                times_.erase_front(first_);
                first_ = 0;
            }
        }
        std::uint64_t h = std::hash<std::string>{}(label);
        if (hashes_.contains(h)) {
            const std::string base = label;
            for (unsigned generation = 2; hashes_.contains(h); ++generation) {
                label = base + "-g" + std::to_string(generation);
                h = std::hash<std::string>{}(label);
            }
        }
        hashes_.insert(h);
        if (bounded_) {
            times_.push_back(static_cast<std::uint64_t>(time_ns));
            times_.push_back(h);
        }
    }

private:
    static constexpr std::uint64_t window_ns = 2'000;
    bool bounded_;
    containers::HashSet64 hashes_;
    // From first_ on, the labels of the window, oldest first (a FIFO): time
    // (as unsigned) then hash, in a vector of a type the tracer compiles anyway.
    containers::PodArray<std::uint64_t> times_;
    std::size_t first_ = 0;
    std::int64_t clock_ = INT64_MIN;
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
