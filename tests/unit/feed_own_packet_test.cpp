// SPDX-License-Identifier: MIT
// The feeds with a tracer of another packet type: Packet<> (owning frames) and a caller's struct through
// from_capture_packet give the flows TraceFlow<CapturePacket> gives, on one thread, two and in ranges.
#include <traceflow/feed/capture_conversion.hpp>
#include <traceflow/feed/feed.hpp>
#include <traceflow/feed/parallel_feed.hpp>
#include <traceflow/feed/threaded_feed.hpp>
#include <traceflow/trace_flow.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "test_catch.hpp"

namespace {

// A caller's struct: text addresses, int ports, a double timestamp, the frame as a string.
struct Mine {
    int protocol = 1;
    std::uint64_t index = 0;
    std::string frame, src, dst;
    bool syn = false, fin = false;
    int srcport = 0, dstport = 0;
    double timestamp = 0;
};

std::string sample() { return std::string(TRACEFLOW_SOURCE_DIR) + "/examples/data/sample.pcap"; }
std::string many_flows() { return std::string(TRACEFLOW_SOURCE_DIR) + "/tests/data/tcp/many_short_flows.pcap"; }

// Each flow as (label, frames), in index order.
template <typename Tracer>
std::vector<std::pair<std::string, std::vector<std::uint64_t>>> flows_of(const Tracer& tracer) {
    std::vector<std::pair<std::string, std::vector<std::uint64_t>>> out;
    for (const auto& flow : tracer.index()) out.emplace_back(flow.label, flow.index);
    return out;
}

}  // namespace

template <>
struct traceflow::from_capture_packet<Mine> {
    static Mine make(const traceflow::CapturePacket& c) {
        Mine m;
        m.protocol = static_cast<int>(c.protocol);
        m.index = c.index;
        m.frame.assign(reinterpret_cast<const char*>(c.frame.bytes.data), c.frame.bytes.size);
        m.syn = c.syn;
        m.fin = c.fin;
        m.src = c.src.to_string();
        m.dst = c.dst.to_string();
        m.srcport = c.srcport;
        m.dstport = c.dstport;
        m.timestamp = static_cast<double>(c.timestamp.sec) + c.timestamp.nsec / 1e9;
        return m;
    }
};

TEST_CASE("feed() of a tracer of Packet<> or of a caller's struct gives the library's flows", "[feed]") {
    for (const std::string& capture : {sample(), many_flows()}) {
        traceflow::TraceFlow<traceflow::CapturePacket> reference;
        traceflow::ExtractStats reference_stats;
        REQUIRE(traceflow::feed(capture, reference, reference_stats) == traceflow::FeedStatus::complete);
        const auto expected = flows_of(reference);
        REQUIRE(!expected.empty());

        traceflow::TraceFlow<traceflow::Packet<>> owning;
        traceflow::ExtractStats stats;
        CHECK(traceflow::feed(capture, owning, stats) == traceflow::FeedStatus::complete);
        CHECK(flows_of(owning) == expected);
        CHECK(stats.frames == reference_stats.frames);

        traceflow::TraceFlow<traceflow::Packet<>> threaded;
        traceflow::ExtractStats threaded_stats;
        CHECK(traceflow::feed_threaded(capture, threaded, threaded_stats) == traceflow::FeedStatus::complete);
        CHECK(flows_of(threaded) == expected);

        traceflow::TraceFlow<traceflow::Packet<>> ranges;
        traceflow::ExtractStats range_stats;
        CHECK(traceflow::feed_parallel(capture, ranges, range_stats, traceflow::FeedOptions{}, 3, 2048) ==
              traceflow::FeedStatus::complete);
        CHECK(flows_of(ranges) == expected);

        traceflow::TraceFlow<Mine> mine;
        traceflow::ExtractStats mine_stats;
        CHECK(traceflow::feed(capture, mine, mine_stats) == traceflow::FeedStatus::complete);
        const auto got = flows_of(mine);
        REQUIRE(got.size() == expected.size());
        for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i].second == expected[i].second);
    }
}
