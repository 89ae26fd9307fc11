// SPDX-License-Identifier: MIT
// io::CaptureMetadata: the pcapng reader keeps SHB and IDB text options; PcapngDumper writes them back,
// per interface, in either byte order; without metadata its bytes are as before.
#include <traceflow/feed/feed.hpp>
#include <traceflow/formats/pcap.hpp>
#include <traceflow/formats/pcapng.hpp>
#include <traceflow/io/capture_metadata.hpp>
#include <traceflow/io/capture_reader.hpp>
#include <traceflow/output/file_output.hpp>
#include <traceflow/trace_flow.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "metadata_capture.hpp"
#include "pcap_writer.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

namespace {

using traceflow::io::CaptureMetadata;
using traceflow::io::CaptureOption;
using Options = std::vector<CaptureOption>;

Options to_options(const std::vector<std::pair<std::uint16_t, std::string>>& list) {
    Options out;
    for (const auto& [code, value] : list) out.push_back({code, value});
    return out;
}

struct MemorySink final : traceflow::OutputSink {
    std::vector<std::uint8_t> bytes;
    using OutputSink::write;
    void write(const void* data, std::size_t size) override {
        const auto* p = static_cast<const std::uint8_t*>(data);
        bytes.insert(bytes.end(), p, p + size);
    }
};

// Every record of `bytes`, and the reader's metadata at the end.
struct ReadBack {
    std::vector<traceflow::io::Record> records;
    std::vector<std::vector<std::uint8_t>> frames;
    CaptureMetadata metadata;
    bool big_endian = false;
    std::vector<traceflow::io::InterfaceDescription> interfaces;
};

ReadBack read_back(const std::vector<std::uint8_t>& bytes) {
    auto reader = traceflow::io::CaptureReader::from_memory({bytes.data(), bytes.size()}, "memory");
    ReadBack out;
    traceflow::io::Record r;
    while (reader.next(r)) {
        out.records.push_back(r);
        out.frames.emplace_back(r.frame.bytes.begin(), r.frame.bytes.end());
    }
    REQUIRE(reader.pcapng() != nullptr);
    out.metadata = *reader.metadata();
    out.big_endian = reader.pcapng()->big_endian();
    out.interfaces = reader.pcapng()->interfaces();
    return out;
}

bool contains(const std::vector<std::uint8_t>& haystack, const std::vector<std::uint8_t>& needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

}  // namespace

TEST_CASE("pcapng reader keeps the first SHB's and every IDB's text options, not if_tsresol/if_tsoffset",
          "[pcapng-metadata]") {
    for (const bool be : {false, true}) {
        INFO("big-endian input: " << be);
        const auto capture = testutil::metadata_capture(be);
        const ReadBack got = read_back(capture);
        REQUIRE(got.records.size() == 6);
        CHECK(got.metadata.section == to_options(testutil::metadata_capture_section()));
        const auto want = testutil::metadata_capture_interfaces();
        REQUIRE(got.metadata.interfaces.size() == 3);
        for (std::size_t i = 0; i < 3; ++i) {
            INFO("interface " << i);
            CHECK(got.metadata.interfaces[i].options == to_options(want[i]));
            CHECK(got.metadata.interfaces[i].link_type == traceflow::LinkType::ethernet);
        }
        CHECK(got.metadata.interfaces[0].name() == "eth0");
        CHECK(got.metadata.interfaces[1].name() == "wlan0");
        CHECK(got.metadata.interfaces[2].name() == "lo");
        CHECK(got.metadata.interfaces[0].snaplen == 65535);
        CHECK(got.metadata.interfaces[1].snaplen == 1500);
        CHECK(traceflow::io::option_value(got.metadata.interfaces[0].options, 9).empty());
        CHECK(traceflow::io::option_value(got.metadata.interfaces[0].options, 14).empty());
        CHECK(got.metadata.interface(3) == nullptr);
        // Still read as before: eth0 counts µs.
        CHECK(got.records[0].frame.timestamp.nsec == 1000);
        CHECK(got.records[1].frame.timestamp.nsec == 2);
    }
}

TEST_CASE("read_leading_metadata reads up to the first packet; pcap input has no metadata", "[pcapng-metadata]") {
    testutil::TempDir dir;
    const std::string path = (dir.path() / "in.pcapng").string();
    {
        const auto capture = testutil::metadata_capture(false);
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(capture.data()), static_cast<std::streamsize>(capture.size()));
    }
    const auto leading = traceflow::io::read_leading_metadata(path);
    REQUIRE(leading != nullptr);
    CHECK(leading->section == to_options(testutil::metadata_capture_section()));
    REQUIRE(leading->interfaces.size() == 2);  // lo is described after packets
    CHECK(leading->interfaces[1].name() == "wlan0");

    testutil::PcapWriter pcap;
    pcap.record(1, 0, testutil::metadata_capture_frame(1, 1000, 80, false));
    auto reader = traceflow::io::CaptureReader::from_memory({pcap.bytes.data(), pcap.bytes.size()}, "pcap");
    CHECK(reader.metadata() == nullptr);
}

TEST_CASE("PcapngDumper writes the input's SHB options and each frame's interface options, in either byte order",
          "[pcapng-metadata]") {
    for (const bool in_be : {false, true}) {
        const auto capture = testutil::metadata_capture(in_be);
        const ReadBack input = read_back(capture);
        const auto metadata = std::make_shared<const CaptureMetadata>(input.metadata);
        for (const bool out_be : {false, true}) {
            INFO("big-endian input: " << in_be << ", output: " << out_be);
            traceflow::DumpOptions options;
            options.big_endian = out_be;
            options.metadata = metadata;
            traceflow::formats::PcapngDumper dumper(options);
            MemorySink sink;
            dumper.header(sink);
            // wlan0's frames first: output interface 0 is wlan0, 1 eth0, 2 lo.
            const std::size_t order[] = {1, 0, 3, 2, 4, 5};
            for (const std::size_t k : order) {
                const traceflow::io::Record& r = input.records[k];
                traceflow::DumpFrame f;
                f.index = r.number;
                f.timestamp = r.frame.timestamp;
                f.bytes = {input.frames[k].data(), input.frames[k].size()};
                f.wirelen = r.frame.wirelen;
                f.linktype = r.linktype;
                f.interface_id = r.interface_id;
                dumper.frame(sink, f);
            }
            dumper.footer(sink);
            REQUIRE(sink.bytes.size() % 4 == 0);
            const ReadBack output = read_back(sink.bytes);  // checks every block's and option's framing
            CHECK(output.big_endian == out_be);
            REQUIRE(output.records.size() == 6);
            CHECK(output.metadata.section == input.metadata.section);
            REQUIRE(output.metadata.interfaces.size() == 3);
            const std::size_t from[] = {1, 0, 2};  // output interface -> input interface
            for (std::size_t i = 0; i < 3; ++i) {
                INFO("output interface " << i);
                CHECK(output.metadata.interfaces[i] == input.metadata.interfaces[from[i]]);
                CHECK(output.interfaces[i].resolution.to_timestamp(1).nsec == 1);  // our if_tsresol: ns
                CHECK(output.interfaces[i].ts_offset == 0);
            }
            const std::uint32_t want_interface[] = {0, 1, 0, 1, 2, 2};
            for (std::size_t j = 0; j < 6; ++j) {
                INFO("frame " << j);
                CHECK(output.records[j].interface_id == want_interface[j]);
                CHECK(output.records[j].frame.timestamp == input.records[order[j]].frame.timestamp);
                CHECK(output.frames[j] == input.frames[order[j]]);
            }
            // The option header in the output's byte order, the value's bytes as they were, zero padding.
            const std::vector<std::uint8_t> wlan0 =
                out_be ? std::vector<std::uint8_t>{0, 2, 0, 5, 'w', 'l', 'a', 'n', '0', 0, 0, 0}
                       : std::vector<std::uint8_t>{2, 0, 5, 0, 'w', 'l', 'a', 'n', '0', 0, 0, 0};
            CHECK(contains(sink.bytes, wlan0));
        }
    }
}

TEST_CASE("PcapngDumper without metadata (or with none to give) writes the bytes it always wrote",
          "[pcapng-metadata]") {
    const std::vector<std::uint8_t> frame = testutil::metadata_capture_frame(1, 1000, 80, false);
    const auto dump = [&](std::shared_ptr<const CaptureMetadata> metadata) {
        traceflow::DumpOptions options;
        options.metadata = std::move(metadata);
        traceflow::formats::PcapngDumper dumper(options);
        MemorySink sink;
        dumper.header(sink);
        traceflow::DumpFrame f;
        f.bytes = {frame.data(), frame.size()};
        f.wirelen = static_cast<std::uint32_t>(frame.size());
        f.interface_id = 4;
        dumper.frame(sink, f);
        return sink.bytes;
    };
    const std::vector<std::uint8_t> plain = dump(nullptr);
    const std::vector<std::uint8_t> start = {
        0x0A, 0x0D, 0x0D, 0x0A, 28,   0,    0,    0,    0x4D, 0x3C, 0x2B, 0x1A, 1,  0, 0, 0,   // SHB
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 28,   0,    0,    0,                   //
        1,    0,    0,    0,    32,   0,    0,    0,    1,    0,    0,    0,    0,  0, 4, 0,   // IDB, snaplen 262144
        9,    0,    1,    0,    9,    0,    0,    0,    0,    0,    0,    0,    32, 0, 0, 0};  // if_tsresol 9, end
    REQUIRE(plain.size() > start.size());
    CHECK(std::vector<std::uint8_t>(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(start.size())) == start);
    CHECK(dump(std::make_shared<const CaptureMetadata>()) == plain);  // no section options, no interface 4
}

TEST_CASE("a pcap flow that mixes link types is rewritten as pcapng keeping the input's interface names",
          "[pcapng-metadata]") {
    const auto capture = testutil::metadata_capture(false);
    const ReadBack input = read_back(capture);
    traceflow::DumpOptions options;
    options.metadata = std::make_shared<const CaptureMetadata>(input.metadata);
    traceflow::formats::PcapDumper pcap(options);
    MemorySink first;
    pcap.header(first);
    traceflow::DumpFrame f;
    f.bytes = {input.frames[0].data(), input.frames[0].size()};
    f.wirelen = static_cast<std::uint32_t>(input.frames[0].size());
    f.interface_id = 0;
    REQUIRE(pcap.accepts(f));
    pcap.frame(first, f);
    f.linktype = traceflow::LinkType::linux_sll;  // as if wlan0 were a cooked capture
    f.interface_id = 1;
    REQUIRE(!pcap.accepts(f));
    MemorySink rewritten;
    const auto next = pcap.successor("flow.pcap", first.bytes, rewritten);
    REQUIRE(next != nullptr);
    next->frame(rewritten, f);
    const ReadBack output = read_back(rewritten.bytes);
    REQUIRE(output.records.size() == 2);
    REQUIRE(output.metadata.interfaces.size() == 2);
    CHECK(output.metadata.interfaces[0].name() == "eth0");
    CHECK(output.metadata.interfaces[1].name() == "wlan0");
    CHECK(output.metadata.interfaces[1].link_type == traceflow::LinkType::linux_sll);
    CHECK(output.metadata.section == input.metadata.section);
}

TEST_CASE("TraceFlow with with_metadata(pcapng_format()) names each flow file's interface as the input did",
          "[pcapng-metadata]") {
    testutil::TempDir dir;
    const std::string path = (dir.path() / "in.pcapng").string();
    const auto capture = testutil::metadata_capture(true);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(capture.data()), static_cast<std::streamsize>(capture.size()));
    // All of the input's metadata: lo too.
    auto reader = traceflow::io::CaptureReader::from_memory({capture.data(), capture.size()}, "m");
    traceflow::io::Record r;
    while (reader.next(r)) {}
    const auto metadata = reader.metadata();
    traceflow::register_format("pcapng-metadata-test",
                               traceflow::with_metadata(traceflow::formats::pcapng_format(), metadata));
    traceflow::TraceFlowOptions o;
    o.fout = (dir.path() / "out").string();
    o.format = "pcapng-metadata-test";
    o.keying = traceflow::FlowKeying::bidirectional;
    traceflow::TraceFlow<traceflow::CapturePacket> tracer(o);
    traceflow::ExtractStats stats;
    traceflow::feed(path, tracer, stats);
    tracer.finish();
    const std::map<std::uint16_t, std::string> name_of_port = {{1000, "eth0"}, {2000, "wlan0"}, {3000, "lo"}};
    std::size_t files = 0;
    for (const traceflow::Index& flow : tracer.index()) {
        REQUIRE(flow.fpout);
        INFO(*flow.fpout);
        const ReadBack got = read_back(testutil::read_bytes(*flow.fpout));
        REQUIRE(got.metadata.interfaces.size() == 1);
        REQUIRE(!got.frames.empty());
        const auto& f = got.frames[0];
        const auto port = static_cast<std::uint16_t>(f[34] << 8 | f[35]);  // Ethernet 14 + IPv4 20: source port
        CHECK(got.metadata.interfaces[0].name() == name_of_port.at(port));
        CHECK(got.metadata.section == to_options(testutil::metadata_capture_section()));
        ++files;
    }
    CHECK(files == 3);
}
