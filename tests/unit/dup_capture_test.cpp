// SPDX-License-Identifier: MIT
// The same traffic seen twice (two VLANs, two pcapng interfaces): the tcp
// lifecycle groups both copies of a connection as tshark's tcp.stream does
// (the same-ISN rule), and key_vlan / key_interface still separate the copies.
#include <traceflow/feed/extract.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "read_capture.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path dup_dir = fs::path(TRACEFLOW_TEST_DATA_DIR) / "dup";

// frame -> tcp.stream, from `tshark -T fields -e frame.number -e tcp.stream`.
std::map<std::uint64_t, long> tshark_streams(const fs::path& tsv) {
    std::ifstream in(tsv);
    std::map<std::uint64_t, long> out;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::uint64_t frame = 0;
        long stream = -1;
        if (fields >> frame >> stream) out[frame] = stream;
    }
    return out;
}

// Frame -> the position of its flow in the tracer's index.
std::map<std::uint64_t, std::size_t> trace_file(const fs::path& capture, traceflow::TraceFlowOptions options) {
    options.keying = traceflow::FlowKeying::bidirectional;
    options.lifecycle = traceflow::Lifecycle::tcp;
    options.warning = nullptr;
    traceflow::TraceFlow<traceflow::CapturePacket> tracer(options);
    traceflow::ExtractStats stats;
    traceflow::feed(capture.string(), tracer, stats);
    tracer.end_of_input();
    std::map<std::uint64_t, std::size_t> out;
    const auto flows = tracer.index();
    for (std::size_t i = 0; i < flows.size(); ++i)
        for (const auto frame : flows[i].index) out[frame] = i;
    return out;
}

// Same partition of the same frames: every flow maps to one stream and back.
void check_same_grouping(const std::map<std::uint64_t, std::size_t>& ours,
                         const std::map<std::uint64_t, long>& theirs) {
    REQUIRE(ours.size() == theirs.size());
    std::map<std::size_t, long> flow_to_stream;
    std::map<long, std::size_t> stream_to_flow;
    for (const auto& [frame, flow] : ours) {
        INFO("frame " << frame);
        REQUIRE(theirs.count(frame) == 1);
        const long stream = theirs.at(frame);
        CHECK(flow_to_stream.emplace(flow, stream).first->second == stream);
        CHECK(stream_to_flow.emplace(stream, flow).first->second == flow);
    }
}

// With the copies keyed apart: twice the streams, each flow inside one stream
// and one copy (`copy_of(frame)`), both copies of every stream present.
template <typename CopyOf>
void check_copies_apart(const std::map<std::uint64_t, std::size_t>& ours, const std::map<std::uint64_t, long>& theirs,
                        CopyOf copy_of) {
    REQUIRE(ours.size() == theirs.size());
    std::map<std::size_t, std::pair<long, std::uint32_t>> flow_to;
    std::set<std::pair<long, std::uint32_t>> seen;
    for (const auto& [frame, flow] : ours) {
        INFO("frame " << frame);
        const std::pair<long, std::uint32_t> where{theirs.at(frame), copy_of(frame)};
        CHECK(flow_to.emplace(flow, where).first->second == where);
        seen.insert(where);
    }
    std::set<long> streams;
    for (const auto& [frame, stream] : theirs) streams.insert(stream);
    CHECK(flow_to.size() == 2 * streams.size());
    CHECK(seen.size() == 2 * streams.size());
}

}  // namespace

TEST_CASE("traffic seen on two VLANs groups as tshark's tcp.stream; key_vlan separates the copies",
          "[dup][lifecycle]") {
    const fs::path capture = dup_dir / "dup_vlan.pcap";
    const auto streams = tshark_streams(dup_dir / "dup_vlan.pcap.tsv");
    REQUIRE(streams.size() == 186);
    check_same_grouping(trace_file(capture, {}), streams);
    traceflow::TraceFlowOptions by_vlan;
    by_vlan.key_vlan = true;
    // Frames alternate: odd ones carry VLAN 10, even ones VLAN 20.
    check_copies_apart(trace_file(capture, by_vlan), streams,
                       [](std::uint64_t frame) { return static_cast<std::uint32_t>(frame % 2); });
}

TEST_CASE(
    "traffic seen on two pcapng interfaces, one copy later, groups as tshark's tcp.stream; key_interface separates "
    "them",
    "[dup][lifecycle]") {
    const fs::path capture = dup_dir / "dup_interfaces.pcapng";
    const auto streams = tshark_streams(dup_dir / "dup_interfaces.pcapng.tsv");
    REQUIRE(streams.size() == 186);
    // The later copy of each connection begins after the first copy's FINs,
    // inside its linger: only the same-ISN rule keeps them one flow.
    check_same_grouping(trace_file(capture, {}), streams);

    const auto bytes = testutil::read_bytes(capture);
    const auto read = testutil::read_all(traceflow::ByteView{bytes.data(), bytes.size()}, capture.string());
    REQUIRE_FALSE(read.threw);
    std::map<std::uint64_t, std::uint32_t> interface_of;
    for (const auto& record : read.records) interface_of[record.number] = record.interface_id;
    traceflow::TraceFlowOptions by_interface;
    by_interface.key_interface = true;
    check_copies_apart(trace_file(capture, by_interface), streams,
                       [&](std::uint64_t frame) { return interface_of.at(frame); });
}
