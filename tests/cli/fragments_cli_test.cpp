// SPDX-License-Identifier: MIT
// traceflow and IP fragments: joined by default (every fragment's frame in its
// flow and file, the summary counts them), the same with -j and map/merge with
// ranges cut inside a packet's fragments, and --no-defrag (runs the built binary).
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cli_run.hpp"
#include "frame_builder.hpp"
#include "pcap_writer.hpp"
#include "read_capture.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace {

using testcli::Run;
using testcli::run;
using testutil::Bytes;

const Bytes client = testutil::doc_v4(0, 10);
const Bytes server = testutil::doc_v4(1, 20);
const Bytes client6 = testutil::doc_v6(0x10);
const Bytes server6 = testutil::doc_v6(0x20);

// Two connections, IPv4 and IPv6, whose requests come in fragments
// interleaved with each other; returns the pcap and the byte offsets of its records.
testutil::PcapWriter fragmented_pcap() {
    testutil::PcapWriter w;
    std::uint32_t usec = 0;
    const auto put = [&](const Bytes& frame) { w.record(1'700'000'000, usec += 1000, frame); };
    const auto v4 = [](const Bytes& seg) {
        return testutil::ethernet(0x0800, testutil::ipv4(6, seg, 5, 0, client, server));
    };
    const auto v6 = [](const Bytes& seg) {
        return testutil::ethernet(0x86DD, testutil::ipv6(6, seg, client6, server6));
    };
    put(v4(testutil::tcp(50000, 80, 0x02, 0, 5, 999)));
    put(v6(testutil::tcp(50001, 443, 0x02, 0, 5, 4999)));
    const auto a =
        testutil::ipv4_fragments(testutil::tcp(50000, 80, 0x18, 1400, 5, 1000), {480, 960}, 7, client, server);
    const auto b =
        testutil::ipv6_fragments(testutil::tcp(50001, 443, 0x18, 1200, 5, 5000), {512, 1024}, 9, client6, server6);
    put(a[0]);
    put(b[2]);
    put(a[1]);
    put(b[0]);
    put(b[1]);
    put(a[2]);
    put(v4(testutil::tcp(50000, 80, 0x11, 0, 5, 2400)));
    put(v6(testutil::tcp(50001, 443, 0x11, 0, 5, 6200)));
    return w;
}

// A listing with the output folder `from` named `to` (fpout names the folder each run wrote to).
std::string renamed(std::string listing, const std::string& from, const std::string& to) {
    for (std::size_t at = listing.find(from); at != std::string::npos; at = listing.find(from, at + to.size()))
        listing.replace(at, from.size(), to);
    return listing;
}

// The capture written into `dir`.
std::string written(const testutil::TempDir& dir, const testutil::PcapWriter& w) {
    const std::string capture = (dir.path() / "frag.pcap").string();
    testutil::write_file(capture, w.bytes);
    return capture;
}

}  // namespace

TEST_CASE("cli: IP fragments are joined; -j and map/merge cut inside them give the same", "[cli][fragments]") {
    testutil::TempDir dir;
    const testutil::PcapWriter w = fragmented_pcap();
    const std::string capture = written(dir, w);
    const std::string mode = "--conn --stats --json ";
    const Run one = run(mode + "-o " + (dir.path() / "one").string() + " " + capture);
    REQUIRE(one.status == 0);
    CHECK(one.err.find("10 frames, 10 TCP frames, 2 flows") != std::string::npos);
    CHECK(one.err.find("IP fragments: 2 packets joined, 0 incomplete") != std::string::npos);
    const auto flows = testcli::json_lines(one.out);
    REQUIRE(flows.size() == 2);
    CHECK(flows[0]["frames"].as_int() == 5);  // SYN, three fragments, FIN
    CHECK(flows[1]["frames"].as_int() == 5);
    // Each flow's file holds its fragments' frames as captured.
    const auto files = testutil::contents_of(dir.path() / "one");
    REQUIRE(files.size() == 2);
    std::size_t records = 0;
    for (const auto& [name, bytes] : files) {
        const auto read = testutil::read_all(
            traceflow::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), name);
        records += read.records.size();
    }
    CHECK(records == 10);

    const Run threads = run(mode + "-j 2 -o " + (dir.path() / "j2").string() + " " + capture);
    REQUIRE(threads.status == 0);
    CHECK(renamed(threads.out, (dir.path() / "j2").string(), (dir.path() / "one").string()) == one.out);
    CHECK(testutil::contents_of(dir.path() / "j2") == files);

    // Ranges cut between the fragments of both packets.
    const std::string cut1 = std::to_string(w.offsets[3]);
    const std::string cut2 = std::to_string(w.offsets[6]);
    const std::vector<std::string> ranges{"0:" + cut1, cut1 + ":" + cut2, cut2 + ":"};
    std::string parts;
    for (std::size_t k = 0; k < ranges.size(); ++k) {
        const std::string part = (dir.path() / ("p" + std::to_string(k))).string();
        const Run m = run("map -q --files --conn --stats --range " + ranges[k] + " " + capture + " " + part);
        REQUIRE(m.status == 0);
        parts += " " + part;
    }
    const Run merged = run("merge --json -o " + (dir.path() / "merged").string() + parts);
    REQUIRE(merged.status == 0);
    CHECK(renamed(merged.out, (dir.path() / "merged").string(), (dir.path() / "one").string()) == one.out);
    CHECK(testutil::contents_of(dir.path() / "merged") == files);
    CHECK(merged.err.find("IP fragments: 2 packets joined, 0 incomplete") != std::string::npos);
}

TEST_CASE("cli: --no-defrag traces a first fragment alone and counts the rest", "[cli][fragments]") {
    testutil::TempDir dir;
    const testutil::PcapWriter w = fragmented_pcap();
    const std::string capture = written(dir, w);
    const Run r = run("--conn --json --no-defrag " + capture);
    REQUIRE(r.status == 0);
    CHECK(r.err.find("6 TCP frames") != std::string::npos);
    CHECK(r.err.find("fragment 4") != std::string::npos);
    CHECK(r.err.find("IP fragments") == std::string::npos);
}

#if defined(TRACEFLOW_REFERENCE_DIR)
TEST_CASE("cli: the reference's fragmented HTTP request is one flow of 11 frames, as tshark joins it",
          "[cli][fragments][reference]") {
    testutil::TempDir dir;
    const std::string capture = std::string(TRACEFLOW_REFERENCE_DIR) + "/captures/ppp_frag_http_req.pcap";
    REQUIRE(std::filesystem::exists(capture));
    const Run r = run("--json -f pcap -f payload -o " + (dir.path() / "out").string() + " " + capture);
    REQUIRE(r.status == 0);
    const auto flows = testcli::json_lines(r.out);
    REQUIRE(flows.size() == 1);
    CHECK(flows[0]["frames"].as_int() == 11);
    CHECK(flows[0]["streams"]["orig"]["length"].as_int() == 1460);
    const std::string request = testutil::read_file(flows[0]["streams"]["orig"]["file"].as_string());
    CHECK(request.rfind("GET /convert_data.js?partner_id=29", 0) == 0);
}
#endif

#endif
