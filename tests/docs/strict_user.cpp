// SPDX-License-Identifier: MIT
// A user's translation unit, compiled (never run) by docs.strict_warnings with
// plain -I and -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion
// -Wshadow -Werror: the main templates instantiated with awkward types (int
// ports, text addresses, a double timestamp, long sizes), so that the code
// doing arithmetic on ports, sizes and times is compiled for them.
#include <traceflow/traceflow.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

namespace {

// pcapkit's fields as a Python user writes them down, plus optional ones.
struct UserPacket {
    int protocol = 1;
    long index = 0;
    std::vector<std::uint8_t> frame;
    bool syn = false;
    bool fin = false;
    std::string src;
    std::string dst;
    int srcport = 0;
    int dstport = 0;
    double timestamp = 0;
    // optional
    int seq = 0;
    bool rst = false;
    bool ack = false;
    long payload_size = 0;
    short vlan = 0;
    int interface_id = 0;
    std::string payload;  // for StreamFollower
};

// The same with the payload as bytes and found by offset instead.
struct OffsetPacket {
    int protocol = 1;
    int index = 0;
    std::vector<std::uint8_t> frame;
    int syn = 0;  // integer flags
    int fin = 0;
    std::string src;
    std::string dst;
    long srcport = 0;
    long dstport = 0;
    double timestamp = 0;
    long long seq = 0;
    int payload_offset = 0;
    int payload_size = 0;
};

// A decoder's struct with its own names, read through packet_traits.
struct Decoded {
    long long number = 0;
    std::vector<std::uint8_t> bytes;
    std::string from, to;
    short sport = 0, dport = 0;
    unsigned char flags = 0;
    double seconds = 0;
    long sequence = 0;
    std::vector<std::uint8_t> body;
};

// Other address, frame, payload and time types the traits take.
template <typename Address, typename Bytes, typename Time>
struct OtherPacket {
    unsigned protocol = 1;
    std::uint64_t index = 0;
    Bytes frame{};
    bool syn = false;
    bool fin = false;
    Address src{};
    Address dst{};
    unsigned short srcport = 0;
    unsigned short dstport = 0;
    Time timestamp{};
    std::int64_t seq = 0;
    std::int64_t payload_size = 0;
    unsigned long vlan = 0;
    Bytes payload{};
};

template <typename Key>
struct Consumer {
    std::uint64_t total = 0;
    void on_data(const traceflow::StreamInfo<Key>& info, std::uint64_t offset, traceflow::ByteView bytes) {
        total += offset + bytes.size + info.flow;
    }
    void on_gap(const traceflow::StreamInfo<Key>&, std::uint64_t offset, std::uint64_t length) {
        total += offset + length;
    }
    void on_conflict(const traceflow::StreamInfo<Key>&, std::uint64_t offset, std::uint64_t length) {
        total += offset + length;
    }
    void on_end(const traceflow::StreamInfo<Key>&, const traceflow::StreamSummary&) { ++total; }
};

}  // namespace

template <>
struct traceflow::packet_traits<Decoded> {
    static int protocol(const Decoded&) { return 1; }
    static long long index(const Decoded& d) { return d.number; }
    static const std::vector<std::uint8_t>& frame(const Decoded& d) { return d.bytes; }
    static bool syn(const Decoded& d) { return (d.flags & 0x02) != 0; }
    static bool fin(const Decoded& d) { return (d.flags & 0x01) != 0; }
    static bool rst(const Decoded& d) { return (d.flags & 0x04) != 0; }
    static bool ack(const Decoded& d) { return (d.flags & 0x10) != 0; }
    static const std::string& src(const Decoded& d) { return d.from; }
    static const std::string& dst(const Decoded& d) { return d.to; }
    static short srcport(const Decoded& d) { return d.sport; }
    static short dstport(const Decoded& d) { return d.dport; }
    static double timestamp(const Decoded& d) { return d.seconds; }
    static long seq(const Decoded& d) { return d.sequence; }
    static std::size_t payload_size(const Decoded& d) { return d.body.size(); }
    static const std::vector<std::uint8_t>& payload(const Decoded& d) { return d.body; }
};

// The feeds convert the packets they decode to ours.
template <>
struct traceflow::from_capture_packet<UserPacket> {
    static UserPacket make(const traceflow::CapturePacket& c) {
        UserPacket u;
        u.protocol = static_cast<int>(c.protocol);
        u.index = static_cast<long>(c.index);
        u.frame.assign(c.frame.bytes.begin(), c.frame.bytes.end());
        u.syn = c.syn;
        u.fin = c.fin;
        u.src = c.src.to_string();
        u.dst = c.dst.to_string();
        u.srcport = c.srcport;
        u.dstport = c.dstport;
        u.timestamp = std::stod(c.timestamp.to_decimal());
        u.seq = static_cast<int>(c.tcp.seq);
        u.rst = c.tcp.rst;
        u.payload_size = c.tcp.payload_size;
        return u;
    }
};

namespace {

// Everything a user calls on a tracer of packet type P.
template <typename P>
std::size_t use_tracer(const std::vector<P>& packets, traceflow::TraceFlowOptions options) {
    using Tracer = traceflow::TraceFlow<P>;
    Tracer tracer(options);
    std::size_t ended = 0;
    tracer.register_callback([&ended](const typename Tracer::index_type& flow) { ended += flow.index.size(); });
    tracer.register_open_callback([&ended](const typename Tracer::buffer_type& b) { ended += b.index.size(); });
    for (const P& p : packets) {
        const auto handle = tracer.dump(p);
        ended += static_cast<std::size_t>(handle.number);
        if (const auto* open = tracer.find(*handle.id, 1, 2)) ended += open->index.size();
        const auto& buffer = tracer.trace(p);
        ended += buffer.label.size();
        tracer(p);
    }
    if (!packets.empty()) tracer.trace_batch(packets.data(), packets.size());
    tracer.advance(traceflow::Timestamp{1700000000, 5});
    for (const auto& open : tracer.open_flows()) ended += open.index.size();
    for (const auto& flow : tracer.index())
        ended += flow.index.size() + flow.vlan + flow.interface + flow.id.srcport + flow.id.dstport;
    tracer.for_each_index([&ended](typename Tracer::index_type&& flow) { ended += flow.label.size(); });
    ended += tracer.submit().size() + tracer.closed().size() + tracer.open_count();
    tracer.end_of_input();
    tracer.finish();
    tracer.clear_closed();
    Tracer moved(std::move(tracer));
    moved = Tracer(options);
    return ended + Tracer::bytes_per_flow_fixed();
}

template <typename P>
std::uint64_t follow(const std::vector<P>& packets, traceflow::TraceFlowOptions options) {
    using Tracer = traceflow::TraceFlow<P>;
    Tracer tracer(options);
    Consumer<typename Tracer::key_type> consumer;
    traceflow::ReassemblyOptions reassembly;
    traceflow::StreamFollower follower(tracer, &consumer, reassembly);
    std::uint64_t n = 0;
    follower.register_callback([&n](const typename Tracer::index_type& flow) { n += flow.number; });
    for (const P& p : packets) {
        n += follower.dump(p).number;
        follower.trace(p);
        follower(p);
    }
    if (!packets.empty()) follower.trace_batch(packets.data(), packets.size());
    follower.advance(traceflow::Timestamp{1700000000, 5});
    n += follower.held_bytes() + (follower.needs_frame_bytes() ? 1U : 0U) + (follower.writes_files() ? 1U : 0U);
    follower.end_of_input();
    follower.finish();
    return n + consumer.total;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "in.pcap";
    traceflow::TraceFlowOptions options;
    options.keying = traceflow::FlowKeying::bidirectional;
    options.lifecycle = traceflow::Lifecycle::tcp;
    options.statistics = true;
    options.key_vlan = true;
    options.key_interface = true;

    UserPacket u;
    u.src = "192.0.2.1";
    u.dst = "2001:db8::1";
    u.srcport = 40000;
    u.dstport = 443;
    u.timestamp = 1700000000.5;
    u.seq = -5;
    u.payload_size = 3L;
    u.payload = "GET";
    OffsetPacket o;
    o.src = u.src;
    o.dst = u.dst;
    o.srcport = 40000L;
    o.dstport = 80L;
    o.frame.assign(60, 0);
    o.payload_offset = 54;
    o.payload_size = 6;
    Decoded d;
    d.from = u.src;
    d.to = u.dst;
    d.sport = 1234;
    d.dport = 80;
    d.body = {0x47, 0x45, 0x54};

    std::uint64_t n = 0;
    n += use_tracer(std::vector<UserPacket>{u, u}, options);
    n += use_tracer(std::vector<OffsetPacket>{o}, {});
    n += use_tracer(std::vector<Decoded>{d}, options);
    n += use_tracer(std::vector<traceflow::Packet<>>(2), options);
    n += follow(std::vector<UserPacket>{u}, options);
    n += follow(std::vector<OffsetPacket>{o}, {});
    n += follow(std::vector<Decoded>{d}, options);
    using V4 = std::array<std::uint8_t, 4>;
    using V6 = std::array<std::uint8_t, 16>;
    using Micro = std::chrono::microseconds;
    using FloatSeconds = std::chrono::duration<float>;
    using Clock = std::chrono::system_clock::time_point;
    n += use_tracer(std::vector<OtherPacket<V4, std::string, Micro>>(1), options);
    n += use_tracer(std::vector<OtherPacket<V6, std::vector<char>, FloatSeconds>>(1), options);
    n += use_tracer(std::vector<OtherPacket<std::string_view, std::vector<std::byte>, Clock>>(1), options);
    n += use_tracer(std::vector<OtherPacket<traceflow::IpAddress, std::string, float>>(1), {});
    n += follow(std::vector<OtherPacket<V4, std::string, Micro>>(1), options);
    n += follow(std::vector<OtherPacket<std::string, std::vector<unsigned char>, long double>>(1), {});

    // pcapkit's constructor.
    traceflow::TraceFlow<UserPacket> pcapkit("out", "pcap", traceflow::ByteOrder::native, true);
    pcapkit.dump(u);

    // The feeds: CapturePacket, a converted packet type, a filter, a follower.
    traceflow::ExtractStats stats;
    traceflow::FeedOptions how;
    std::atomic<bool> stop{false};
    how.stop = &stop;
    traceflow::TraceFlow<traceflow::CapturePacket> capture(options);
    traceflow::feed(path, capture, stats);
    traceflow::feed(std::vector<std::string>{path, path}, capture, stats, how);
    traceflow::feed_threaded(path, capture, stats, how);
    traceflow::feed_parallel(path, capture, stats, how, 4U, 1U << 20);

    traceflow::TraceFlow<UserPacket> converted(options);
    traceflow::feed(path, converted, stats);
    traceflow::feed_threaded(path, converted, stats, how);
    traceflow::feed_parallel(path, converted, stats, how, 2U);

    traceflow::filter::FilteredTracer filtered(capture, traceflow::filter::Filter("tcp port 80 and host 192.0.2.1"));
    traceflow::feed(path, filtered, stats);
    traceflow::feed_threaded(path, filtered, stats, how);

    traceflow::TraceFlow<traceflow::CapturePacket> followed(options);
    Consumer<traceflow::BufferID<traceflow::IpAddress>> consumer;
    traceflow::StreamFollower follower(followed, &consumer);
    traceflow::feed(path, follower, stats);
    traceflow::feed_parallel(path, follower, stats, how, 3U);
    follower.end_of_input();
    follower.finish();

    const traceflow::ExtractResult result = traceflow::extract({path}, options);
    n += result.index.size() + stats.frames + stats.skipped() + consumer.total;
    std::cout << n << '\n';
    return n != 0 ? 0 : 1;
}
