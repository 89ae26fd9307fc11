// SPDX-License-Identifier: MIT
// The command-line tool on live input, end to end: a capture written into its
// stdin record by record with pauses, --stream, the live clock, signals,
// broken and failing stdout, several inputs with failures.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <traceflow/io/capture_reader.hpp>

#include "mini_json.hpp"
#include "spawn.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_CLI_PATH) && defined(TRACEFLOW_TEST_HAVE_SPAWN)

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

namespace {

// Generous: the machine may be slow, shared, or running a sanitizer.
constexpr auto patience = std::chrono::milliseconds(60'000);

std::string sample() { return std::string(TRACEFLOW_SOURCE_DIR) + "/examples/data/sample.pcap"; }
std::string scenario(const char* name) { return std::string(TRACEFLOW_TEST_DATA_DIR) + "/tcp/" + name; }

std::vector<std::string> cli(std::vector<std::string> args) {
    args.insert(args.begin(), TRACEFLOW_CLI_PATH);
    return args;
}

// Label and frames of each JSON line, order ignored.
std::set<std::pair<std::string, std::vector<long long>>> flows_of(const std::vector<std::string>& lines) {
    std::set<std::pair<std::string, std::vector<long long>>> out;
    for (const std::string& l : lines) {
        if (l.empty()) continue;
        const testjson::Value v = testjson::parse(l);
        std::vector<long long> frames;
        for (const auto& f : v["index"].items) frames.push_back(f.as_int());
        out.emplace(v["label"].as_string(), frames);
    }
    return out;
}

// Every line of a finished run reading a whole file.
std::vector<std::string> listing_of(const std::vector<std::string>& args) {
    testutil::TempDir dir;
    testutil::Child child(cli(args), dir.str() + "/err", false);
    std::vector<std::string> lines = child.rest(patience);
    const int status = child.wait(patience);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    return lines;
}

int shell(const std::string& command) {
    const int raw = std::system(command.c_str());
    if (WIFEXITED(raw)) return WEXITSTATUS(raw);
    return -1;
}

// Frame bytes of `path` by record number, to compare the per-flow files with.
std::map<std::uint64_t, Bytes> frames_by_number(const std::string& path) {
    std::map<std::uint64_t, Bytes> out;
    traceflow::io::CaptureReader reader(path);
    traceflow::io::Record r;
    while (reader.next(r)) out[r.number] = Bytes(r.frame.bytes.begin(), r.frame.bytes.end());
    return out;
}

// Every listed flow's file reads back whole and holds exactly its listed frames.
void check_files_match(const std::vector<std::string>& lines, const std::map<std::uint64_t, Bytes>& original) {
    std::size_t checked = 0;
    for (const std::string& l : lines) {
        const testjson::Value v = testjson::parse(l);
        REQUIRE(v["fpout"].kind == testjson::Value::Kind::string);
        const std::string path = v["fpout"].as_string();
        INFO(path);
        traceflow::io::CaptureReader reader(path);  // a truncated file would throw below
        traceflow::io::Record r;
        std::size_t i = 0;
        const auto& index = v["index"].items;
        while (reader.next(r)) {
            REQUIRE(i < index.size());
            const auto want = original.find(static_cast<std::uint64_t>(index[i].as_int()));
            REQUIRE(want != original.end());
            CHECK(Bytes(r.frame.bytes.begin(), r.frame.bytes.end()) == want->second);
            ++i;
        }
        CHECK(i == index.size());
        ++checked;
    }
    CHECK(checked == lines.size());
}

}  // namespace

TEST_CASE("cli: --stream prints flows as they end, before the writer closes the pipe", "[cli][live]") {
    const auto parts = testutil::cut_records(testutil::read_bytes(sample()));
    const auto whole = flows_of(listing_of({"--json", "-q", sample()}));
    for (const char* threads : {"1", "2"}) {
        CAPTURE(threads);
        testutil::TempDir dir;
        testutil::Child child(cli({"--stream", "--json", "-q", "-j", threads, "-"}), dir.str() + "/err");
        REQUIRE(child.write(parts.header));
        const std::size_t half = parts.records.size() / 2;
        for (std::size_t i = 0; i < half; ++i) {
            REQUIRE(child.write(parts.records[i]));
            std::this_thread::sleep_for(1ms);
        }
        // The pipe stays open: the flows that ended so far must show up now.
        const auto first = child.line(patience);
        REQUIRE(first);
        std::vector<std::string> lines{*first};
        for (const auto& [label, frames] : flows_of(lines))
            for (long long f : frames) CHECK(f <= static_cast<long long>(half));
        for (std::size_t i = half; i < parts.records.size(); ++i) REQUIRE(child.write(parts.records[i]));
        child.close_stdin();
        for (const std::string& l : child.rest(patience)) lines.push_back(l);
        const int status = child.wait(patience);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        CHECK(flows_of(lines) == whole);  // the same flows as the whole file, in ending order
    }
}

TEST_CASE("cli: --stream with the tcp lifecycle ends RST and FIN flows during a pause (live clock)", "[cli][live]") {
    struct Case {
        const char* file;
        const char* reason;
    };
    for (const Case& c : {Case{"rst_close.pcap", "rst"}, Case{"half_close.pcap", "fin"}}) {
        for (const char* threads : {"1", "2"}) {
            CAPTURE(c.file, threads);
            const auto parts = testutil::cut_records(testutil::read_bytes(scenario(c.file)));
            testutil::TempDir dir;
            testutil::Child child(cli({"--stream", "--json", "--lifecycle", "tcp", "--fin-linger", "0.2",
                                       "--rst-linger", "0.2", "--bidirectional", "-j", threads, "-"}),
                                  dir.str() + "/err");
            REQUIRE(child.write(parts.header));
            for (const auto& record : parts.records) REQUIRE(child.write(record));
            // No more packets, the pipe open: only the wall clock can end the flow.
            const auto line = child.line(patience);
            REQUIRE(line);
            const testjson::Value flow = testjson::parse(*line);
            CHECK(flow["end_reason"].as_string() == c.reason);
            CHECK(flow["index"].items.size() == parts.records.size());
            child.close_stdin();
            CHECK(child.rest(patience).empty());
            const int status = child.wait(patience);
            CHECK(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 0);
        }
    }
}

TEST_CASE("cli: SIGINT mid-stream completes every file, lists the flows and dies by SIGINT", "[cli][live][signal]") {
    const std::string input = scenario("many_short_flows.pcap");
    const auto parts = testutil::cut_records(testutil::read_bytes(input));
    const auto original = frames_by_number(input);
    for (const char* threads : {"1", "2"}) {
        for (bool stream : {true, false}) {
            CAPTURE(threads, stream);
            testutil::TempDir dir;
            std::vector<std::string> args = {"--json", "-j", threads, "-o", dir.str() + "/flows", "-"};
            if (stream) args.insert(args.begin(), "--stream");
            testutil::Child child(cli(args), dir.str() + "/err");
            REQUIRE(child.write(parts.header));
            const std::size_t some = parts.records.size() / 2;
            for (std::size_t i = 0; i < some; ++i) REQUIRE(child.write(parts.records[i]));
            std::vector<std::string> lines;
            if (stream) {
                const auto first = child.line(patience);  // it is reading
                REQUIRE(first);
                lines.push_back(*first);
            } else {  // it is reading once the first flow's file exists
                const auto deadline = testutil::Clock::now() + patience;
                while (!fs::exists(dir.path() / "flows") || fs::is_empty(dir.path() / "flows")) {
                    REQUIRE(testutil::Clock::now() < deadline);
                    std::this_thread::sleep_for(10ms);
                }
            }
            child.signal(SIGINT);  // the pipe stays open: the signal alone must end the wait
            for (const std::string& l : child.rest(patience)) lines.push_back(l);
            const int status = child.wait(patience);
            REQUIRE(WIFSIGNALED(status));
            CHECK(WTERMSIG(status) == SIGINT);
            const std::string err = testutil::read_file(dir.path() / "err");
            CHECK(err.find("interrupted by SIGINT") != std::string::npos);
            CHECK(err.find(" frames, ") != std::string::npos);  // the summary
            // Every frame read is in exactly one flow, frames 1..N without a gap.
            std::vector<long long> frames;
            for (const auto& [label, f] : flows_of(lines)) frames.insert(frames.end(), f.begin(), f.end());
            std::sort(frames.begin(), frames.end());
            REQUIRE_FALSE(frames.empty());
            CHECK(frames.back() <= static_cast<long long>(some));
            for (std::size_t i = 0; i < frames.size(); ++i) CHECK(frames[i] == static_cast<long long>(i + 1));
            check_files_match(lines, original);
        }
    }
}

TEST_CASE("cli: a closed pipe on stdout stops quietly, files complete, dies by SIGPIPE", "[cli][live][signal]") {
    const std::string input = scenario("many_short_flows.pcap");
    const auto parts = testutil::cut_records(testutil::read_bytes(input));
    testutil::TempDir dir;
    testutil::Child child(cli({"--stream", "--csv", "-o", dir.str() + "/flows", "-"}), dir.str() + "/err");
    REQUIRE(child.write(parts.header));
    std::size_t i = 0;
    for (; i < parts.records.size() / 4; ++i) REQUIRE(child.write(parts.records[i]));
    REQUIRE(child.line(patience));  // the CSV header: it is up
    child.close_stdout();           // like `| head -1`
    for (; i < parts.records.size(); ++i)
        if (!child.write(parts.records[i])) break;  // it may stop reading at any point now
    child.close_stdin();
    const int status = child.wait(patience);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGPIPE);
    const std::string err = testutil::read_file(dir.path() / "err");
    CHECK(err.find("error") == std::string::npos);
    std::size_t files = 0;
    for (const fs::path& p : testutil::files_in(dir.path() / "flows")) {
        INFO(p.string());
        traceflow::io::CaptureReader reader(p.string());
        traceflow::io::Record r;
        std::size_t records = 0;
        while (reader.next(r)) ++records;  // a truncated file throws
        CHECK(records > 0);
        ++files;
    }
    CHECK(files > 0);
}

TEST_CASE("cli: a failing stdout is an error: exit 2, files still complete", "[cli][live]") {
    testutil::TempDir dir;
    const std::string cli_path = TRACEFLOW_CLI_PATH;
    const auto original = frames_by_number(sample());
    for (const std::string& mode : {std::string("--json"), std::string("--stream --csv")}) {
        CAPTURE(mode);
        if (fs::exists("/dev/full")) {
            const std::string flows = dir.str() + "/full" + std::to_string(mode.size());
            CHECK(shell(cli_path + " " + mode + " -o " + flows + " " + sample() + " >/dev/full 2>" + dir.str() +
                        "/err") == 2);
            CHECK(testutil::read_file(dir.path() / "err").find("writing standard output") != std::string::npos);
            // The same files as a run whose listing could be written.
            const std::string good_dir = dir.str() + "/good" + std::to_string(mode.size());
            const auto good = listing_of({"--json", "-o", good_dir, sample()});
            CHECK(testutil::files_in(flows).size() == good.size());
            check_files_match(good, original);
        }
        CHECK(shell(cli_path + " " + mode + " " + sample() + " >&- 2>" + dir.str() + "/err") == 2);
        CHECK(testutil::read_file(dir.path() / "err").find("standard output is closed") != std::string::npos);
    }
}

TEST_CASE("cli: a damaged input in the middle is reported and the next one still read, exit 2", "[cli][live]") {
    testutil::TempDir dir;
    const std::string cut = dir.str() + "/damaged.pcap";
    Bytes bytes = testutil::read_bytes(sample());
    bytes.resize(bytes.size() / 2);
    {
        std::ofstream out(cut, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    const std::string c = scenario("rst_close.pcap");
    const std::string cli_path = TRACEFLOW_CLI_PATH;
    for (const char* threads : {"1", "2"}) {
        CAPTURE(threads);
        const std::string out = dir.str() + "/out";
        const std::string err = dir.str() + "/err";
        CHECK(shell(cli_path + " --json -j " + threads + " " + sample() + " " + cut + " " + c + " >" + out + " 2>" +
                    err) == 2);
        const std::string listing = testutil::read_file(out);
        const std::string errors = testutil::read_file(err);
        CHECK(errors.find("damaged.pcap: record ") != std::string::npos);
        CHECK(errors.find("byte offset") != std::string::npos);
        CHECK(listing.find("10.77.0.1_40009-10.77.0.2_7009") != std::string::npos);  // c.pcap's flow
        CHECK(listing.find("10.77.0.1_55650-10.77.0.2_8000") != std::string::npos);  // a.pcap's

        CHECK(shell(cli_path + " --json -j " + threads + " " + dir.str() + "/missing.pcap " + c + " >" + out + " 2>" +
                    err) == 2);
        CHECK(testutil::read_file(err).find("missing.pcap") != std::string::npos);
        CHECK(testutil::read_file(out).find("10.77.0.1_40009-10.77.0.2_7009") != std::string::npos);
    }
}

TEST_CASE("cli: --stream needs --json or --csv", "[cli]") {
    const std::string cli_path = TRACEFLOW_CLI_PATH;
    CHECK(shell(cli_path + " --stream " + sample() + " >/dev/null 2>&1") == 1);
    CHECK(shell(cli_path + " --stream --json " + sample() + " >/dev/null 2>&1") == 0);
}

// Not a check: the closing-note measurement. Run it alone:
//   traceflow_tests "[.latency]" -s
// Paced replay (about 1 ms between records) of many_short_flows.pcap into
// `traceflow --stream --json -`; for each flow line, the time from writing
// its last frame into the pipe to reading its line.
TEST_CASE("cli: latency from a flow's last packet written to its line read", "[.latency]") {
    const auto parts = testutil::cut_records(testutil::read_bytes(scenario("many_short_flows.pcap")));
    for (const char* threads : {"1", "2"}) {
        testutil::TempDir dir;
        testutil::Child child(cli({"--stream", "--json", "-q", "-j", threads, "-"}), dir.str() + "/err");
        std::vector<testutil::Clock::time_point> written(parts.records.size() + 1);
        std::vector<double> latency_ms;
        auto take = [&](const std::string& l) {
            const auto now = testutil::Clock::now();
            const testjson::Value v = testjson::parse(l);
            long long last = 0;
            for (const auto& f : v["index"].items) last = std::max(last, f.as_int());
            if (v["end_reason"].as_string() == "open") return;
            const auto since = now - written[static_cast<std::size_t>(last)];
            latency_ms.push_back(std::chrono::duration<double, std::milli>(since).count());
        };
        REQUIRE(child.write(parts.header));
        for (std::size_t i = 0; i < parts.records.size(); ++i) {
            written[i + 1] = testutil::Clock::now();
            REQUIRE(child.write(parts.records[i]));
            while (auto l = child.line(1ms)) take(*l);
        }
        while (auto l = child.line(200ms)) take(*l);
        child.close_stdin();
        for (const std::string& l : child.rest(patience)) take(l);
        child.wait(patience);
        std::sort(latency_ms.begin(), latency_ms.end());
        REQUIRE_FALSE(latency_ms.empty());
        std::printf("-j %s: %zu flows, latency median %.3f ms, p99 %.3f ms, max %.3f ms\n", threads, latency_ms.size(),
                    latency_ms[latency_ms.size() / 2], latency_ms[latency_ms.size() * 99 / 100], latency_ms.back());
    }
}

#endif
