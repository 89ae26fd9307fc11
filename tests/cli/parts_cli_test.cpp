// SPDX-License-Identifier: MIT
// traceflow map / merge / merge --join: the listing and files of one run, nested
// merges, and the exit statuses for parts that do not make one input (runs the built binary).
#include <filesystem>
#include <map>
#include <string>

#include "cli_run.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace {

using testcli::Run;
using testcli::run;
using testcli::sample;

}  // namespace

TEST_CASE("cli: map in ranges, merge and merge --join give one run's listing and files", "[cli]") {
    testutil::TempDir dir;
    const std::string mode = "--bidirectional --lifecycle tcp --stats ";
    const Run one = run("-q --json " + mode + "-o " + (dir.path() / "one").string() + " " + sample());
    REQUIRE(one.status == 0);
    const char* const ranges[] = {"0:9000", "9000:20011", "20011:"};
    std::string parts;
    for (int k = 0; k < 3; ++k) {
        const std::string part = (dir.path() / ("p" + std::to_string(k))).string();
        const Run m = run("map -q --files " + mode + "--range " + ranges[k] + " " + sample() + " " + part);
        REQUIRE(m.status == 0);
        CHECK(m.err.empty());
        parts += " " + part;
    }
    const Run merged = run("merge -q --json -o " + (dir.path() / "merged").string() + parts);
    REQUIRE(merged.status == 0);
    // fpout names the folder each run wrote to: the listings are compared with it replaced.
    const auto in_one = [&](std::string listing, const std::string& folder) {
        const std::string from = (dir.path() / folder).string();
        const std::string to = (dir.path() / "one").string();
        for (std::size_t at = listing.find(from); at != std::string::npos; at = listing.find(from, at + to.size()))
            listing.replace(at, from.size(), to);
        return listing;
    };
    CHECK(in_one(merged.out, "merged") == one.out);
    CHECK(testutil::contents_of(dir.path() / "merged") == testutil::contents_of(dir.path() / "one"));

    // Nested: the first two joined, then the join of that and the third.
    const std::string a = (dir.path() / "a").string();
    const std::string all = (dir.path() / "all").string();
    REQUIRE(
        run("merge -q --join " + a + " " + (dir.path() / "p0").string() + " " + (dir.path() / "p1").string()).status ==
        0);
    REQUIRE(run("merge -q --join " + all + " " + a + " " + (dir.path() / "p2").string()).status == 0);
    const Run nested = run("merge -q --json -o " + (dir.path() / "nested").string() + " " + all);
    REQUIRE(nested.status == 0);
    CHECK(in_one(nested.out, "nested") == one.out);
    CHECK(testutil::contents_of(dir.path() / "nested") == testutil::contents_of(dir.path() / "one"));
    const Run plain = run("-q --json " + mode + sample());
    CHECK(run("merge -q --json " + all).out == plain.out);
    CHECK(run("merge -q --json " + a + " " + (dir.path() / "p2").string()).out == plain.out);
}

TEST_CASE("cli: merge and merge --join refuse parts that do not make one input, with exit 2", "[cli]") {
    testutil::TempDir dir;
    const std::string p0 = (dir.path() / "p0").string();
    const std::string p1 = (dir.path() / "p1").string();
    const std::string p2 = (dir.path() / "p2").string();
    REQUIRE(run("map -q --range 0:10000 " + sample() + " " + p0).status == 0);
    REQUIRE(run("map -q --range 10000:20000 " + sample() + " " + p1).status == 0);
    REQUIRE(run("map -q --range 20000: " + sample() + " " + p2).status == 0);
    const std::string joined = (dir.path() / "joined").string();

    const Run gap = run("merge -q --join " + joined + " " + p0 + " " + p2);
    CHECK(gap.status == 2);
    CHECK(gap.err.find("a range is missing") != std::string::npos);
    CHECK(!std::filesystem::exists(joined));

    const Run swapped = run("merge -q --json " + p1 + " " + p0 + " " + p2);
    CHECK(swapped.status == 2);
    CHECK(swapped.out.empty());

    // Two captures (a part beginning at byte 0 starts the next) cannot be one joined part.
    const Run two = run("merge -q --join " + joined + " " + p2 + " " + p0);
    CHECK(two.status == 2);
    CHECK(two.err.find("one capture") != std::string::npos);

    const Run listing = run("merge --json --join " + joined + " " + p0 + " " + p1);
    CHECK(listing.status == 1);
    CHECK(listing.err.find("--json is for a listing") != std::string::npos);
    CHECK(run("map --join " + joined + " " + sample() + " " + p0).status == 1);
    CHECK(run("--join " + joined + " " + sample()).status == 1);

    // A joined part merges like its parts, and is checked like them.
    REQUIRE(run("merge -q --join " + joined + " " + p0 + " " + p1).status == 0);
    const Run whole = run("-q --csv " + sample());
    REQUIRE(whole.status == 0);
    const Run rest = run("merge -q --csv " + joined + " " + p2);
    CHECK(rest.status == 0);
    CHECK(rest.out == whole.out);
    const Run overlap = run("merge -q --csv " + joined + " " + p1 + " " + p2);
    CHECK(overlap.status == 2);
    CHECK(overlap.err.find("ranges overlap") != std::string::npos);
    CHECK(overlap.out.empty());
}

#endif
