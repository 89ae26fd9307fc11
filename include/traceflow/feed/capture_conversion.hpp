// SPDX-License-Identifier: MIT
// from_capture_packet<P>: how the feeds make a tracer's own packet type from a decoded capture packet.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <type_traits>
#include <utility>

#include "../detail/meta/tracer_traits.hpp"
#include "../frame.hpp"
#include "../ip_address.hpp"
#include "../packet.hpp"
#include "../timestamp.hpp"
#include "capture_packet.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// How feed(), feed_threaded(), feed_parallel() and replay_parts() hand a
/// decoded capture packet (CapturePacket) to a tracer whose dump() takes
/// another packet type `P`: `static P make(const CapturePacket&)`. Given for
/// Packet<Frame> (`Packet<>`: the frame's bytes are copied, as the packet
/// owns them); specialise it for a type of your own:
///
/// ```cpp
/// #include <traceflow/feed/feed.hpp>
/// #include <traceflow/trace_flow.hpp>
/// #include <cstdint>
/// #include <string>
///
/// struct Mine {  // pcapkit's fields, text addresses
///     int protocol = 1;
///     std::uint64_t index = 0;
///     std::string frame, src, dst;
///     bool syn = false, fin = false;
///     int srcport = 0, dstport = 0;
///     double timestamp = 0;
/// };
///
/// template <>
/// struct traceflow::from_capture_packet<Mine> {
///     static Mine make(const traceflow::CapturePacket& c) {
///         Mine m;
///         m.protocol = static_cast<int>(c.protocol);
///         m.index = c.index;
///         m.frame.assign(reinterpret_cast<const char*>(c.frame.bytes.data), c.frame.bytes.size);
///         m.syn = c.syn;
///         m.fin = c.fin;
///         m.src = c.src.to_string();
///         m.dst = c.dst.to_string();
///         m.srcport = c.srcport;
///         m.dstport = c.dstport;
///         m.timestamp = static_cast<double>(c.timestamp.sec) + c.timestamp.nsec / 1e9;
///         return m;
///     }
/// };
///
/// int main() {
///     traceflow::TraceFlow<Mine> tracer;
///     traceflow::ExtractStats stats;
///     // traceflow::feed("in.pcap", tracer, stats);
///     return static_cast<int>(tracer.open_count() + stats.frames);
/// }
/// ```
template <typename P, typename = void>
struct from_capture_packet {};

/// Packet<Frame, IpAddress>: every field, the frame's bytes copied.
template <>
struct from_capture_packet<Packet<Frame, IpAddress>> {
    static Packet<Frame, IpAddress> make(const CapturePacket& c) {
        Packet<Frame, IpAddress> p;
        p.protocol = c.protocol;
        p.index = c.index;
        p.frame.bytes.assign(c.frame.bytes.begin(), c.frame.bytes.end());
        p.frame.wirelen = c.frame.wirelen;
        p.frame.timestamp = c.frame.timestamp;
        p.syn = c.syn;
        p.fin = c.fin;
        p.src = c.src;
        p.dst = c.dst;
        p.srcport = c.srcport;
        p.dstport = c.dstport;
        p.timestamp = c.timestamp;
        p.tcp = c.tcp;
        return p;
    }
};

namespace detail::ingest {

template <typename Tracer, typename = void>
struct takes_capture_packets : std::false_type {};
template <typename Tracer>
struct takes_capture_packets<Tracer,
                             std::void_t<decltype(std::declval<Tracer&>().dump(std::declval<const CapturePacket&>()))>>
    : std::true_type {};

template <typename Tracer, typename = void>
struct converts_capture_packets : std::false_type {};
template <typename Tracer>
struct converts_capture_packets<Tracer, std::void_t<decltype(from_capture_packet<typename Tracer::packet_type>::make(
                                            std::declval<const CapturePacket&>()))>> : std::true_type {};

// A tracer of another packet type, seen by the feeds as one of CapturePacket:
// each packet is converted, then dumped (never batched: it is one at a time).
template <typename Tracer>
class ConvertingTracer {
public:
    explicit ConvertingTracer(Tracer& tracer) : tracer_(&tracer) {}
    void dump(const CapturePacket& packet) {
        tracer_->dump(from_capture_packet<typename Tracer::packet_type>::make(packet));
    }
    [[nodiscard]] bool needs_frame_bytes() const { return true; }  // the conversion may read them
    [[nodiscard]] bool writes_files() const { return meta::needs_frame_bytes(*tracer_); }
    template <typename T = Tracer>
    auto advance(const Timestamp& now) -> decltype(std::declval<T&>().advance(now)) {
        return tracer_->advance(now);
    }

private:
    Tracer* tracer_;
};

// Runs `run(t)` with a tracer the feeds can give CapturePackets: `tracer`
// itself, or an adapter converting them to its packet type.
template <typename Tracer, typename Run>
decltype(auto) with_capture_tracer(Tracer& tracer, Run&& run) {
    if constexpr (takes_capture_packets<Tracer>::value) {
        return run(tracer);
    } else {
        static_assert(converts_capture_packets<Tracer>::value,
                      "traceflow: the feeds hand the tracer CapturePacket; its dump() takes another packet type: "
                      "specialise traceflow::from_capture_packet<YourPacket> with static YourPacket make(const "
                      "traceflow::CapturePacket&)");
        ConvertingTracer<Tracer> converting(tracer);
        return run(converting);
    }
}

}  // namespace detail::ingest
TRACEFLOW_NAMESPACE_END
