// SPDX-License-Identifier: MIT
// FlowRecordCodec: one ended flow's record as compact bytes, and back (the format EndedFlows keeps).
#pragma once

#include "../../version.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../../buffer_id.hpp"
#include "../../community_id.hpp"
#include "../../end_reason.hpp"
#include "../../flow_stats.hpp"
#include "../../frame_numbers.hpp"
#include "../../ip_address.hpp"
#include "../../timestamp.hpp"
#include "../bits/varint.hpp"
#include "../containers/pod_array.hpp"
#include "../meta/index_fields.hpp"
#include "../text/label_prefix.hpp"
#include "stats_codec.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// A record is, in order: a head byte (end reason, path kind, two flags);
/// the label (without the part its key makes, as in every label TraceFlow
/// makes; a time part two characters a byte); the flow's number; any path not of the tracer's
/// pattern; the frame numbers as zigzag varint deltas; the key's non-zero
/// bytes after a bitmap of them (keys that are not trivially copyable are
/// kept beside, in `ids`); the first and last times unless they are the
/// statistics' own or zero; and any statistics as varints, without the
/// Community ID when the key gives it. About 70 bytes for 43 frames and an IPv4 key.
template <typename IndexT>
class FlowRecordCodec {
public:
    using flow_id = typename meta::flow_id_of<IndexT>::type;

    /// Paths equal to `prefix + label + suffix` are stored as one bit (the
    /// tracer's output folder and extension); other paths are stored whole.
    void set_path_pattern(std::string prefix, std::string suffix) {
        prefix_ = std::move(prefix);
        suffix_ = std::move(suffix);
    }

    /// Encodes `record` with the frame numbers of `record.index` into `out`.
    void encode(const IndexT& record, containers::PodArray<std::uint8_t>& out, std::vector<flow_id>& ids) {
        const bool times = put_head(record, out);
        bits::append_varint(out, record.index.size());
        // Encoded through a small buffer: a push_back per byte was a call per byte.
        std::uint8_t chunk[512];
        std::size_t used = 0;
        std::uint64_t previous = 0;
        for (const std::uint64_t frame : record.index) {
            if (used > sizeof chunk - bits::max_varint_bytes) {
                out.insert(out.end(), chunk, chunk + used);
                used = 0;
            }
            used = static_cast<std::size_t>(bits::write_varint(chunk + used, bits::zigzag(frame - previous)) - chunk);
            previous = frame;
        }
        out.insert(out.end(), chunk, chunk + used);
        const std::string made = record.stats != nullptr ? key_community_id(record) : std::string();
        put_rest(record, times, !made.empty() && made == record.stats->community_id, out, ids);
    }

    /// Encodes `record` with `frames` as its frame numbers, their deltas
    /// copied as they are (`record.index` is not read). Its statistics'
    /// Community ID must be the one its key gives, or empty.
    void encode(const IndexT& record, const FrameNumbers& frames, containers::PodArray<std::uint8_t>& out,
                std::vector<flow_id>& ids) {
        const bool times = put_head(record, out);
        bits::append_varint(out, frames.size());
        if (frames.bytes_used() != 0) out.insert(out.end(), frames.deltas(), frames.deltas() + frames.bytes_used());
        put_rest(record, times, std::is_same_v<flow_id, BufferID<IpAddress>>, out, ids);
    }

    /// Makes `out` the record encoded at `p`, reusing its room; `stored_id`
    /// is its key when keys are kept beside (not trivially copyable).
    void decode(const std::uint8_t* p, IndexT& out, const flow_id* stored_id) const {
        out.fpout.reset();
        out.label.clear();
        out.stats.reset();
        out.reason = static_cast<EndReason>(*p & 0x0Fu);
        const auto kind = static_cast<PathKind>(*p >> 4 & 3u);
        const bool key_label = (*p & label_from_key) != 0;
        const bool stats = (*p & has_stats) != 0;
        ++p;
        const std::uint64_t label_head = bits::read_varint(p);  // size << 2 | times << 1 | packed
        const auto label_size = static_cast<std::size_t>(label_head >> 2);
        const std::uint8_t* label = p;
        p += (label_head & 1) != 0 ? (label_size + 1) / 2 : label_size;
        if constexpr (meta::has_flow_number<IndexT>::value) {
            // number << 1 | scoped, then the VLAN and interface when scoped.
            const std::uint64_t number = bits::read_varint(p);
            out.number = number >> 1;
            if constexpr (meta::has_flow_scope<IndexT>::value) {
                out.vlan = out.interface = 0;
                if ((number & 1u) != 0) {
                    out.vlan = static_cast<std::uint32_t>(bits::read_varint(p));
                    out.interface = static_cast<std::uint32_t>(bits::read_varint(p));
                }
            }
        }
        if (kind == PathKind::explicit_path) out.fpout = bits::read_text(p);
        out.index.resize(static_cast<std::size_t>(bits::read_varint(p)));
        std::uint64_t previous = 0;
        for (std::uint64_t& frame : out.index) {
            previous += bits::unzigzag(bits::read_varint(p));
            frame = previous;
        }
        if constexpr (meta::has_flow_id<IndexT>::value) {
            if constexpr (std::is_trivially_copyable_v<flow_id>) {
                std::uint8_t bytes[sizeof(out.id)] = {};
                const std::uint8_t* map = p;
                p += (sizeof bytes + 7) / 8;
                for (std::size_t k = 0; k < sizeof bytes; ++k)
                    if ((map[k / 8] >> (k % 8) & 1u) != 0) bytes[k] = *p++;
                std::memcpy(&out.id, bytes, sizeof bytes);
                (void)stored_id;
            } else {
                out.id = *stored_id;
            }
            if constexpr (is_buffer_id<flow_id>::value) {
                if (key_label)
                    text::append_label_prefix(out.label, out.id.src, out.id.srcport, out.id.dst, out.id.dstport);
            }
        } else {
            (void)stored_id;
        }
        if ((label_head & 1) != 0) {
            for (std::size_t k = 0; k < label_size; ++k)
                out.label.push_back(time_chars[label[k / 2] >> (k % 2 * 4) & 15u]);
        } else {
            out.label.append(reinterpret_cast<const char*>(label), label_size);
        }
        if (kind == PathKind::pattern) out.fpout = prefix_ + out.label + suffix_;
        Timestamp first;
        Timestamp last;
        if ((label_head & 2) != 0) {
            first.sec = static_cast<std::int64_t>(bits::unzigzag(bits::read_varint(p)));
            first.nsec = static_cast<std::uint32_t>(bits::read_varint(p));
            last.sec =
                static_cast<std::int64_t>(static_cast<std::uint64_t>(first.sec) + bits::unzigzag(bits::read_varint(p)));
            last.nsec = static_cast<std::uint32_t>(bits::read_varint(p));
        }
        if (stats) {
            bool community_known = false;
            FlowStats s = get_stats(p, community_known);
            if (community_known) s.community_id = key_community_id(out);
            if ((label_head & 2) == 0) {
                first = s.first;
                last = s.last;
            }
            out.stats = std::make_shared<const FlowStats>(std::move(s));  // as StatsSlot::finished(): one instantiation
        }
        if constexpr (meta::has_flow_times<IndexT>::value) {
            out.first = first;
            out.last = last;
        }
    }

private:
    template <typename T>
    struct is_buffer_id : std::false_type {};
    template <typename A>
    struct is_buffer_id<BufferID<A>> : std::true_type {};

    enum class PathKind : std::uint8_t { none = 0, pattern = 1, explicit_path = 2 };
    static constexpr unsigned label_from_key = 0x40;  // head bit: the label's key part is not stored
    static constexpr unsigned has_stats = 0x80;       // head bit: statistics follow the key

    // The head byte, the label and any explicit path; returns whether the
    // record's own times follow its key (own_times()).
    bool put_head(const IndexT& record, containers::PodArray<std::uint8_t>& out) {
        out.clear();
        const std::string* path = record.fpout ? &*record.fpout : nullptr;
        const PathKind kind = path == nullptr                   ? PathKind::none
                              : is_pattern(*path, record.label) ? PathKind::pattern
                                                                : PathKind::explicit_path;
        // A label that starts as its key makes it (make_label) keeps only the rest.
        const std::size_t key_part = label_prefix_size(record);
        out.push_back(static_cast<std::uint8_t>(
            static_cast<unsigned>(record.reason) | static_cast<unsigned>(kind) << 4 |
            (key_part != 0 ? label_from_key : 0u) | (record.stats != nullptr ? has_stats : 0u)));
        const bool times = own_times(record);
        put_label_tail(record.label.data() + key_part, record.label.size() - key_part, times, out);
        if constexpr (meta::has_flow_number<IndexT>::value) {
            bool scoped = false;
            if constexpr (meta::has_flow_scope<IndexT>::value) scoped = record.vlan != 0 || record.interface != 0;
            bits::append_varint(out, record.number << 1 | (scoped ? 1u : 0u));
            if constexpr (meta::has_flow_scope<IndexT>::value) {
                if (scoped) {
                    bits::append_varint(out, record.vlan);
                    bits::append_varint(out, record.interface);
                }
            }
        }
        if (kind == PathKind::explicit_path) bits::append_text(out, *path);
        return times;
    }
    // Whether the record's times are stored on their own: not zero, and not
    // the statistics' (which are stored there).
    static bool own_times(const IndexT& record) noexcept {
        if constexpr (meta::has_flow_times<IndexT>::value) {
            if (record.stats != nullptr)
                return record.first != record.stats->first || record.last != record.stats->last;
            return record.first != Timestamp{} || record.last != Timestamp{};
        } else {
            (void)record;
            return false;
        }
    }
    static void put_times(const IndexT& record, containers::PodArray<std::uint8_t>& out) {
        if constexpr (meta::has_flow_times<IndexT>::value) {
            bits::append_varint(out, bits::zigzag(static_cast<std::uint64_t>(record.first.sec)));
            bits::append_varint(out, record.first.nsec);
            bits::append_varint(out, bits::zigzag(static_cast<std::uint64_t>(record.last.sec) -
                                                  static_cast<std::uint64_t>(record.first.sec)));
            bits::append_varint(out, record.last.nsec);
        } else {
            (void)record;
            (void)out;
        }
    }
    // The key, then the statistics (~40 bytes, not a FlowStats of ~300).
    static void put_rest(const IndexT& record, bool times, bool community_from_key, containers::PodArray<std::uint8_t>& out,
                         std::vector<flow_id>& ids) {
        if constexpr (meta::has_flow_id<IndexT>::value) {
            if constexpr (std::is_trivially_copyable_v<flow_id>) {
                // A bitmap of the key's non-zero bytes, then those bytes: an
                // IPv4 key is mostly zeros (addresses are 16-byte arrays).
                std::uint8_t bytes[sizeof(record.id)];
                std::memcpy(bytes, &record.id, sizeof bytes);
                const std::size_t map_at = out.size();
                out.resize(map_at + (sizeof bytes + 7) / 8, 0);
                for (std::size_t i = 0; i < sizeof bytes; ++i) {
                    if (bytes[i] == 0) continue;
                    out[map_at + i / 8] = static_cast<std::uint8_t>(out[map_at + i / 8] | 1u << (i % 8));
                    out.push_back(bytes[i]);
                }
                (void)ids;
            } else {
                ids.push_back(record.id);
            }
        } else {
            (void)ids;
        }
        if (times) put_times(record, out);
        if (record.stats != nullptr) put_stats(out, *record.stats, community_from_key);
    }
    // The Community ID an IpAddress key gives (empty for other keys): not stored when it is the statistics' one.
    static std::string key_community_id(const IndexT& record) {
        if constexpr (std::is_same_v<flow_id, BufferID<IpAddress>>)
            return community_id(record.id.src, record.id.srcport, record.id.dst, record.id.dstport);
        (void)record;
        return {};
    }

    // A label's time part ("1796024674.626853", "-g2") packs two characters a byte.
    static constexpr char time_chars[16] = "0123456789.-+eg";
    static unsigned time_code(char c) noexcept {
        for (unsigned k = 0; k < 15; ++k)
            if (time_chars[k] == c) return k;
        return 15;
    }
    // The label from `tail` on: its size << 2 | times << 1 | packed, then its
    // bytes (packed when all are time_chars); `times`: the record's own times follow the key.
    static void put_label_tail(const char* tail, std::size_t n, bool times, containers::PodArray<std::uint8_t>& out) {
        bool packable = true;
        for (std::size_t k = 0; k < n && packable; ++k) packable = time_code(tail[k]) != 15;
        bits::append_varint(out, std::uint64_t{n} << 2 | (times ? 2u : 0u) | (packable ? 1u : 0u));
        if (!packable) {
            // As bytes: the insert the frame deltas use, not one more instantiation.
            const auto* bytes = reinterpret_cast<const std::uint8_t*>(tail);
            out.insert(out.end(), bytes, bytes + n);
            return;
        }
        for (std::size_t k = 0; k < n; k += 2)
            out.push_back(
                static_cast<std::uint8_t>(time_code(tail[k]) | (k + 1 < n ? time_code(tail[k + 1]) << 4 : 0u)));
    }

    // Length of the part of `record.label` its key makes, when the label starts with it (else 0).
    std::size_t label_prefix_size(const IndexT& record) {
        if constexpr (is_buffer_id<flow_id>::value) {
            label_scratch_.clear();
            text::append_label_prefix(label_scratch_, record.id.src, record.id.srcport, record.id.dst,
                                      record.id.dstport);
            if (record.label.compare(0, label_scratch_.size(), label_scratch_) == 0) return label_scratch_.size();
        }
        (void)record;
        return 0;
    }

    bool is_pattern(const std::string& path, const std::string& label) const {
        return path.size() == prefix_.size() + label.size() + suffix_.size() &&
               path.compare(0, prefix_.size(), prefix_) == 0 &&
               path.compare(prefix_.size(), label.size(), label) == 0 &&
               path.compare(prefix_.size() + label.size(), suffix_.size(), suffix_) == 0;
    }

    std::string label_scratch_;
    std::string prefix_;
    std::string suffix_;
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END
