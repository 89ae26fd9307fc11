// SPDX-License-Identifier: MIT
// ByteSource over files and memory; CaptureReader over real files, small and growing buffers.
#include <traceflow/io/byte_source.hpp>
#include <traceflow/io/capture_reader.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "pcap_writer.hpp"
#include "test_catch.hpp"

using traceflow::IoError;
using traceflow::io::ByteSource;
using traceflow::io::CaptureReader;
using traceflow::io::Record;

namespace {

using Bytes = std::vector<std::uint8_t>;

/// A file in the temporary directory, removed when the test ends.
struct TempFile {
    std::string path;
    explicit TempFile(const Bytes& content) {
        std::random_device rd;
        path = (std::filesystem::temp_directory_path() / ("traceflow_io_" + std::to_string(rd()) + ".bin")).string();
        std::FILE* f = std::fopen(path.c_str(), "wb");
        REQUIRE(f != nullptr);
        REQUIRE(std::fwrite(content.data(), 1, content.size(), f) == content.size());
        std::fclose(f);
    }
    ~TempFile() { std::remove(path.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
};

Bytes counting(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
    return b;
}

/// A little-endian µs pcap whose records have the given sizes.
Bytes pcap_with(const std::vector<std::size_t>& sizes) {
    testutil::PcapWriter w;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const Bytes data = counting(sizes[i] + i);
        w.record(static_cast<std::uint32_t>(i), 0, Bytes(data.begin() + static_cast<std::ptrdiff_t>(i), data.end()));
    }
    return w.bytes;
}

}  // namespace

TEST_CASE("byte source reads a file in chunks across buffer refills", "[io]") {
    const Bytes content = counting(1000);
    const TempFile file(content);
    ByteSource in(file.path, 64);
    CHECK(in.name() == file.path);
    CHECK(in.capacity() == 64u);
    Bytes seen;
    std::size_t step = 1;
    while (in.ensure(step)) {
        CHECK(in.offset() == seen.size());
        seen.insert(seen.end(), in.data(), in.data() + step);
        in.consume(step);
        step = step % 13 + 1;
    }
    seen.insert(seen.end(), in.data(), in.data() + in.available());
    CHECK(seen == content);
    CHECK(in.capacity() == 64u);
    // A request bigger than the buffer grows it.
    ByteSource big(file.path, 64);
    REQUIRE(big.ensure(1000));
    CHECK(big.capacity() >= 1000u);
    CHECK(Bytes(big.data(), big.data() + 1000) == content);
    CHECK_FALSE(big.ensure(1001));
    CHECK(big.available() == 1000u);
}

TEST_CASE("byte source over memory reads in place", "[io]") {
    const Bytes content = counting(10);
    ByteSource in = ByteSource::from_memory({content.data(), content.size()}, "mem");
    CHECK(in.name() == "mem");
    REQUIRE(in.ensure(10));
    CHECK(in.data() == content.data());
    in.consume(4);
    CHECK(in.offset() == 4u);
    CHECK_FALSE(in.ensure(7));
    CHECK(in.available() == 6u);
    ByteSource moved = std::move(in);
    CHECK(moved.data() == content.data() + 4);
}

TEST_CASE("opening a missing file is an IoError naming it", "[io]") {
    const std::string path = "/nonexistent/traceflow/x.pcap";
    try {
        CaptureReader reader(path);
        FAIL("no exception");
    } catch (const IoError& e) {
        CHECK(e.path() == path);
        CHECK(e.code() == std::errc::no_such_file_or_directory);
    }
}

TEST_CASE("capture reader over a file: records straddling refills and bigger than the buffer", "[io]") {
    const std::vector<std::size_t> sizes = {10, 50, 3, 200, 0, 64, 1000, 17, 5000, 1, 63};
    const Bytes content = pcap_with(sizes);
    const TempFile file(content);
    for (const std::size_t capacity : {std::size_t{64}, std::size_t{100}, std::size_t{4096}, ByteSource::default_capacity}) {
        CAPTURE(capacity);
        CaptureReader reader{ByteSource(file.path, capacity)};
        CHECK(reader.path() == file.path);
        Record r;
        std::size_t i = 0;
        while (reader.next(r)) {
            REQUIRE(i < sizes.size());
            const Bytes expected = counting(sizes[i] + i);
            CHECK(r.number == i + 1);
            CHECK(r.frame.timestamp.sec == static_cast<std::int64_t>(i));
            CHECK(Bytes(r.frame.bytes.begin(), r.frame.bytes.end()) ==
                  Bytes(expected.begin() + static_cast<std::ptrdiff_t>(i), expected.end()));
            ++i;
        }
        CHECK(i == sizes.size());
        CHECK(reader.bytes_read() == content.size());
    }
}

TEST_CASE("capture reader grows past its default 4 MiB buffer for a huge record", "[io]") {
    const std::size_t huge = ByteSource::default_capacity + 12345;
    const Bytes content = pcap_with({100, huge, 100});
    const TempFile file(content);
    CaptureReader reader(file.path);
    Record r;
    REQUIRE(reader.next(r));
    REQUIRE(reader.next(r));
    CHECK(r.frame.bytes.size == huge);
    const Bytes expected = counting(huge + 1);
    CHECK(std::equal(r.frame.bytes.begin(), r.frame.bytes.end(), expected.begin() + 1));
    REQUIRE(reader.next(r));
    CHECK(r.frame.bytes.size == 100u);
    CHECK_FALSE(reader.next(r));
}
