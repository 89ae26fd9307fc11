// SPDX-License-Identifier: MIT
// feed_threaded gives exactly what feed gives: the same flows, counts, files,
// errors, and the same state when the tracer throws; across many batches.
#include <traceflow/feed/threaded_feed.hpp>

#include <filesystem>
#include <string>

#include "feed_compare.hpp"
#include "pcap_writer.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using testutil::check_same;
using testutil::FeedResult;
using Bytes = std::vector<std::uint8_t>;

namespace {

using testutil::repeated;

Bytes sample() { return testutil::read_bytes(fs::path(TRACEFLOW_SOURCE_DIR) / "examples/data/sample.pcap"); }

}  // namespace

TEST_CASE("feed_threaded: same flows and counts as feed over many batches, with and without files",
          "[threaded_feed][property]") {
    // 40 copies of the 2,000-packet scenario: 80,000 frames, the ring of 8 x 128 goes round eighty times.
    const Bytes many =
        repeated(testutil::read_bytes(fs::path(TRACEFLOW_TEST_DATA_DIR) / "tcp/many_short_flows.pcap"), 40);
    const Bytes mixed = repeated(sample(), 360);  // TCP and other frames interleaved
    for (const Bytes* input : {&many, &mixed}) {
        const FeedResult single = testutil::feed_bytes(*input, false, {});
        const FeedResult threaded = testutil::feed_bytes(*input, true, {});
        check_same(single, threaded);
        CHECK(single.stats.tcp_frames > 128 * 8 * 2);  // the ring goes round
        testutil::TempDir a, b;
        const FeedResult single_files = testutil::feed_bytes(*input, false, a.path());
        const FeedResult threaded_files = testutil::feed_bytes(*input, true, b.path());
        CHECK(!single_files.files.empty());
        check_same(single_files, threaded_files);  // byte for byte: frames copied intact across batches
    }
}

TEST_CASE("feed_threaded: a damaged file gives the same error after the same frames", "[threaded_feed][hostile]") {
    const Bytes whole = repeated(sample(), 20);
    // Cut inside a record, and claim an absurd captured length in a record header.
    Bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(whole.size() * 2 / 3));
    Bytes bad = whole;
    const std::size_t second_record = 24 + 16 + (bad[24 + 8] | bad[24 + 9] << 8 | bad[24 + 10] << 16);
    bad[second_record + 8 + 3] = 0x7F;  // incl_len of record 2: ~2 GiB
    for (const Bytes* input : {&cut, &bad}) {
        testutil::TempDir a, b;
        const FeedResult single = testutil::feed_bytes(*input, false, a.path());
        const FeedResult threaded = testutil::feed_bytes(*input, true, b.path());
        CHECK(single.error.has_value());
        check_same(single, threaded);
    }
}

TEST_CASE("feed_threaded: an exception from the tracer stops reading and leaves what feed leaves",
          "[threaded_feed][hostile]") {
    const Bytes input = repeated(sample(), 30);
    for (const std::size_t throw_at : {std::size_t{1}, std::size_t{7}, std::size_t{150}}) {
        CAPTURE(throw_at);
        testutil::TempDir a, b;
        const FeedResult single = testutil::feed_bytes(input, false, a.path(), "pcap", throw_at);
        const FeedResult threaded = testutil::feed_bytes(input, true, b.path(), "pcap", throw_at);
        REQUIRE(single.error == std::optional<std::string>("callback failed"));
        check_same(single, threaded);
    }
}

TEST_CASE("feed_threaded: over a file read into small buffers in turn, the same as feed", "[threaded_feed][property]") {
    // The reading thread keeps records in the source's buffers until they are
    // traced: small buffers make it go round them thousands of times (and
    // grow one for every record bigger than a buffer), with the tracer
    // behind, ahead, or stopping.
    const Bytes many =
        repeated(testutil::read_bytes(fs::path(TRACEFLOW_TEST_DATA_DIR) / "tcp/many_short_flows.pcap"), 12);
    const Bytes mixed = repeated(sample(), 60);
    for (const std::size_t buffer : {std::size_t{64}, std::size_t{1500}, std::size_t{16384}}) {
        CAPTURE(buffer);
        for (const Bytes* input : {&many, &mixed}) {
            const FeedResult memory = testutil::feed_bytes(*input, false, {});
            const FeedResult threaded = testutil::feed_bytes(*input, true, {}, "pcap", 0, "in.pcap", buffer);
            check_same(memory, threaded);
            CHECK(memory.stats.frames > 128 * 8 * 2);  // the ring of batches goes round too
            testutil::TempDir a, b;
            const FeedResult single_files = testutil::feed_bytes(*input, false, a.path());
            const FeedResult threaded_files =
                testutil::feed_bytes(*input, true, b.path(), "pcap", 0, "in.pcap", buffer);
            CHECK(!single_files.files.empty());
            check_same(single_files, threaded_files);  // frames intact: no buffer was read over too soon
        }
        testutil::TempDir a, b;
        const FeedResult single = testutil::feed_bytes(mixed, false, a.path(), "pcap", 150);
        const FeedResult threaded = testutil::feed_bytes(mixed, true, b.path(), "pcap", 150, "in.pcap", buffer);
        REQUIRE(single.error == std::optional<std::string>("callback failed"));
        check_same(single, threaded);
    }
}
