// SPDX-License-Identifier: MIT
// feed_threaded vs feed on every reference capture: the same flows, counts,
// errors and per-flow files (pcap and json).
#include <algorithm>
#include <filesystem>

#include "feed_compare.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

TEST_CASE("feed_threaded gives what feed gives on every reference capture", "[reference][threaded_feed]") {
    const fs::path captures = fs::path(TRACEFLOW_REFERENCE_DIR) / "captures";
    REQUIRE(fs::is_directory(captures));
    const std::vector<fs::path> files = testutil::files_in(captures);
    REQUIRE(files.size() >= 100);
    for (const fs::path& file : files) {
        const std::string name = file.filename().string();
        CAPTURE(name);
        const std::vector<std::uint8_t> bytes = testutil::read_bytes(file);
        for (const char* format : {"pcap", "json"}) {
            testutil::TempDir a, b;
            const testutil::FeedResult single = testutil::feed_bytes(bytes, false, a.path(), format, 0, name);
            const testutil::FeedResult threaded = testutil::feed_bytes(bytes, true, b.path(), format, 0, name);
            testutil::check_same(single, threaded);
        }
    }
}
