// SPDX-License-Identifier: MIT
// traceflow -f pcapng keeps a pcapng input's interface names and section options in each
// flow file: one thread and -j 2, both byte orders, map/merge (runs the built binary).
#include <traceflow/io/capture_reader.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cli_run.hpp"
#include "metadata_capture.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace {

using testcli::run;

// What one flow file says: the if_name of each of its interfaces, its section options, its first source port.
struct FlowFile {
    std::vector<std::string> names;
    std::vector<traceflow::io::CaptureOption> section;
    std::uint16_t port = 0;
    bool big_endian = false;
};

std::map<std::string, FlowFile> read_folder(const std::filesystem::path& dir) {
    std::map<std::string, FlowFile> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        traceflow::io::CaptureReader reader(entry.path().string());
        FlowFile f;
        traceflow::io::Record r;
        bool first = true;
        while (reader.next(r)) {
            if (first && r.frame.bytes.size >= 36)
                f.port = static_cast<std::uint16_t>(r.frame.bytes[34] << 8 | r.frame.bytes[35]);
            first = false;
        }
        REQUIRE(reader.pcapng() != nullptr);
        for (const auto& i : reader.pcapng()->metadata().interfaces) f.names.emplace_back(i.name());
        f.section = reader.pcapng()->metadata().section;
        f.big_endian = reader.pcapng()->big_endian();
        out[entry.path().filename().string()] = f;
    }
    return out;
}

std::string write_capture(const std::filesystem::path& dir, bool big_endian) {
    const std::string path = (dir / (big_endian ? "in-be.pcapng" : "in-le.pcapng")).string();
    const auto bytes = testutil::metadata_capture(big_endian);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path;
}

// Each flow's file names the interface its frames came from; lo, described
// after the first packet, is not read ahead and keeps no name.
void check_folder(const std::filesystem::path& dir, bool big_endian) {
    const std::map<std::uint16_t, std::string> name_of_port = {{1000, "eth0"}, {2000, "wlan0"}, {3000, ""}};
    std::vector<traceflow::io::CaptureOption> section;
    for (const auto& [code, value] : testutil::metadata_capture_section()) section.push_back({code, value});
    const auto files = read_folder(dir);
    CHECK(files.size() == 3);  // bidirectional: one file per connection
    for (const auto& [name, file] : files) {
        INFO(name);
        REQUIRE(name_of_port.count(file.port) == 1);
        CHECK(file.names == std::vector<std::string>{name_of_port.at(file.port)});
        CHECK(file.section == section);
        CHECK(file.big_endian == big_endian);
    }
}

}  // namespace

TEST_CASE("cli: -f pcapng keeps the input's interface names and section options, also with -j 2",
          "[cli][pcapng-metadata]") {
    testutil::TempDir dir;
    for (const bool in_be : {false, true}) {
        const std::string input = write_capture(dir.path(), in_be);
        for (const bool out_be : {false, true}) {
            for (const char* threads : {"-j 1", "-j 2"}) {
                INFO("input big-endian " << in_be << ", output big-endian " << out_be << ", " << threads);
                const std::filesystem::path out =
                    dir.path() / (std::string("out") + (in_be ? "b" : "l") + (out_be ? "b" : "l") + threads[3]);
                const auto r = run(std::string("-q --bidirectional -f pcapng ") + threads + " --byteorder " +
                                   (out_be ? "big" : "little") + " -o " + out.string() + " " + input);
                REQUIRE(r.status == 0);
                CHECK(r.err.empty());
                check_folder(out, out_be);
            }
        }
    }
}

TEST_CASE("cli: pcap input and several inputs that differ give pcapng files without names", "[cli][pcapng-metadata]") {
    testutil::TempDir dir;
    const std::string le = write_capture(dir.path(), false);
    const std::string be = write_capture(dir.path(), true);
    // Same metadata in both: kept (interface ids of both files name the same interfaces).
    REQUIRE(run("-q --bidirectional -f pcapng -o " + (dir.path() / "same").string() + " " + le + " " + be).status == 0);
    for (const auto& [name, file] : read_folder(dir.path() / "same")) {
        INFO(name);
        CHECK(!file.section.empty());
    }
    // A copy whose wlan0 is renamed: the inputs disagree, nothing is kept.
    auto bytes = testutil::read_bytes(le);
    const std::string from = "wlan0";
    const auto at = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
    REQUIRE(at != bytes.end());
    *at = 'W';
    const std::string renamed = (dir.path() / "renamed.pcapng").string();
    std::ofstream(renamed, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(
        run("-q --bidirectional -f pcapng -o " + (dir.path() / "differ").string() + " " + le + " " + renamed).status ==
        0);
    const auto files = read_folder(dir.path() / "differ");
    REQUIRE(!files.empty());
    for (const auto& [name, file] : files) {
        INFO(name);
        CHECK(file.section.empty());
        for (const std::string& n : file.names) CHECK(n.empty());
    }
}

TEST_CASE("cli: merge of parts writes pcapng files keeping the capture's interface names", "[cli][pcapng-metadata]") {
    testutil::TempDir dir;
    const std::string input = write_capture(dir.path(), true);
    const auto size = std::filesystem::file_size(input);
    const std::string mid = std::to_string(size / 2);
    const std::string p0 = (dir.path() / "p0").string();
    const std::string p1 = (dir.path() / "p1").string();
    REQUIRE(run("map -q --files --bidirectional -f pcapng --byteorder big --range 0:" + mid + " " + input + " " + p0)
                .status == 0);
    REQUIRE(run("map -q --files --bidirectional -f pcapng --byteorder big --range " + mid + ": " + input + " " + p1)
                .status == 0);
    const auto merged = run("merge -q -o " + (dir.path() / "merged").string() + " " + p0 + " " + p1);
    REQUIRE(merged.status == 0);
    CHECK(merged.err.empty());
    check_folder(dir.path() / "merged", true);
}

TEST_CASE("cli: tshark reads the interface names traceflow wrote", "[cli][pcapng-metadata]") {
    if (std::system("tshark -v >/dev/null 2>&1") != 0) {
        TESTUTIL_SKIP("tshark is not installed");
        return;
    }
    testutil::TempDir dir;
    const std::string input = write_capture(dir.path(), false);
    const std::filesystem::path out = dir.path() / "out";
    REQUIRE(run("-q --bidirectional -f pcapng -o " + out.string() + " " + input).status == 0);
    std::map<std::string, int> seen;
    for (const auto& entry : std::filesystem::directory_iterator(out)) {
        const std::string listing = (dir.path() / "names").string();
        const std::string command = "tshark -r '" + entry.path().string() +
                                    "' -T fields -e frame.interface_name -e tcp.srcport >" + listing + " 2>/dev/null";
        REQUIRE(std::system(command.c_str()) == 0);
        std::ifstream in(listing);
        std::string line;
        while (std::getline(in, line)) ++seen[line];
    }
    CHECK(seen["eth0\t1000"] == 1);
    CHECK(seen["eth0\t80"] == 1);
    CHECK(seen["wlan0\t2000"] == 1);
    CHECK(seen["wlan0\t443"] == 1);
}

#endif  // TRACEFLOW_CLI_PATH
