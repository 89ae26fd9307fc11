// SPDX-License-Identifier: MIT
// FileCache: whatever the number of descriptors and the memory for waiting
// bytes, every file holds exactly its writes in order; never more than
// max_open files are open, never more than max_blocks blocks allocated.
// And through TraceFlow: a tiny cache writes the same files as a large one.
#include <traceflow/detail/output/file_cache.hpp>
#include <traceflow/output/file_output.hpp>
#include <traceflow/trace_flow.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "test_catch.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using traceflow::detail::output::FileCache;

namespace {

#if defined(__linux__)
std::size_t open_descriptors() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++n;
    return n;  // includes the iterator's own descriptor
}
#endif

/// Writes random pieces to `files` files, interleaved at random, and checks
/// the files and the bounds; returns the number of writes made.
std::size_t check_random_writes(unsigned seed, std::size_t max_open, std::size_t buffer_bytes, std::size_t block) {
    testutil::TempDir dir;
    std::mt19937 rng(seed);
    const std::size_t files = 1 + rng() % 40;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < files; ++i) paths.push_back((dir.path() / ("f" + std::to_string(i))).string());
    std::vector<std::string> expected(files);
    std::vector<bool> released(files, false);
#if defined(__linux__)
    const std::size_t before = open_descriptors();
#endif
    std::size_t writes = 0;
    {
        FileCache cache(max_open, buffer_bytes, block);
        std::vector<FileCache::Id> ids;
        for (const std::string& p : paths) ids.push_back(cache.add(&p));
        const std::size_t steps = 50 + rng() % 400;
        for (std::size_t s = 0; s < steps; ++s) {
            const std::size_t f = rng() % files;
            if (released[f]) continue;
            if (rng() % 40 == 0) {  // a flow ends: its file is complete now
                cache.release(ids[f]);
                released[f] = true;
                CHECK(testutil::read_file(paths[f]) == expected[f]);
                continue;
            }
            // Mostly smaller than a block, sometimes a block or more.
            const std::size_t size = rng() % 8 == 0 ? block + rng() % (2 * block) : rng() % block;
            std::string piece(size, '\0');
            for (char& c : piece) c = static_cast<char>('a' + rng() % 26);
            cache.write(ids[f], piece.data(), piece.size());
            expected[f] += piece;
            ++writes;
            REQUIRE(cache.open_count() <= cache.max_open());
            REQUIRE(cache.block_count() <= cache.max_blocks());
#if defined(__linux__)
            REQUIRE(open_descriptors() <= before + cache.max_open());
#endif
            if (rng() % 100 == 0) {  // finish() mid-way: files close and reopen in append mode
                cache.close_all();
                CHECK(cache.open_count() == 0);
            }
        }
        for (std::size_t f = 0; f < files; ++f)
            if (!released[f]) cache.release(ids[f]);
    }
    for (std::size_t f = 0; f < files; ++f) {
        CAPTURE(seed, f, max_open, buffer_bytes, block);
        if (expected[f].empty() && !fs::exists(paths[f])) continue;  // never written: never created
        CHECK(testutil::read_file(paths[f]) == expected[f]);
    }
    return writes;
}

/// Every flow file under `dir` by name, with its bytes.
std::vector<std::pair<std::string, std::vector<std::uint8_t>>> files_of(const fs::path& dir) {
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> out;
    for (const fs::path& p : testutil::files_in(dir)) out.emplace_back(p.filename().string(), testutil::read_bytes(p));
    return out;
}

}  // namespace

TEST_CASE("file cache: every file holds its writes in order, within the descriptor and memory bounds",
          "[file_cache][property]") {
    std::size_t writes = 0;
    for (unsigned seed = 1; seed <= 60; ++seed) {
        std::mt19937 rng(seed * 7919);
        const std::size_t max_open = 1 + rng() % 5;
        const std::size_t block = 1 + rng() % 300;
        const std::size_t buffer_bytes = rng() % (6 * block);  // 0 to 5 blocks (at least one is kept)
        writes += check_random_writes(seed, max_open, buffer_bytes, block);
    }
    CHECK(writes > 1000);
}

TEST_CASE("file cache: the first write creates the file; bytes may wait until release", "[file_cache]") {
    testutil::TempDir dir;
    const std::string path = (dir.path() / "one").string();
    FileCache cache(4);
    const FileCache::Id id = cache.add(&path);
    CHECK_FALSE(fs::exists(path));
    cache.write(id, "abc", 3);
    CHECK(cache.created(id));
    CHECK(fs::exists(path));
    cache.write(id, "def", 3);
    cache.release(id);
    CHECK(testutil::read_file(path) == "abcdef");
    CHECK(cache.open_count() == 0);
}

TEST_CASE("file cache through TraceFlow: one descriptor and one block write the same files as the defaults",
          "[file_cache][property]") {
    for (const char* format : {"pcap", "pcapng"}) {
        for (unsigned seed = 1; seed <= 4; ++seed) {
            // Many interleaved flows of random sizes, some ended by a FIN.
            std::mt19937 rng(seed);
            std::vector<traceflow::Packet<>> packets;
            const unsigned flows = 30 + rng() % 120;
            for (std::uint64_t n = 1; n <= 3000; ++n) {
                const auto f = static_cast<std::uint16_t>(rng() % flows);
                packets.push_back(testutil::make_packet(
                    n, "10.0.0.1", static_cast<std::uint16_t>(1000 + f), "10.0.0.2", 80, false, rng() % 50 == 0,
                    {1'500'000'000 + static_cast<std::int64_t>(n), 0}, 40 + rng() % 1500));
            }
            testutil::TempDir small_dir;
            testutil::TempDir large_dir;
            auto run = [&](const fs::path& dir, std::size_t max_open, std::size_t buffer_bytes) {
                traceflow::TraceFlowOptions o;
                o.fout = dir.string();
                o.format = format;
                o.max_open_files = max_open;
                o.output_buffer_bytes = buffer_bytes;
                traceflow::TraceFlow<> tracer(o);
                for (const auto& p : packets) tracer.dump(p);
                tracer.finish();
            };
            run(small_dir.path(), 1, 1);             // one descriptor, one 64 KiB block
            run(large_dir.path(), 100000, 1 << 30);  // every file open, all bytes waiting
            const auto small = files_of(small_dir.path());
            const auto large = files_of(large_dir.path());
            CAPTURE(format, seed, flows);
            REQUIRE(small.size() == large.size());
            CHECK(small.size() >= flows / 2);
            CHECK(small == large);
        }
    }
}
