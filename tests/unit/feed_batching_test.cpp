// SPDX-License-Identifier: MIT
// feed() hands packets to a tracer that writes no files a batch at a time
// (trace_batch); the result must be what dump() one packet at a time gives:
// the same flows, in the same order, the same callbacks, the same error.
#include <traceflow/feed/extract.hpp>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "pcap_writer.hpp"
#include "test_catch.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;
using traceflow::CapturePacket;
using traceflow::TraceFlow;
using traceflow::TraceFlowOptions;

// Many flows live at once, visited in random order, with random SYN / FIN /
// RST flags, time that sometimes steps back, and non-TCP frames between.
Bytes interleaved_capture(std::uint32_t seed, int packets) {
    std::mt19937 rng(seed);
    testutil::PcapWriter w;
    std::uint32_t sec = 1000;
    for (int i = 0; i < packets; ++i) {
        const unsigned flow = rng() % 300;
        const unsigned r = rng() % 100;
        const std::uint8_t flags = r < 5 ? 0x02 : r < 12 ? 0x11 : r < 14 ? 0x04 : 0x10;  // SYN, FIN+ACK, RST, ACK
        const Bytes src = {10, 0, static_cast<std::uint8_t>(flow >> 8), static_cast<std::uint8_t>(flow)};
        const Bytes dst = {10, 1, 0, static_cast<std::uint8_t>(flow % 7)};
        const bool reply = rng() % 2 == 0;
        const auto port = static_cast<std::uint16_t>(40000 + flow);
        const Bytes segment = reply ? testutil::tcp(80, port, flags, rng() % 40, 5, rng(), rng())
                                    : testutil::tcp(port, 80, flags, rng() % 40, 5, rng(), rng());
        const Bytes frame = testutil::ethernet(
            0x0800, reply ? testutil::ipv4(6, segment, 5, 0, dst, src) : testutil::ipv4(6, segment, 5, 0, src, dst));
        sec = rng() % 50 == 0 ? sec - rng() % 30 : sec + rng() % 3;  // steps back now and then
        w.record(sec, rng() % 1000000, frame);
        if (rng() % 10 == 0) w.record(sec, 0, testutil::ethernet(0x0800, testutil::ipv4(17, Bytes(12, 0))));  // UDP
    }
    return w.bytes;
}

struct Outcome {
    std::vector<traceflow::Index> index;
    std::vector<std::string> ended_in_order;  // labels as the callback saw them
    std::optional<std::string> error;
    std::uint64_t tcp_frames = 0;
};

// feed(), or the loop feed() ran before batching: each TCP record to dump().
Outcome run(const Bytes& bytes, const TraceFlowOptions& options, bool one_by_one) {
    Outcome out;
    TraceFlow<CapturePacket> tracer(options);
    tracer.register_callback([&](const traceflow::Index& flow) { out.ended_in_order.push_back(flow.label); });
    auto reader = traceflow::io::CaptureReader::from_memory(traceflow::ByteView(bytes.data(), bytes.size()), "in.pcap");
    traceflow::ExtractStats stats;
    try {
        if (one_by_one) {
            traceflow::io::Record record;
            traceflow::decode::TcpSegment seg;
            CapturePacket packet;
            for (std::uint64_t number = 1; reader.next(record); ++number) {
                if (traceflow::decode::decode_tcp(record.linktype, record.frame.bytes, seg) !=
                    traceflow::decode::Outcome::tcp)
                    continue;
                traceflow::make_capture_packet(record, seg, number, packet);
                tracer.dump(packet);
                ++out.tcp_frames;
            }
        } else {
            traceflow::feed(reader, tracer, stats);
        }
    } catch (const std::exception& e) {
        out.error = e.what();
    }
    if (!one_by_one) out.tcp_frames = stats.tcp_frames;
    if (options.lifecycle == traceflow::Lifecycle::tcp) tracer.end_of_input();
    tracer.finish();
    out.index = tracer.index();
    return out;
}

// The same flows, in the same order, ended the same way; and, where both
// kept statistics, the same statistics.
void check_same(const Outcome& batched, const Outcome& single) {
    CHECK(batched.error == single.error);
    CHECK(batched.ended_in_order == single.ended_in_order);
    REQUIRE(batched.index.size() == single.index.size());
    for (std::size_t i = 0; i < single.index.size(); ++i) {
        const traceflow::Index& b = batched.index[i];
        const traceflow::Index& s = single.index[i];
        CHECK(b.label == s.label);
        CHECK(b.index == s.index);
        CHECK(b.reason == s.reason);
        CHECK(b.id == s.id);
        if (b.stats && s.stats) {
            CHECK(b.stats->packets == s.stats->packets);
            CHECK(b.stats->bytes == s.stats->bytes);
            CHECK(b.stats->first == s.stats->first);
            CHECK(b.stats->last == s.stats->last);
            CHECK(b.stats->history == s.stats->history);
            CHECK(b.stats->conn_state == s.stats->conn_state);
        }
    }
}

std::vector<TraceFlowOptions> every_mode() {
    std::vector<TraceFlowOptions> modes;
    for (const auto lifecycle : {traceflow::Lifecycle::pcapkit, traceflow::Lifecycle::tcp})
        for (const auto keying : {traceflow::FlowKeying::directional, traceflow::FlowKeying::bidirectional})
            for (const int timeout : {0, 1, 2})
                for (const bool statistics : {false, true}) {
                    TraceFlowOptions o;
                    o.warning = nullptr;
                    o.lifecycle = lifecycle;
                    o.keying = keying;
                    o.statistics = statistics;
                    if (timeout == 1) o.idle_timeout = std::chrono::seconds(5);
                    if (timeout == 2) o.active_timeout = std::chrono::seconds(20);
                    modes.push_back(o);
                }
    return modes;
}

}  // namespace

TEST_CASE("feed: batches to trace_batch give what dump() one by one gives, in every mode", "[feed_options][property]") {
    for (const std::uint32_t seed : {1u, 2u, 3u}) {
        // 128 is the batch: an odd count leaves a partial batch at the end.
        const Bytes capture = interleaved_capture(seed, 128 * 20 + 77);
        for (const TraceFlowOptions& options : every_mode()) {
            CAPTURE(seed, static_cast<int>(options.lifecycle), static_cast<int>(options.keying), options.statistics);
            const Outcome single = run(capture, options, true);
            const Outcome batched = run(capture, options, false);
            CHECK(batched.tcp_frames == single.tcp_frames);
            CHECK(single.tcp_frames == 128 * 20 + 77);
            check_same(batched, single);
        }
    }
}

TEST_CASE("feed: statistics change no flow, in any mode, and count every packet of it", "[feed_options][property]") {
    // With statistics on, the flow's times live in its statistics slot, and
    // batches prefetch other lines: timeouts must still see the same times.
    const std::vector<TraceFlowOptions> modes = every_mode();
    for (const std::uint32_t seed : {4u, 5u}) {
        const Bytes capture = interleaved_capture(seed, 128 * 12 + 31);
        for (std::size_t m = 0; m + 1 < modes.size(); m += 2) {
            REQUIRE(!modes[m].statistics);
            REQUIRE(modes[m + 1].statistics);
            CAPTURE(seed, m);
            const Outcome without = run(capture, modes[m], false);
            const Outcome with = run(capture, modes[m + 1], false);
            check_same(with, without);
            for (const traceflow::Index& flow : with.index) {
                REQUIRE(flow.stats);
                CHECK(flow.stats->packets[0] + flow.stats->packets[1] == flow.index.size());
            }
        }
    }
}

TEST_CASE("feed: a damaged record ends input after every record before it was traced", "[feed_options][hostile]") {
    const Bytes whole = interleaved_capture(9, 1000);
    for (const std::size_t cut : {whole.size() / 3 + 5, whole.size() * 2 / 3 + 11}) {
        Bytes damaged(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
        CAPTURE(cut);
        const Outcome single = run(damaged, every_mode()[0], true);
        const Outcome batched = run(damaged, every_mode()[0], false);
        REQUIRE(single.error.has_value());
        CHECK(batched.tcp_frames == single.tcp_frames);  // every complete record counted and traced
        check_same(batched, single);
    }
}
