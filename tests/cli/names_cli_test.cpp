// SPDX-License-Identifier: MIT
// traceflow --name and -o: names that group flows share whole files, names
// stay inside -o, and a low open-file limit does not end the run (runs the built binary).
#include <traceflow/io/capture_reader.hpp>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <sys/wait.h>

#include "cli_run.hpp"
#include "mini_json.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace {

namespace fs = std::filesystem;
using testcli::json_lines;
using testcli::Run;
using testcli::run;
using testcli::sample;

// The frames of every pcap file under `dir` (each read whole: a damaged one fails the test).
std::size_t records_under(const fs::path& dir, std::size_t& files) {
    std::size_t records = 0;
    files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        ++files;
        traceflow::io::CaptureReader reader(entry.path().string());
        traceflow::io::Record r;
        while (reader.next(r)) ++records;
    }
    return records;
}

}  // namespace

TEST_CASE("cli: --name {dst}_{dstport} groups flows by server in whole files, every TCP frame once", "[cli][names]") {
    for (const char* name : {"{dst}_{dstport}", "{src}_{srcport}", "servers/{dst}/{dstport}"}) {
        INFO(name);
        testutil::TempDir dir;
        const Run r = run(std::string("--json -q --name ") + name + " -o " + dir.str() + "/out " + sample());
        REQUIRE(r.status == 0);
        const auto flows = json_lines(r.out);
        std::set<std::string> named;
        for (const auto& flow : flows) {
            const std::string path = flow["fpout"].as_string();
            CHECK(path.rfind(dir.str() + "/out/", 0) == 0);
            CHECK(fs::is_regular_file(path));
            named.insert(path);
        }
        std::size_t files = 0;
        CHECK(records_under(dir.path() / "out", files) == 93);  // the sample's TCP frames, none lost
        CHECK(files == named.size());
        CHECK(files < flows.size());
    }
}

TEST_CASE("cli: a --name that would leave -o is a usage error; '/' makes folders inside it", "[cli][names]") {
    testutil::TempDir dir;
    for (const char* bad : {"../escape", "/tmp/escape", "a/../../b", "./x"}) {
        INFO(bad);
        const Run r = run(std::string("-q --name '") + bad + "' -o " + dir.str() + "/out " + sample());
        CHECK(r.status == 1);
        CHECK(r.err.find("--name") != std::string::npos);
        CHECK(!fs::exists(dir.path() / "escape"));
    }
    const Run nested = run("-q --json --name '{src}/{dstport}/{label}' -o " + dir.str() + "/tree " + sample());
    REQUIRE(nested.status == 0);
    std::size_t files = 0;
    CHECK(records_under(dir.path() / "tree", files) == 93);
    CHECK(files == json_lines(nested.out).size());
    CHECK(fs::is_directory(dir.path() / "tree" / "10.77.0.1"));
}

TEST_CASE("cli: under ulimit -n 20, -o still writes every flow's file whole", "[cli][names]") {
    // The default follows the limit; 64 asked for runs out of descriptors and closes files to go on.
    for (const char* extra : {"", "--max-open-files 64 "}) {
        INFO(extra);
        testutil::TempDir dir;
        const std::string out = dir.str() + "/out";
        const std::string listing = dir.str() + "/listing.json";
        const std::string errors = dir.str() + "/err";
        const std::string command = "sh -c 'ulimit -n 20 && exec " + std::string(TRACEFLOW_CLI_PATH) + " -q --json " +
                                    extra + "-o " + out + " " + testcli::many_short_flows() + "' >" + listing + " 2>" +
                                    errors;
        const int status = std::system(command.c_str());
        CAPTURE(testutil::read_file(errors));
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        const auto flows = json_lines(testutil::read_file(listing));
        CHECK(flows.size() == 600);
        std::size_t files = 0;
        CHECK(records_under(out, files) == 2000);
        CHECK(files == 600);
    }
}

#endif
