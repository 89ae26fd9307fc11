// SPDX-License-Identifier: MIT
// What the listing shows: which flows (--flows), in which order (--sort), which fields (--fields).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cli {

/// Flow numbers chosen with --flows: `0,3,7-9`.
class FlowSet {
public:
    /// Parses a comma-separated list of numbers and ranges A-B (A <= B); nothing when it is not one.
    static std::optional<FlowSet> parse(std::string_view text) {
        FlowSet set;
        if (text.empty()) return std::nullopt;
        std::size_t from = 0;
        while (from <= text.size()) {
            const std::size_t comma = std::min(text.find(',', from), text.size());
            const std::string_view item = text.substr(from, comma - from);
            const std::size_t dash = item.find('-');
            const auto first = number(item.substr(0, dash));
            const auto last = dash == std::string_view::npos ? first : number(item.substr(dash + 1));
            if (!first || !last || *first > *last) return std::nullopt;
            set.ranges_.emplace_back(*first, *last);
            from = comma + 1;
        }
        std::sort(set.ranges_.begin(), set.ranges_.end());
        return set;
    }

    [[nodiscard]] bool contains(std::uint64_t n) const noexcept {
        auto it = std::upper_bound(ranges_.begin(), ranges_.end(), std::make_pair(n, UINT64_MAX));
        if (it == ranges_.begin()) return false;
        --it;
        return n >= it->first && n <= it->second;
    }

private:
    static std::optional<std::uint64_t> number(std::string_view digits) {
        if (digits.empty() || digits.size() > 19) return std::nullopt;
        std::uint64_t v = 0;
        for (const char c : digits) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        return v;
    }

    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_;
};

/// --sort: the listing's order (none: open flows, then ended ones as they ended).
enum class SortKey { none, first, last, packets, bytes, duration };

/// The --sort keys by name, and what needs statistics.
inline std::optional<SortKey> sort_key(std::string_view name) {
    if (name == "first") return SortKey::first;
    if (name == "last") return SortKey::last;
    if (name == "packets") return SortKey::packets;
    if (name == "bytes") return SortKey::bytes;
    if (name == "duration") return SortKey::duration;
    return std::nullopt;
}

/// The listing's fields (JSON keys, CSV columns) in their default order; the
/// second list is printed only with --stats (a --fields naming one turns it on).
inline const std::vector<std::string_view>& plain_fields() {
    static const std::vector<std::string_view> names{"number", "label", "src",    "srcport", "dst",   "dstport",
                                                     "first",  "last",  "frames", "index",   "fpout", "end_reason"};
    return names;
}
inline const std::vector<std::string_view>& stats_fields() {
    static const std::vector<std::string_view> names{"packets",    "bytes",   "payload",     "duration",
                                                     "syn",        "synack",  "fin",         "rst",
                                                     "conn_state", "history", "community_id"};
    return names;
}

/// Fields of --key-vlan and --key-interface.
inline const std::vector<std::string_view>& key_fields() {
    static const std::vector<std::string_view> names{"vlan", "interface"};
    return names;
}

/// Fields of -f payload.
inline const std::vector<std::string_view>& stream_fields() {
    static const std::vector<std::string_view> names{"streams"};
    return names;
}

/// Every field name, for a usage error.
inline std::string known_fields() {
    std::string all;
    for (const auto* list : {&plain_fields(), &key_fields(), &stats_fields(), &stream_fields()})
        for (const std::string_view name : *list) all.append(all.empty() ? "" : ",").append(name);
    return all;
}

}  // namespace cli
