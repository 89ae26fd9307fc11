// SPDX-License-Identifier: MIT
// traceflow -f payload: stream files and their JSON, with -f pcap in one run, --overlap, exactness under
// -j and map/merge, and the usage errors (runs the built binary).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "cli_run.hpp"
#include "frame_builder.hpp"
#include "pcap_writer.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace {

using testcli::Run;
using testcli::run;
using testcli::sample;

std::map<std::string, std::string> files_in(const std::filesystem::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
        if (entry.is_regular_file())
            files[std::filesystem::relative(entry.path(), dir).string()] = testutil::read_file(entry.path());
    return files;
}

// An Ethernet/IPv4/TCP frame from 10.0.0.1:40000 (client) or 10.0.0.2:80 with `data` as payload.
testutil::Bytes segment(bool from_client, std::uint8_t flags, std::uint32_t seq, const std::string& data) {
    testutil::Bytes tcp =
        from_client ? testutil::tcp(40000, 80, flags, 0, 5, seq) : testutil::tcp(80, 40000, flags, 0, 5, seq);
    tcp.insert(tcp.end(), data.begin(), data.end());
    const testutil::Bytes a{10, 0, 0, 1}, b{10, 0, 0, 2};
    return testutil::ethernet(0x0800, testutil::ipv4(6, tcp, 5, 0, from_client ? a : b, from_client ? b : a));
}

// A connection whose response has a hole filled late and an overlap with other bytes.
std::string overlapping_capture(const std::filesystem::path& path) {
    testutil::PcapWriter w;
    std::uint32_t t = 0;
    const auto add = [&](bool client, std::uint8_t flags, std::uint32_t seq, const std::string& data) {
        w.record(1700000000, ++t, segment(client, flags, seq, data));
    };
    add(true, 0x02, 100, "");             // SYN
    add(false, 0x12, 500, "");            // SYN-ACK
    add(true, 0x18, 101, "GET /\r\n");    // request
    add(false, 0x18, 501 + 5, " world");  // out of order: held
    add(false, 0x18, 501, "hello");       // fills the hole
    add(false, 0x18, 501 + 6, "WORLD");   // overlaps " world" at 6..10 with other bytes
    add(false, 0x11, 501 + 11, "");       // FIN
    add(true, 0x11, 108, "");             // FIN
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(w.bytes.data()), static_cast<std::streamsize>(w.bytes.size()));
    return path.string();
}

}  // namespace

TEST_CASE("cli: -f payload writes each connection's streams; JSON names them with length, gaps and conflicts",
          "[cli][stream]") {
    testutil::TempDir dir;
    const std::string out = (dir.path() / "out").string();
    const Run r = run("--conn -f payload -o " + out + " --json " + sample());
    REQUIRE(r.status == 0);
    const auto flows = testcli::json_lines(r.out);
    REQUIRE(!flows.empty());
    std::uint64_t streams = 0, bytes = 0;
    for (const auto& flow : flows) {
        for (const char* side : {"orig", "resp"}) {
            const auto& s = flow["streams"][side];
            REQUIRE(s.has("length"));
            if (s["file"].kind == testjson::Value::Kind::null) {
                CHECK(s["length"].as_int() == 0);
                continue;
            }
            const std::string file = s["file"].as_string();
            CHECK(file == out + "/" + flow["label"].as_string() + "." + side);
            CHECK(static_cast<long long>(std::filesystem::file_size(file)) == s["length"].as_int());
            CHECK(s["gaps"].items.empty());
            ++streams;
            bytes += static_cast<std::uint64_t>(s["length"].as_int());
        }
    }
    CHECK(streams == files_in(out).size());
    CHECK(r.err.find(" streams, " + std::to_string(bytes) + " bytes, 0 gaps, 0 conflicts") != std::string::npos);

    // With -f pcap in the same run: both kinds of file, the streams the same.
    const std::string both = (dir.path() / "both").string();
    REQUIRE(run("-q --conn -f pcap -f payload -o " + both).status != 0);  // no capture: usage
    REQUIRE(run("-q --conn -f pcap -f payload -o " + both + " " + sample()).status == 0);
    std::map<std::string, std::string> payload_only, pcaps;
    for (const auto& [name, bytes] : files_in(both))
        (name.size() > 5 && name.substr(name.size() - 5) == ".pcap" ? pcaps : payload_only)[name] = bytes;
    CHECK(payload_only == files_in(out));
    CHECK(pcaps.size() == flows.size());
}

TEST_CASE("cli: --overlap first keeps the first copy, last the later; both list the conflict", "[cli][stream]") {
    testutil::TempDir dir;
    const std::string capture = overlapping_capture(dir.path() / "overlap.pcap");
    for (const std::string policy : {"first", "last"}) {
        const std::string out = (dir.path() / policy).string();
        const Run r = run("--conn -f payload --overlap " + policy + " -o " + out + " --json " + capture);
        REQUIRE(r.status == 0);
        const auto flows = testcli::json_lines(r.out);
        REQUIRE(flows.size() == 1);
        const auto& resp = flows[0]["streams"]["resp"];
        CHECK(resp["length"].as_int() == 11);
        REQUIRE(resp["conflicts"].items.size() == 1);
        CHECK(resp["conflicts"].items[0].items[0].as_int() == 6);  // " world" vs "WORLD": offsets 6..10 differ
        CHECK(resp["conflicts"].items[0].items[1].as_int() == 5);
        CHECK(testutil::read_file(resp["file"].as_string()) == (policy == "first" ? "hello world" : "hello WORLD"));
        CHECK(testutil::read_file(flows[0]["streams"]["orig"]["file"].as_string()) == "GET /\r\n");
        CHECK(r.err.find("1 conflict") != std::string::npos);
    }
    // CSV: the same as columns.
    const Run csv = run("-q --conn -f payload -o " + (dir.path() / "csv").string() + " --csv " + capture);
    REQUIRE(csv.status == 0);
    CHECK(csv.out.find("streams_orig_file,streams_orig_length,streams_orig_gaps,streams_orig_conflicts,"
                       "streams_resp_file,streams_resp_length,streams_resp_gaps,streams_resp_conflicts") !=
          std::string::npos);
    CHECK(csv.out.find(",11,,6:5") != std::string::npos);
}

TEST_CASE("cli: a 5 GiB stream by sequence numbers alone is a sparse file with its bytes at their offsets",
          "[cli][stream]") {
    testutil::TempDir dir;
    testutil::PcapWriter w;
    std::uint32_t t = 0;
    const std::uint32_t isn = 0xFFFFF000u;  // wraps within the first 4 KiB
    const auto add = [&](std::uint8_t flags, std::uint64_t offset, const std::string& data) {
        w.record(1700000000, ++t, segment(true, flags, static_cast<std::uint32_t>(isn + 1 + offset), data));
    };
    add(0x02, std::uint64_t{0} - 1, "");  // SYN at the ISN
    const std::uint64_t gib = std::uint64_t{1} << 30;
    for (std::uint64_t k = 0; k < 5; ++k) add(0x18, k * gib, "#" + std::to_string(k));  // 2 bytes a GiB
    add(0x11, 5 * gib, "");                                                             // FIN: the stream is 5 GiB long
    const std::string capture = (dir.path() / "sparse.pcap").string();
    std::ofstream(capture, std::ios::binary)
        .write(reinterpret_cast<const char*>(w.bytes.data()), static_cast<std::streamsize>(w.bytes.size()));
    const std::string out = (dir.path() / "out").string();
    const Run r = run("-f payload -o " + out + " --json " + capture);
    REQUIRE(r.status == 0);
    const auto flows = testcli::json_lines(r.out);
    REQUIRE(flows.size() == 1);
    const auto& orig = flows[0]["streams"]["orig"];
    CHECK(orig["length"].as_int() == static_cast<long long>(5 * gib));
    REQUIRE(orig["gaps"].items.size() == 5);
    CHECK(orig["gaps"].items[0].items[0].as_int() == 2);
    CHECK(orig["gaps"].items[4].items[1].as_int() == static_cast<long long>(gib - 2));
    const std::string file = orig["file"].as_string();
    CHECK(std::filesystem::file_size(file) == 5 * gib);
    std::ifstream in(file, std::ios::binary);
    for (std::uint64_t k = 0; k < 5; ++k) {
        char two[2] = {};
        in.seekg(static_cast<std::streamoff>(k * gib));
        in.read(two, 2);
        CHECK(std::string(two, 2) == "#" + std::to_string(k));
    }
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK(static_cast<std::uint64_t>(st.st_blocks) * 512 < std::uint64_t{64} << 20);  // holes, not 5 GiB of zeros
}

TEST_CASE("cli: -f payload is the same on any -j and through map and merge", "[cli][stream]") {
    testutil::TempDir dir;
    const std::string mode = "--conn ";
    const std::string one = (dir.path() / "one").string();
    const Run plain = run("-q --json -j 1 -f payload " + mode + "-o " + one + " " + sample());
    REQUIRE(plain.status == 0);
    const Run two = run("-q --json -j 2 -f payload " + mode + "-o " + (dir.path() / "two").string() + " " + sample());
    REQUIRE(two.status == 0);
    CHECK(files_in(dir.path() / "two") == files_in(one));
    const char* const ranges[] = {"0:9000", "9000:20011", "20011:"};
    std::string parts;
    for (int k = 0; k < 3; ++k) {
        const std::string part = (dir.path() / ("p" + std::to_string(k))).string();
        const Run m = run("map -q --files -f payload " + mode + "--range " + ranges[k] + " " + sample() + " " + part);
        REQUIRE(m.status == 0);
        parts += " " + part;
    }
    const Run merged = run("merge -q --json -o " + (dir.path() / "merged").string() + parts);
    REQUIRE(merged.status == 0);
    CHECK(files_in(dir.path() / "merged") == files_in(one));
    CHECK(testcli::json_lines(merged.out).size() == testcli::json_lines(plain.out).size());
    CHECK(run("map -q -f payload " + mode + sample() + " " + (dir.path() / "nofiles").string()).status == 1);
}

TEST_CASE("cli: -f payload refuses names shared by flows, a third format and --overlap alone", "[cli][stream]") {
    testutil::TempDir dir;
    const std::string out = " -o " + (dir.path() / "o").string() + " ";
    const Run shared = run("-f payload --name '{dst}_{dstport}'" + out + sample());
    CHECK(shared.status == 1);
    CHECK(shared.err.find("{label}") != std::string::npos);
    const Run two = run("-f json -f pcap" + out + sample());
    CHECK(two.status == 1);
    CHECK(two.err.find("only payload goes with another format") != std::string::npos);
    const Run alone = run("--overlap last" + out + sample());
    CHECK(alone.status == 1);
    CHECK(alone.err.find("--overlap has no effect without -f payload") != std::string::npos);
    CHECK(run("--overlap sideways -f payload" + out + sample()).status == 1);
    CHECK(run("--json --fields number,streams " + sample()).status == 1);
    const Run chosen = run("-q --conn -f payload --flows 2 -o " + (dir.path() / "chosen").string() + " " + sample());
    CHECK(chosen.status == 0);
    CHECK(testutil::files_in(dir.path() / "chosen").size() == 2);  // flow 2's .orig and .resp only
    const Run named = run("-q -f payload --name 'srv/{label}'" + out + sample());
    CHECK(named.status == 0);
    CHECK(std::filesystem::is_directory(dir.path() / "o" / "srv"));
}

#endif
