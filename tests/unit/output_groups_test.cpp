// SPDX-License-Identifier: MIT
// Names from a template that coincide: the flows share one file, whole and in
// capture order; '/' makes folders inside the output root, never outside it.
#include <traceflow/formats/builtin.hpp>
#include <traceflow/output/file_output.hpp>
#include <traceflow/output/name_template.hpp>
#include <traceflow/trace_flow.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "mini_json.hpp"
#include "read_capture.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

namespace {

namespace fs = std::filesystem;
using testutil::make_packet;

traceflow::TraceFlowOptions writing(const fs::path& root, const std::string& name_template) {
    traceflow::TraceFlowOptions o;
    o.fout = root.string();
    o.format = "pcap";
    o.name_template = name_template;
    o.warning = nullptr;
    o.max_open_files = 3;  // fewer than the files: they are closed and reopened on the way
    return o;
}

// Clients of three servers, connections opening and ending (FIN) at random,
// some to a server after all its earlier connections ended.
std::vector<traceflow::Packet<>> server_traffic(std::mt19937& rng, std::size_t packets) {
    const char* const servers[] = {"10.0.0.1", "10.0.0.2", "2001:db8::3"};
    const char* const clients[] = {"10.1.0.1", "10.1.0.2", "2001:db8::9"};
    std::uniform_int_distribution<int> pick(0, 2);
    std::uniform_int_distribution<int> percent(0, 99);
    std::vector<traceflow::Packet<>> out;
    for (std::size_t i = 1; i <= packets; ++i) {
        const int s = pick(rng);
        const bool v6 = s == 2;
        const char* client = v6 ? clients[2] : clients[pick(rng) % 2];
        const auto port = static_cast<std::uint16_t>(40000 + pick(rng));
        const bool reply = percent(rng) < 50;
        const bool fin = percent(rng) < 15;
        const traceflow::Timestamp ts{1'600'000'000 + static_cast<std::int64_t>(i), 0};
        out.push_back(reply ? make_packet(i, servers[s], 80, client, port, false, fin, ts)
                            : make_packet(i, client, port, servers[s], 80, false, fin, ts));
    }
    return out;
}

// The frame numbers in a pcap file (server_traffic() gives packet i the time 1,600,000,000 + i s).
std::vector<std::uint64_t> frames_in(const fs::path& file) {
    const std::vector<std::uint8_t> bytes = testutil::read_bytes(file);
    const testutil::ReadResult r = testutil::read_all(traceflow::ByteView(bytes.data(), bytes.size()), file.string());
    REQUIRE(!r.threw);
    std::vector<std::uint64_t> seconds;
    for (const auto& record : r.records)
        seconds.push_back(static_cast<std::uint64_t>(record.frame.timestamp.sec - 1'600'000'000));
    return seconds;
}

}  // namespace

TEST_CASE("flows given one name share one whole file, their frames in capture order", "[output][groups]") {
    std::mt19937 rng(27);
    const auto packets = server_traffic(rng, 400);
    for (const char* name : {"{dst}_{dstport}", "by-server/{dst}", "{src}/{dstport}/{srcport}"}) {
        INFO(name);
        testutil::TempDir dir;
        std::map<std::string, std::set<std::uint64_t>> listed;  // file -> frames the index gives it
        {
            traceflow::TraceFlow<> tracer(writing(dir.path(), name));
            for (const auto& p : packets) tracer.dump(p);
            tracer.finish();
            for (const auto& flow : tracer.index()) {
                REQUIRE(flow.fpout);
                CHECK(fs::path(*flow.fpout).lexically_relative(dir.path()).string().rfind("..", 0) != 0);
                for (const auto frame : flow.index) CHECK(listed[*flow.fpout].insert(frame).second);
            }
        }
        REQUIRE(listed.size() < packets.size() / 10);  // names coincide: far fewer files than flows
        std::size_t files = 0;
        std::set<std::uint64_t> seen;
        for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
            if (!entry.is_regular_file()) continue;
            ++files;
            const std::vector<std::uint64_t> frames = frames_in(entry.path());
            CHECK(std::is_sorted(frames.begin(), frames.end()));  // one header, records in capture order
            CHECK(std::set<std::uint64_t>(frames.begin(), frames.end()) == listed[entry.path().string()]);
            seen.insert(frames.begin(), frames.end());
        }
        CHECK(files == listed.size());
        CHECK(seen.size() == packets.size());  // every frame in exactly one file
    }
}

TEST_CASE("a shared file in every format is one whole file", "[output][groups]") {
    std::mt19937 rng(5);
    const auto packets = server_traffic(rng, 60);
    for (const char* format : {"pcap", "pcapng", "json", "plist", "tree", "text"}) {
        INFO(format);
        testutil::TempDir dir;
        auto options = writing(dir.path(), "{dst}");
        options.format = format;
        {
            traceflow::TraceFlow<> tracer(options);
            for (const auto& p : packets) tracer.dump(p);
            tracer.finish();
        }
        for (const auto& entry : fs::directory_iterator(dir.path())) {
            const std::string text = testutil::read_file(entry.path());
            REQUIRE(!text.empty());
            if (std::string(format) == "json") CHECK_NOTHROW(testjson::parse(text));  // one document
            if (std::string(format) == "plist") {
                CHECK(text.find("<plist") == text.rfind("<plist"));
                CHECK(text.find("</plist>") == text.rfind("</plist>"));
            }
            if (std::string(format) == "pcap" || std::string(format) == "pcapng") {
                const auto bytes = testutil::read_bytes(entry.path());
                CHECK(!testutil::read_all(traceflow::ByteView(bytes.data(), bytes.size()), "f").threw);
            }
        }
    }
}

TEST_CASE("name templates stay inside the output folder", "[output][groups]") {
    for (const char* bad : {"../x", "/tmp/x", "a/../b", "./{label}", "{src}/..", ".."})
        CHECK_THROWS_AS(traceflow::NameTemplate(bad), std::invalid_argument);
    for (const char* good : {"{label}", "a/b/{label}", "..{label}", "x..y/{dst}", "{src}/{dstport}"})
        CHECK_NOTHROW(traceflow::NameTemplate(good));
    // The unspecified address "::" is written "0..": never a ".." folder.
    testutil::TempDir dir;
    {
        traceflow::TraceFlow<> tracer(writing(dir.path(), "{src}/{dstport}"));
        tracer.dump(make_packet(1, "::", 1, "::1", 2));
        tracer.finish();
        const auto index = tracer.index();
        REQUIRE(index.size() == 1);
        REQUIRE(index[0].fpout);
        CHECK(*index[0].fpout == (dir.path() / "0.." / "2.pcap").string());
    }
    CHECK(fs::is_regular_file(dir.path() / "0.." / "2.pcap"));
}
