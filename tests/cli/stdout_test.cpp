// SPDX-License-Identifier: MIT
// The command-line tool's standard output failing, alike for every listing
// (table, --json, --csv, --stream, formatted on one thread or two): a closed
// pipe ends the tool by SIGPIPE without a word; a full disk is named
// ("No space left on device") and the exit status is 2.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "pcap_writer.hpp"
#include "spawn.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_CLI_PATH) && defined(TRACEFLOW_TEST_HAVE_SPAWN)

namespace {

using namespace std::chrono_literals;
using testutil::Bytes;

// Generous: the machine may be slow, shared, or running a sanitizer.
constexpr auto patience = std::chrono::milliseconds(60'000);

std::string sample() { return std::string(TRACEFLOW_SOURCE_DIR) + "/examples/data/sample.pcap"; }

// A capture of `connections` short connections (SYN, SYN-ACK, FIN, FIN: two
// flows each, both ended by their FIN while the capture is read), written
// into `dir`. 2000 connections list several hundred KB in every listing,
// many times a pipe's buffer.
std::string many_flows(const testutil::TempDir& dir, unsigned connections = 2000) {
    testutil::PcapWriter w;
    const std::uint32_t start = 1'600'000'000;
    std::uint32_t packet = 0;
    auto record = [&](const Bytes& frame) {
        w.record(start + packet / 1000, (packet % 1000) * 1000, frame);
        ++packet;
    };
    for (unsigned i = 0; i < connections; ++i) {
        const Bytes client = {10, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
        const Bytes server = {10, 0, 0, 2};
        const auto port = static_cast<std::uint16_t>(1024 + i);
        auto from_client = [&](std::uint8_t flags, std::uint32_t seq) {
            record(testutil::ethernet(
                0x0800, testutil::ipv4(6, testutil::tcp(port, 80, flags, 0, 5, seq, 0), 5, 0, client, server)));
        };
        auto from_server = [&](std::uint8_t flags, std::uint32_t seq) {
            record(testutil::ethernet(
                0x0800, testutil::ipv4(6, testutil::tcp(80, port, flags, 0, 5, seq, 0), 5, 0, server, client)));
        };
        from_client(0x02, 1000);  // SYN
        from_server(0x12, 5000);  // SYN-ACK
        from_client(0x11, 1001);  // FIN-ACK
        from_server(0x11, 5001);  // FIN-ACK
    }
    const std::string path = dir.str() + "/many_flows.pcap";
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(w.bytes.data()), static_cast<std::streamsize>(w.bytes.size()));
    return path;
}

// The listings, each as its options.
struct Listing {
    const char* name;
    std::vector<std::string> options;
};
const std::vector<Listing>& listings() {
    static const std::vector<Listing> all = {
        {"table", {}},
        {"json", {"--json"}},
        {"csv", {"--csv"}},
        {"json stream", {"--json", "--stream"}},
        {"csv stream", {"--csv", "--stream"}},
    };
    return all;
}

// traceflow OPTIONS -j THREADS [EXTRA...] INPUT.
std::vector<std::string> command(const Listing& listing, const char* threads, const std::string& input,
                                 const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {TRACEFLOW_CLI_PATH};
    args.insert(args.end(), listing.options.begin(), listing.options.end());
    args.insert(args.end(), {"-j", threads});
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(input);
    return args;
}

// How many times `what` occurs in `text`.
std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

}  // namespace

TEST_CASE("cli: a closed pipe on stdout ends every listing by SIGPIPE, without a word", "[cli][stdout][signal]") {
    testutil::TempDir dir;
    const std::string input = many_flows(dir);
    int run = 0;
    for (const Listing& listing : listings()) {
        for (const char* threads : {"1", "2"}) {
            for (const bool files : {false, true}) {
                CAPTURE(listing.name, threads, files);
                const std::string n = std::to_string(run++);
                std::vector<std::string> extra = {"-q"};
                if (files) extra.insert(extra.end(), {"-o", dir.str() + "/flows" + n});
                testutil::Child child(command(listing, threads, input, extra), dir.str() + "/err" + n, false);
                REQUIRE(child.line(patience));  // it is listing
                child.close_stdout();           // like `| head -1`
                const int status = child.wait(patience);
                CHECK_FALSE(WIFEXITED(status));
                REQUIRE(WIFSIGNALED(status));
                CHECK(WTERMSIG(status) == SIGPIPE);
                CHECK(testutil::read_file(dir.path() / ("err" + n)).empty());
            }
        }
    }
}

TEST_CASE("cli: a closed pipe is no error with the summary on either", "[cli][stdout][signal]") {
    testutil::TempDir dir;
    const std::string input = many_flows(dir);
    for (const Listing& listing : listings()) {
        CAPTURE(listing.name);
        const std::string err = dir.str() + "/err";
        testutil::Child child(command(listing, "2", input), err, false);
        REQUIRE(child.line(patience));
        child.close_stdout();
        const int status = child.wait(patience);
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGPIPE);
        const std::string said = testutil::read_file(err);
        CHECK(said.find("error") == std::string::npos);
        CHECK(said.find("standard output") == std::string::npos);
    }
}

TEST_CASE("cli: a pipe closed before the listing is written ends it by SIGPIPE", "[cli][stdout][signal]") {
    // The sample's listing fits stdout's buffer: only the last flush meets the closed pipe.
    testutil::TempDir dir;
    for (const std::string& input : {sample(), many_flows(dir)}) {
        for (const Listing& listing : listings()) {
            for (const char* threads : {"1", "2"}) {
                CAPTURE(input, listing.name, threads);
                const std::string err = dir.str() + "/err";
                // The reader is gone before the child starts: no race with a child that writes first.
                testutil::Child child(command(listing, threads, input, {"-q"}), err, false,
                                      testutil::Child::closed_pipe);
                const int status = child.wait(patience);
                REQUIRE(WIFSIGNALED(status));
                CHECK(WTERMSIG(status) == SIGPIPE);
                CHECK(testutil::read_file(err).empty());
            }
        }
    }
}

TEST_CASE("cli: a full disk on stdout is named, exit 2, for every listing", "[cli][stdout]") {
    if (!std::filesystem::exists("/dev/full")) TESTUTIL_SKIP("no /dev/full");
    testutil::TempDir dir;
    // Big: write() fails mid-listing; the sample: only the last flush fails.
    for (const std::string& input : {many_flows(dir), sample()}) {
        for (const Listing& listing : listings()) {
            for (const char* threads : {"1", "2"}) {
                for (const bool quiet : {false, true}) {
                    CAPTURE(input, listing.name, threads, quiet);
                    const std::string err = dir.str() + "/err";
                    std::vector<std::string> extra;
                    if (quiet) extra.push_back("-q");
                    testutil::Child child(command(listing, threads, input, extra), err, false, "/dev/full");
                    const int status = child.wait(patience);
                    REQUIRE(WIFEXITED(status));
                    CHECK(WEXITSTATUS(status) == 2);
                    const std::string said = testutil::read_file(err);
                    CHECK(count(said, "traceflow: error: writing standard output: No space left on device\n") == 1);
                    CHECK(count(said, "error") == 1);
                }
            }
        }
    }
}

#endif  // TRACEFLOW_CLI_PATH && TRACEFLOW_TEST_HAVE_SPAWN
