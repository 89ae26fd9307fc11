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

TEST_CASE("byte source keeping its buffers: views stay intact until the hook lets their buffer go", "[io]") {
    const Bytes content = counting(20000);
    const TempFile file(content);
    ByteSource in(file.path, 64);
    struct View {
        const std::uint8_t* data;
        std::size_t offset;
        std::size_t size;
        std::uint64_t generation;
        bool released;
    };
    std::vector<View> views;
    auto intact = [&](const View& v) {
        return std::equal(v.data, v.data + v.size, content.begin() + static_cast<std::ptrdiff_t>(v.offset));
    };
    std::vector<std::uint64_t> released;
    in.keep_buffers(3, [&](std::uint64_t generation) {
        for (View& v : views) {
            if (v.released || v.generation > generation) continue;
            CHECK(intact(v));  // still there when the source is about to read over it
            v.released = true;
        }
        released.push_back(generation);
    });
    Bytes seen;
    std::size_t step = 1;
    while (in.ensure(step)) {
        views.push_back({in.data(), seen.size(), step, in.generation(), false});
        seen.insert(seen.end(), in.data(), in.data() + step);
        in.consume(step);
        step = step % 60 + 1;
        for (const View& v : views)
            if (!v.released) REQUIRE(intact(v));
    }
    seen.insert(seen.end(), in.data(), in.data() + in.available());
    CHECK(seen == content);
    // Three buffers: the hook lets go of each generation in turn, two behind the current one.
    const std::uint64_t generations = in.generation();
    CHECK(generations > 100);
    REQUIRE(released.size() == generations - 2);
    for (std::size_t i = 0; i < released.size(); ++i) CHECK(released[i] == i);

    // A request bigger than the buffers gets a bigger one; the earlier view stays.
    ByteSource grows(file.path, 64);
    std::vector<std::uint64_t> let_go;
    grows.keep_buffers(2, [&](std::uint64_t generation) { let_go.push_back(generation); });
    REQUIRE(grows.ensure(10));
    const std::uint8_t* first = grows.data();
    grows.consume(10);
    REQUIRE(grows.ensure(5000));
    CHECK(grows.capacity() >= 5000u);
    CHECK(std::equal(first, first + 10, content.begin()));
    CHECK(std::equal(grows.data(), grows.data() + 5000, content.begin() + 10));
    CHECK(let_go == std::vector<std::uint64_t>{0});  // only the first, empty buffer was read over

    // Back to one buffer: reading goes on, the hook is no longer called.
    ByteSource again(file.path, 64);
    again.keep_buffers(4, [&](std::uint64_t) { FAIL("hook called after keep_buffers(0)"); });
    REQUIRE(again.ensure(10));
    again.consume(10);
    again.keep_buffers(0, {});
    Bytes rest;
    while (again.ensure(50)) {
        rest.insert(rest.end(), again.data(), again.data() + 50);
        again.consume(50);
    }
    rest.insert(rest.end(), again.data(), again.data() + again.available());
    CHECK(rest == Bytes(content.begin() + 10, content.end()));
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
    for (const std::size_t capacity :
         {std::size_t{64}, std::size_t{100}, std::size_t{4096}, ByteSource::default_capacity}) {
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
