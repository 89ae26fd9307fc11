// SPDX-License-Identifier: MIT
// The traceflow command-line tool: listings, per-flow files, exit codes and
// partial results on damaged input (runs the built binary).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include "cli_run.hpp"
#include "mini_json.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace {

using testcli::json_lines;
using testcli::Run;
using testcli::run;
using testcli::sample;

}  // namespace

TEST_CASE("cli: the sample capture lists its flows and a summary", "[cli]") {
    const Run r = run(sample());
    CHECK(r.status == 0);
    CHECK(r.out.find("10.77.0.1_55650-10.77.0.2_8000-") != std::string::npos);
    CHECK(r.err.find("101 frames, 93 TCP frames, 17 flows") != std::string::npos);
    CHECK(r.err.find("not-tcp 6") != std::string::npos);
}

TEST_CASE("cli: the summary says 1 frame, 1 TCP frame, 1 flow in the singular", "[cli]") {
    const Run r = run("-c 1 -j1 " + std::string(TRACEFLOW_SOURCE_DIR) + "/tests/data/tcp/half_close.pcap");
    CHECK(r.status == 0);
    CHECK(r.err.find("traceflow: 1 frame, 1 TCP frame, 1 flow (") != std::string::npos);
    CHECK(r.err.find(" frames") == std::string::npos);
    CHECK(r.err.find(" flows") == std::string::npos);
}

TEST_CASE("cli: --json lines hold label, index and fpout; every TCP frame once", "[cli]") {
    testutil::TempDir dir;
    const Run r = run("--json -q -o " + dir.str() + " " + sample());
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    const auto flows = json_lines(r.out);
    REQUIRE(flows.size() == 17);
    std::set<long long> frames;
    for (const auto& flow : flows) {
        for (const auto& f : flow["index"].items) CHECK(frames.insert(f.as_int()).second);
        CHECK(std::filesystem::is_regular_file(flow["fpout"].as_string()));
        CHECK(flow["end_reason"].as_string().size() > 0);
    }
    CHECK(frames.size() == 93);
}

TEST_CASE("cli: pcap and pcapng of the same traffic give the same flows", "[cli]") {
    const Run a = run("--csv -q " + sample());
    const Run b = run("--csv -q " + std::string(TRACEFLOW_SOURCE_DIR) + "/examples/data/sample.pcapng");
    REQUIRE(a.status == 0);
    REQUIRE(b.status == 0);
    // Same frames per flow; labels differ where the two recordings' times differ.
    const auto frames_only = [](const std::string& csv) {
        std::vector<std::string> rows;
        std::stringstream ss(csv);
        std::string line;
        // All columns but label, first and last, which hold the times.
        std::vector<std::size_t> skip;
        for (bool header = true; std::getline(ss, line); header = false) {
            std::vector<std::string> cells;
            std::stringstream cs(line);
            for (std::string cell; std::getline(cs, cell, ',');) cells.push_back(cell);
            std::string kept;
            for (std::size_t i = 0; i < cells.size(); ++i) {
                if (header && (cells[i] == "label" || cells[i] == "first" || cells[i] == "last")) skip.push_back(i);
                if (std::find(skip.begin(), skip.end(), i) == skip.end()) kept += cells[i] + ",";
            }
            rows.push_back(kept);
        }
        return rows;
    };
    CHECK(frames_only(a.out) == frames_only(b.out));
}

TEST_CASE("cli: tcp lifecycle with --stats", "[cli]") {
    const Run r = run("--bidirectional --lifecycle tcp --stats --json -q " + sample());
    REQUIRE(r.status == 0);
    const auto flows = json_lines(r.out);
    REQUIRE(flows.size() == 6);
    CHECK(flows[0]["end_reason"].as_string() == "fin");
    CHECK(flows[0]["conn_state"].as_string() == "SF");
    // Community ID as tshark 4.0.17 computes it (--enable-protocol communityid) for frame 7.
    CHECK(flows[0]["community_id"].as_string() == "1:JlRxVApCW/KGBa1loM0VTOS81X0=");
    CHECK(flows[0]["packets"].items.size() == 2);
    CHECK(flows[5]["conn_state"].as_string() == "REJ");
}

TEST_CASE("cli: usage errors exit 1", "[cli]") {
    CHECK(run("").status == 1);
    CHECK(run("--format").status == 1);
    CHECK(run("--lifecycle sometimes " + sample()).status == 1);
    CHECK(run("--bogus " + sample()).status == 1);
    CHECK(run("--help").status == 0);
    CHECK(run("--version").status == 0);
}

TEST_CASE("cli: a missing file exits 2 naming it", "[cli]") {
    const Run r = run("/nonexistent/capture.pcap");
    CHECK(r.status == 2);
    CHECK(r.err.find("/nonexistent/capture.pcap") != std::string::npos);
}

TEST_CASE("cli: a truncated capture exits 2 and still lists what came before", "[cli]") {
    testutil::TempDir dir;
    const std::string cut = dir.str() + "/cut.pcap";
    std::string bytes = testutil::read_file(sample());
    bytes.resize(bytes.size() - 10);  // the last record loses its end
    std::ofstream(cut, std::ios::binary) << bytes;
    const Run r = run("--json -o " + dir.str() + "/flows " + cut);
    CHECK(r.status == 2);
    CHECK(r.err.find("cut.pcap") != std::string::npos);
    CHECK(r.err.find("record 101") != std::string::npos);
    std::size_t frames = 0;
    for (const auto& flow : json_lines(r.out)) frames += flow["index"].items.size();
    CHECK(frames == 93);  // frame 101 is not TCP: every TCP frame was traced
}

TEST_CASE("cli: standard input and several files continue frame numbers", "[cli]") {
    const Run one = run("--csv -q - < " + sample());
    REQUIRE(one.status == 0);
    CHECK(one.out.find("10.77.0.1_55650-10.77.0.2_8000-") != std::string::npos);
    const Run two = run("--json -q " + sample() + " " + sample());
    REQUIRE(two.status == 0);
    long long highest = 0;
    for (const auto& flow : json_lines(two.out))
        for (const auto& f : flow["index"].items) highest = std::max(highest, f.as_int());
    CHECK(highest > 101);
}

TEST_CASE("cli: --threads 1, 2, 3 and 8 print the same, on good and damaged input", "[cli]") {
    testutil::TempDir dir;
    const std::string cut = dir.str() + "/cut.pcap";
    std::string bytes = testutil::read_file(sample());
    bytes.resize(bytes.size() * 3 / 4);
    std::ofstream(cut, std::ios::binary) << bytes;
    for (const std::string& input : {sample() + " " + sample(), cut}) {
        const Run one = run("--json --stats -j 1 " + input);
        for (const char* threads : {"2", "3", "8"}) {
            const Run two = run(std::string("--json --stats -j ") + threads + " " + input);
            CHECK(one.status == two.status);
            CHECK(one.out == two.out);
            CHECK(!one.out.empty());
            // The summary ends with the time taken; everything before it must agree.
            CHECK(one.err.substr(0, one.err.rfind(';')) == two.err.substr(0, two.err.rfind(';')));
        }
    }
    CHECK(run("-j 0 " + sample()).status == 1);
    CHECK(run("-j 1025 " + sample()).status == 1);
}

#endif
