// SPDX-License-Identifier: MIT
// -f pcapng, and -f pcap on flows that mix link types (tests/data/pcapng/two_links.pcapng:
// an Ethernet and a Linux-cooked interface, see the README there).
#include <traceflow/feed/extract.hpp>
#include <traceflow/formats/pcapng.hpp>
#include <traceflow/io/capture_reader.hpp>
#include <traceflow/trace_flow.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "test_catch.hpp"
#include "test_util.hpp"

namespace {

const std::string two_links = std::string(TRACEFLOW_TEST_DATA_DIR) + "/pcapng/two_links.pcapng";

struct Frame {
    std::vector<std::uint8_t> bytes;
    std::uint32_t wirelen = 0;
    traceflow::Timestamp time;
    traceflow::LinkType link{};
    std::uint32_t interface = 0;
};

std::vector<Frame> read_frames(const std::string& path, traceflow::io::CaptureFormat* format = nullptr,
                               std::size_t* interfaces = nullptr) {
    traceflow::io::CaptureReader reader(path);
    traceflow::io::Record r;
    std::vector<Frame> out;
    while (reader.next(r))
        out.push_back({{r.frame.bytes.begin(), r.frame.bytes.end()},
                       r.frame.wirelen,
                       r.frame.timestamp,
                       r.linktype,
                       r.interface_id});
    if (format != nullptr) *format = reader.format();
    if (interfaces != nullptr) *interfaces = reader.pcapng() != nullptr ? reader.pcapng()->interfaces().size() : 1;
    return out;
}

struct Run {
    std::vector<traceflow::Index> flows;
    std::vector<std::string> warnings;
};

Run trace_into(const std::string& dir, const std::string& format) {
    traceflow::TraceFlowOptions o;
    o.fout = dir;
    o.format = format;
    Run run;
    o.warning = [&run](std::string_view w) { run.warnings.emplace_back(w); };
    traceflow::TraceFlow<traceflow::CapturePacket> tracer(o);
    traceflow::ExtractStats stats;
    traceflow::feed(two_links, tracer, stats);
    tracer.finish();
    run.flows = tracer.index();
    return run;
}

// Every flow file holds the flow's frames exactly: bytes, wire length, ns time,
// link type; one interface per (link type, capture interface) used.
void check_files(const Run& run, const std::vector<Frame>& original, bool expect_pcapng_everywhere) {
    REQUIRE(run.flows.size() == traceflow::extract({two_links}).index.size());  // writing changes no flow
    std::size_t mixed = 0;
    for (const traceflow::Index& flow : run.flows) {
        INFO(*flow.fpout);
        traceflow::io::CaptureFormat format{};
        std::size_t interfaces = 0;
        const std::vector<Frame> got = read_frames(*flow.fpout, &format, &interfaces);
        REQUIRE(got.size() == flow.index.size());
        std::set<std::pair<traceflow::LinkType, std::uint32_t>> used;
        for (std::size_t i = 0; i < got.size(); ++i) {
            const Frame& want = original[flow.index[i] - 1];
            CHECK(got[i].bytes == want.bytes);
            CHECK(got[i].wirelen == want.wirelen);
            CHECK(got[i].link == want.link);
            used.insert({want.link, want.interface});
            // pcapng keeps nanoseconds; frames first written to a pcap file keep its microseconds.
            if (expect_pcapng_everywhere) CHECK(got[i].time == want.time);
            CHECK(got[i].time.sec == want.time.sec);
            CHECK(got[i].time.nsec / 1000 == want.time.nsec / 1000);
        }
        if (used.size() > 1) ++mixed;
        const bool pcapng = expect_pcapng_everywhere || used.size() > 1;
        CHECK((format == traceflow::io::CaptureFormat::pcapng) == pcapng);
        if (pcapng) CHECK(interfaces == used.size());
    }
    CHECK(mixed > 0);  // the capture does mix link types within flows
}

}  // namespace

TEST_CASE("pcapng output: one interface per link type used, ns times, wire lengths", "[formats][pcapng]") {
    const std::vector<Frame> original = read_frames(two_links);
    REQUIRE(original.size() == 101);
    testutil::TempDir dir;
    const Run run = trace_into(dir.str(), "pcapng");
    CHECK(run.warnings.empty());
    for (const auto& flow : run.flows) CHECK(flow.fpout->size() > 7);
    CHECK(run.flows[0].fpout->substr(run.flows[0].fpout->size() - 7) == ".pcapng");
    check_files(run, original, true);
}

TEST_CASE("pcap output never puts a frame under another link type", "[formats][pcapng]") {
    const std::vector<Frame> original = read_frames(two_links);
    testutil::TempDir dir;
    const Run run = trace_into(dir.str(), "pcap");
    // Flows that mix link types are written as pcapng (name kept), with one warning.
    check_files(run, original, false);
    REQUIRE(run.warnings.size() == 1);  // once per tracer, naming the first such file
    CHECK(run.warnings[0].find("mixes link types") != std::string::npos);
    CHECK(run.warnings[0].find(dir.str()) != std::string::npos);
}

TEST_CASE("pcapng output under a tiny open-file budget and in big-endian", "[formats][pcapng]") {
    const std::vector<Frame> original = read_frames(two_links);
    for (const auto order : {traceflow::ByteOrder::big, traceflow::ByteOrder::little}) {
        testutil::TempDir dir;
        traceflow::TraceFlowOptions o;
        o.fout = dir.str();
        o.format = "pcap";
        o.byteorder = order;
        o.max_open_files = 1;  // files are closed and reopened between frames, conversion included
        o.warning = {};
        traceflow::TraceFlow<traceflow::CapturePacket> tracer(o);
        traceflow::ExtractStats stats;
        traceflow::feed(two_links, tracer, stats);
        tracer.finish();
        Run run{tracer.index(), {}};
        check_files(run, original, false);
    }
}
