// SPDX-License-Identifier: MIT
// The tcp lifecycle on real captures recorded here (tests/data/tcp, README
// there): port reuse after FIN and RST, half-close, retransmitted SYN,
// SYN-ACK first, mid-stream start, long idle, many short flows. Expected
// groupings are tshark's tcp.stream, listed in that README.
#include <traceflow/feed/extract.hpp>

#include <set>

#include "test_catch.hpp"
#include "test_util.hpp"

namespace {

using traceflow::EndReason;
using traceflow::Index;

std::string scenario(const char* name) { return std::string(TRACEFLOW_TEST_DATA_DIR) + "/tcp/" + name; }

traceflow::TraceFlowOptions tcp_mode(traceflow::FlowKeying keying = traceflow::FlowKeying::bidirectional) {
    traceflow::TraceFlowOptions o;
    o.keying = keying;
    o.lifecycle = traceflow::Lifecycle::tcp;
    o.statistics = true;
    o.warning = nullptr;
    return o;
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
    std::vector<std::uint64_t> v;
    for (std::uint64_t i = first; i <= last; ++i) v.push_back(i);
    return v;
}

// Flows sorted by their first frame, to compare with tshark's stream order.
std::vector<Index> by_first_frame(std::vector<Index> flows) {
    std::sort(flows.begin(), flows.end(),
              [](const Index& a, const Index& b) { return a.index.front() < b.index.front(); });
    return flows;
}

}  // namespace

TEST_CASE("reuse after FIN: two connections on one tuple", "[lifecycle][scenario]") {
    const auto flows = by_first_frame(traceflow::extract({scenario("reuse_after_fin.pcap")}, tcp_mode()).index);
    REQUIRE(flows.size() == 2);
    CHECK(flows[0].index == range(1, 10));
    CHECK(flows[1].index == range(11, 20));
    CHECK(flows[0].reason == EndReason::fin);
    CHECK(flows[1].reason == EndReason::fin);
    REQUIRE(flows[0].stats);
    CHECK(flows[0].stats->conn_state == "SF");
    CHECK(flows[0].label != flows[1].label);
    CHECK(flows[0].label.rfind("10.77.0.1_40001-10.77.0.2_7001-", 0) == 0);
}

TEST_CASE("pcapkit mode on the same file splits at every FIN", "[lifecycle][scenario]") {
    // The reference's behaviour, kept as the default: the last ACK after the
    // FINs opens a one-packet flow.
    traceflow::TraceFlowOptions o;
    o.warning = nullptr;
    const auto flows = traceflow::extract({scenario("reuse_after_fin.pcap")}, o).index;
    CHECK(flows.size() > 4);
}

TEST_CASE("reuse after RST: the RST ends the first connection", "[lifecycle][scenario]") {
    const auto flows = by_first_frame(traceflow::extract({scenario("reuse_after_rst.pcap")}, tcp_mode()).index);
    REQUIRE(flows.size() == 2);
    CHECK(flows[0].index == range(1, 8));
    CHECK(flows[1].index == range(9, 18));
    CHECK(flows[0].reason == EndReason::rst);
    REQUIRE(flows[0].stats);
    CHECK(flows[0].stats->conn_state == "RSTO");
    CHECK(flows[1].reason == EndReason::fin);
}

TEST_CASE("half-close keeps the connection open for the other side", "[lifecycle][scenario]") {
    const auto flows = traceflow::extract({scenario("half_close.pcap")}, tcp_mode()).index;
    REQUIRE(flows.size() == 1);
    CHECK(flows[0].index == range(1, 18));
    CHECK(flows[0].reason == EndReason::fin);
    REQUIRE(flows[0].stats);
    CHECK(flows[0].stats->payload[1] == 180);  // all of it after the client's FIN
    CHECK(flows[0].stats->payload[0] == 43);
}

TEST_CASE("a retransmitted SYN does not start a new connection", "[lifecycle][scenario]") {
    const auto flows = traceflow::extract({scenario("retransmitted_syn.pcap")}, tcp_mode()).index;
    REQUIRE(flows.size() == 1);
    CHECK(flows[0].index == range(1, 11));
    REQUIRE(flows[0].stats);
    CHECK(flows[0].stats->syn == 2);
    CHECK(flows[0].stats->history.rfind("ShA", 0) == 0);
}

TEST_CASE("SYN-ACK seen first: the initiator is its receiver", "[lifecycle][scenario]") {
    const auto flows = traceflow::extract({scenario("synack_first.pcap")}, tcp_mode()).index;
    REQUIRE(flows.size() == 1);
    CHECK(flows[0].index == range(1, 9));
    CHECK(flows[0].label.rfind("10.77.0.1_40005-10.77.0.2_7005-", 0) == 0);
    REQUIRE(flows[0].stats);
    CHECK(flows[0].stats->history.front() == 'h');
}

TEST_CASE("a capture starting mid-stream yields one flow", "[lifecycle][scenario]") {
    const auto flows = traceflow::extract({scenario("midstream.pcap")}, tcp_mode()).index;
    REQUIRE(flows.size() == 1);
    CHECK(flows[0].index == range(1, 108));
    REQUIRE(flows[0].stats);
    CHECK(flows[0].stats->conn_state == "OTH");
    CHECK(flows[0].label.rfind("10.77.0.1_40006-10.77.0.2_7006-", 0) == 0);
}

TEST_CASE("a long idle splits only under a shorter idle timeout", "[lifecycle][scenario]") {
    auto o = tcp_mode();
    CHECK(traceflow::extract({scenario("long_idle.pcap")}, o).index.size() == 1);
    o.idle_timeout = std::chrono::seconds(3);
    const auto flows = by_first_frame(traceflow::extract({scenario("long_idle.pcap")}, o).index);
    REQUIRE(flows.size() == 2);
    CHECK(flows[0].index == range(1, 7));
    CHECK(flows[0].reason == EndReason::idle);
    CHECK(flows[1].index == range(8, 13));
}

TEST_CASE("a RST from the server ends the connection", "[lifecycle][scenario]") {
    const auto flows = traceflow::extract({scenario("rst_close.pcap")}, tcp_mode()).index;
    REQUIRE(flows.size() == 1);
    CHECK(flows[0].index == range(1, 12));
    CHECK(flows[0].reason == EndReason::rst);
    REQUIRE(flows[0].stats);
    CHECK(flows[0].stats->conn_state == "RSTR");
}

TEST_CASE("many short flows: 200 connections, every frame once", "[lifecycle][scenario]") {
    const auto result = traceflow::extract({scenario("many_short_flows.pcap")}, tcp_mode());
    CHECK(result.index.size() == 200);
    std::set<std::uint64_t> frames;
    std::set<std::string> labels;
    for (const auto& flow : result.index) {
        CHECK(flow.reason == EndReason::fin);
        for (auto f : flow.index) CHECK(frames.insert(f).second);
        labels.insert(flow.label);
    }
    CHECK(frames.size() == result.stats.tcp_frames);
    CHECK(labels.size() == 200);
}

TEST_CASE("directional tcp mode: each direction ends when both FINs are seen", "[lifecycle][scenario]") {
    const auto flows =
        traceflow::extract({scenario("reuse_after_fin.pcap")}, tcp_mode(traceflow::FlowKeying::directional)).index;
    REQUIRE(flows.size() == 4);
    std::size_t frames = 0;
    for (const auto& flow : flows) {
        CHECK(flow.reason == EndReason::fin);
        frames += flow.index.size();
    }
    CHECK(frames == 20);
}
