// SPDX-License-Identifier: MIT
// StreamFollower: wraps a TraceFlow and hands each flow's byte streams, per direction, to a consumer.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../byte_view.hpp"
#include "../detail/meta/packet_fields.hpp"
#include "../detail/meta/tracer_traits.hpp"
#include "../timestamp.hpp"
#include "reassembly_options.hpp"
#include "stream_reassembler.hpp"
#include "stream_summary.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Which stream an event is about.
template <typename KeyT>
struct StreamInfo {
    std::uint64_t flow = 0;                             ///< the flow's number (Buffer::number)
    StreamDirection direction = StreamDirection::orig;  ///< who sent the bytes
    const KeyT* key = nullptr;                          ///< the flow's key (src: the originator); valid during the call
};

namespace detail::stream {
template <typename C, typename Info, typename = void>
struct has_on_gap : std::false_type {};
template <typename C, typename Info>
struct has_on_gap<
    C, Info,
    std::void_t<decltype(std::declval<C&>().on_gap(std::declval<const Info&>(), std::uint64_t{}, std::uint64_t{}))>>
    : std::true_type {};
template <typename C, typename Info, typename = void>
struct has_on_conflict : std::false_type {};
template <typename C, typename Info>
struct has_on_conflict<C, Info,
                       std::void_t<decltype(std::declval<C&>().on_conflict(std::declval<const Info&>(), std::uint64_t{},
                                                                           std::uint64_t{}))>> : std::true_type {};
template <typename C, typename Info, typename = void>
struct has_on_end : std::false_type {};
template <typename C, typename Info>
struct has_on_end<
    C, Info,
    std::void_t<decltype(std::declval<C&>().on_end(std::declval<const Info&>(), std::declval<const StreamSummary&>()))>>
    : std::true_type {};
template <typename>
inline constexpr bool always_false = false;
}  // namespace detail::stream

/// Follows the bytes of every flow a TraceFlow traces: each packet goes to the
/// tracer, then its payload to its flow's stream of its direction, and the
/// consumer gets, per stream, the bytes in order with their 64-bit offsets
/// and the gaps, conflicts and end (see StreamReassembler for the rules).
/// Flows are the tracer's, in any mode: pcapkit's directional flows have one
/// stream (`orig`), bidirectional ones two. A stream ends when its flow ends,
/// or at finish() for flows still open; nothing held is dropped without a
/// gap. The consumer has
/// - `void on_data(const StreamInfo<Key>&, std::uint64_t offset, ByteView bytes)` (required),
/// - `on_gap(info, offset, length)`, `on_conflict(info, offset, length)`,
///   `on_end(info, const StreamSummary&)` (each optional).
///
/// Packets must give `seq` and their payload (`payload`, or `payload_offset`
/// into the frame): CapturePacket does. Without a consumer (nullptr) the
/// follower only forwards to the tracer.
///
/// ```cpp
/// #include <traceflow/feed/capture_packet.hpp>
/// #include <traceflow/stream/stream_follower.hpp>
/// #include <traceflow/trace_flow.hpp>
/// #include <string>
///
/// struct Collect {
///     std::string bytes;
///     void on_data(const traceflow::StreamInfo<traceflow::BufferID<traceflow::IpAddress>>&, std::uint64_t,
///                  traceflow::ByteView data) {
///         bytes.append(reinterpret_cast<const char*>(data.data), data.size);
///     }
/// };
///
/// int main() {
///     traceflow::TraceFlow<traceflow::CapturePacket> tracer;
///     Collect collect;
///     traceflow::StreamFollower follower(tracer, &collect);
///     // traceflow::feed("in.pcap", follower, stats); then:
///     follower.finish();
///     return collect.bytes.empty() ? 0 : 1;
/// }
/// ```
template <typename Tracer, typename Consumer>
class StreamFollower {
public:
    using key_type = typename Tracer::key_type;
    using index_type = typename Tracer::index_type;
    using info_type = StreamInfo<key_type>;
    using Callback = std::function<void(const index_type&)>;

    /// Keeps references to `tracer` and `consumer` (null: follow nothing); both must outlive the follower.
    StreamFollower(Tracer& tracer, Consumer* consumer, ReassemblyOptions options = {})
        : tracer_(&tracer), consumer_(consumer), options_(options) {
        if (consumer_ != nullptr)
            tracer_->register_callback([this](const index_type& ended) {
                pending_.push_back(ended.number);
                if (!callbacks_.empty()) pending_records_.push_back(ended);
            });
    }
    StreamFollower(const StreamFollower&) = delete;
    StreamFollower& operator=(const StreamFollower&) = delete;
    /// Ends the streams still open (finish() reports errors; this cannot).
    ~StreamFollower() {
        try {
            end_open_streams();
        } catch (...) {  // a destructor must not throw
        }
    }

    /// Runs `callback` with each ended flow's record after its streams ended.
    void register_callback(Callback callback) {
        if (consumer_ == nullptr)
            tracer_->register_callback(std::move(callback));
        else
            callbacks_.push_back(std::move(callback));
    }

    /// The tracer's dump(), then the packet's payload into its stream.
    template <typename PacketT>
    auto dump(const PacketT& packet) {
        auto handle = tracer_->dump(packet);
        if (consumer_ != nullptr) {
            follow(packet, handle.number, *handle.id);
            settle();
        }
        return handle;
    }
    /// Same as dump().
    template <typename PacketT>
    auto operator()(const PacketT& packet) {
        return dump(packet);
    }
    /// The tracer's trace(), then the packet's payload into its stream.
    template <typename PacketT>
    decltype(auto) trace(const PacketT& packet) {
        decltype(auto) buffer = tracer_->trace(packet);
        if (consumer_ != nullptr) {
            follow(packet, buffer.number, buffer.id);
            settle();
        }
        return buffer;
    }
    /// The tracer's trace_batch() when following nothing; else trace() each.
    template <typename PacketT>
    void trace_batch(const PacketT* packets, std::size_t count) {
        if (consumer_ == nullptr) {
            tracer_->trace_batch(packets, count);
            return;
        }
        for (std::size_t i = 0; i < count; ++i) trace(packets[i]);
    }

    /// The tracer's advance() (flows it ends end their streams).
    void advance(const Timestamp& now) {
        tracer_->advance(now);
        settle();
    }
    /// The tracer's end_of_input() (every flow ends, and its streams).
    void end_of_input() {
        tracer_->end_of_input();
        settle();
    }
    /// Ends the streams of flows still open (in their opening order), then
    /// the tracer's finish(). Call once, at the end.
    void finish() {
        end_open_streams();
        tracer_->finish();
    }

    /// Whether the feeds must keep frame bytes: always when following.
    [[nodiscard]] bool needs_frame_bytes() const {
        return consumer_ != nullptr || detail::meta::needs_frame_bytes(*tracer_);
    }
    /// The tracer's writes_files().
    [[nodiscard]] bool writes_files() const { return tracer_->writes_files(); }
    /// Out-of-order bytes held over all streams now.
    [[nodiscard]] std::size_t held_bytes() const noexcept { return total_held_; }
    /// The wrapped tracer.
    [[nodiscard]] Tracer& tracer() noexcept { return *tracer_; }
    [[nodiscard]] const ReassemblyOptions& options() const noexcept { return options_; }

private:
    struct FlowStreams {
        key_type key;
        std::optional<StreamReassembler> side[2];
    };

    // A StreamReassembler's events, as the consumer's calls for one stream.
    struct Sink {
        Consumer* consumer;
        info_type info;
        void data(std::uint64_t offset, ByteView bytes) { consumer->on_data(info, offset, bytes); }
        void gap(std::uint64_t offset, std::uint64_t length) {
            if constexpr (detail::stream::has_on_gap<Consumer, info_type>::value)
                consumer->on_gap(info, offset, length);
        }
        void conflict(std::uint64_t offset, std::uint64_t length) {
            if constexpr (detail::stream::has_on_conflict<Consumer, info_type>::value)
                consumer->on_conflict(info, offset, length);
        }
    };

    template <typename PacketT>
    void follow(const PacketT& packet, std::uint64_t number, const key_type& key) {
        if constexpr (!detail::meta::packet_has_stream_fields<PacketT>) {
            static_assert(detail::stream::always_false<PacketT>,
                          "traceflow::StreamFollower: the packet type needs `seq` and `payload` (the TCP payload's "
                          "bytes) or `payload_offset` (where it starts in the frame), as members or through "
                          "traceflow::packet_traits");
        } else {
            auto [it, opened] = flows_.try_emplace(number);
            if (opened) it->second.key = key;
            FlowStreams& flow = it->second;
            const bool from_orig =
                detail::meta::packet_srcport(packet) == key.srcport && detail::meta::packet_src(packet) == key.src;
            const StreamDirection direction = from_orig ? StreamDirection::orig : StreamDirection::resp;
            std::optional<StreamReassembler>& side = flow.side[static_cast<int>(direction)];
            if (!side) side.emplace(options_, total_held_);
            StreamSegment segment;
            segment.seq = detail::meta::packet_seq(packet);
            segment.syn = detail::meta::packet_syn(packet);
            segment.fin = detail::meta::packet_fin(packet);
            segment.captured = detail::meta::packet_payload(packet);
            segment.wire_length = detail::meta::packet_payload_wire(packet);
            Sink sink{consumer_, info_type{number, direction, &flow.key}};
            side->add(segment, detail::meta::packet_rst(packet), sink);
            if (total_held_ > options_.max_held_total) hold_less(*side, sink);
        }
    }

    // Over the total bound: this stream's holes become gaps first, then the
    // holes of the streams holding most.
    void hold_less(StreamReassembler& current, Sink& sink) {
        while (total_held_ > options_.max_held_total && current.force_first_hole(sink)) {}
        while (total_held_ > options_.max_held_total) {
            StreamReassembler* most = nullptr;
            info_type info;
            for (auto& [number, flow] : flows_)
                for (int d = 0; d < 2; ++d)
                    if (flow.side[d] && (most == nullptr || flow.side[d]->held_bytes() > most->held_bytes())) {
                        most = &*flow.side[d];
                        info = info_type{number, static_cast<StreamDirection>(d), &flow.key};
                    }
            if (most == nullptr || most->held_bytes() == 0) return;
            Sink other{consumer_, info};
            while (most->held_bytes() != 0 && total_held_ > options_.max_held_total) most->force_first_hole(other);
        }
    }

    // Ends the streams of the flows the tracer ended, then runs the callbacks.
    void settle() {
        if (pending_.empty()) return;
        for (std::size_t i = 0; i < pending_.size(); ++i) end_streams(pending_[i]);
        pending_.clear();
        std::vector<index_type> records;
        records.swap(pending_records_);
        for (const index_type& record : records)
            for (const Callback& callback : callbacks_) callback(record);
    }

    void end_streams(std::uint64_t number) {
        const auto it = flows_.find(number);
        if (it == flows_.end()) return;
        for (int d = 0; d < 2; ++d) {
            std::optional<StreamReassembler>& side = it->second.side[d];
            if (!side) continue;
            Sink sink{consumer_, info_type{number, static_cast<StreamDirection>(d), &it->second.key}};
            const StreamSummary& summary = side->end(sink);
            if constexpr (detail::stream::has_on_end<Consumer, info_type>::value) consumer_->on_end(sink.info, summary);
        }
        flows_.erase(it);
    }

    void end_open_streams() {
        if (consumer_ == nullptr) return;
        settle();
        std::vector<std::uint64_t> open;
        for (const auto& buffer : tracer_->open_flows()) open.push_back(buffer.number);
        for (const std::uint64_t number : open) end_streams(number);
    }

    Tracer* tracer_;
    Consumer* consumer_;
    ReassemblyOptions options_;
    std::size_t total_held_ = 0;
    std::unordered_map<std::uint64_t, FlowStreams> flows_;
    std::vector<std::uint64_t> pending_;       // flows the tracer ended during the current call
    std::vector<index_type> pending_records_;  // their records, for the callbacks
    std::vector<Callback> callbacks_;
};

TRACEFLOW_NAMESPACE_END
