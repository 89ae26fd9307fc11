// SPDX-License-Identifier: MIT
// StreamReassembler: offsets, wrap, holes, gaps, overlaps under both policies, bounds; a random-order property.
#include <traceflow/stream/stream_reassembler.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "test_catch.hpp"

namespace {

using traceflow::ByteRange;
using traceflow::OverlapPolicy;
using traceflow::ReassemblyOptions;
using traceflow::StreamReassembler;
using traceflow::StreamSegment;

// Writes the stream as a file would be: each byte at its offset, gaps as zeros.
struct FileSink {
    std::string file;
    std::vector<ByteRange> gaps, conflicts;
    std::uint64_t delivered = 0;
    std::uint64_t redelivered = 0;
    std::uint64_t next = 0;  // in-order delivery is checked: data and gaps follow on
    void data(std::uint64_t offset, traceflow::ByteView bytes) {
        if (offset == next)
            next += bytes.size;
        else
            redelivered += bytes.size;
        REQUIRE(offset <= next);
        if (file.size() < offset + bytes.size) file.resize(offset + bytes.size, '\0');
        file.replace(offset, bytes.size, reinterpret_cast<const char*>(bytes.data), bytes.size);
        delivered += bytes.size;
    }
    void gap(std::uint64_t offset, std::uint64_t length) {
        REQUIRE(offset == next);
        next += length;
        gaps.push_back({offset, length});
    }
    void conflict(std::uint64_t offset, std::uint64_t length) { conflicts.push_back({offset, length}); }
};

struct Stream {
    ReassemblyOptions options;
    std::size_t total = 0;
    StreamReassembler r;
    FileSink sink;
    explicit Stream(ReassemblyOptions o = {}) : options(o), r(options, total) {}
    void add(std::uint32_t seq, const std::string& bytes, bool syn = false, bool fin = false,
             std::uint32_t wire = UINT32_MAX) {
        StreamSegment s;
        s.seq = seq;
        s.syn = syn;
        s.fin = fin;
        s.captured = traceflow::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        s.wire_length = wire == UINT32_MAX ? static_cast<std::uint32_t>(bytes.size()) : wire;
        r.add(s, false, sink);
    }
};

}  // namespace

TEST_CASE("A stream starts after the SYN and unwraps an ISN near 2^32", "[stream]") {
    Stream s;
    const std::uint32_t isn = 0xFFFFFFF8u;
    s.add(isn, "", true);
    s.add(isn + 1, "hello ");       // crosses 2^32
    s.add(isn + 7, "world, and ");  // after the wrap
    s.add(isn + 18, "", false, true);
    const auto& summary = s.r.end(s.sink);
    CHECK(s.sink.file == "hello world, and ");
    CHECK(summary.length == 17);
    CHECK_FALSE(summary.midstream);
    CHECK(summary.gaps.empty());
    CHECK(s.total == 0);
}

TEST_CASE("A SYN may carry data, at offset 0", "[stream]") {
    Stream s;
    s.add(100, "GET", true);
    s.add(104, " /");
    CHECK(s.r.end(s.sink).length == 5);
    CHECK(s.sink.file == "GET /");
}

TEST_CASE("Without a SYN the first byte seen is offset 0 and the stream says it was picked up midway", "[stream]") {
    Stream s;
    s.add(5000, "BBBB");
    s.add(4996, "AAAA");  // sent before the first byte seen: not in the stream
    s.add(5004, "CC");
    const auto& summary = s.r.end(s.sink);
    CHECK(summary.midstream);
    CHECK(summary.before_start == 4);
    CHECK(s.sink.file == "BBBBCC");
}

TEST_CASE("Out-of-order bytes are held until the hole fills", "[stream]") {
    Stream s;
    s.add(0, "", true);
    s.add(6, "world");
    CHECK(s.r.held_bytes() == 5);
    CHECK(s.sink.delivered == 0);
    s.add(1, "hello");
    CHECK(s.r.held_bytes() == 0);
    CHECK(s.total == 0);
    CHECK(s.sink.file == "helloworld");
    CHECK(s.r.end(s.sink).gaps.empty());
}

TEST_CASE("A segment never captured is an exact gap, also before the FIN", "[stream]") {
    Stream s;
    s.add(0, "", true);
    s.add(1, "aaaa");
    s.add(9, "cccc");            // bytes 4..7 never captured
    s.add(17, "", false, true);  // FIN at offset 16: bytes 12..15 never captured either
    const auto& summary = s.r.end(s.sink);
    CHECK(summary.length == 16);
    REQUIRE(summary.gaps.size() == 2);
    CHECK(summary.gaps[0] == ByteRange{4, 4});
    CHECK(summary.gaps[1] == ByteRange{12, 4});
    CHECK(s.sink.file == std::string("aaaa\0\0\0\0cccc", 12));
    CHECK(summary.delivered() == 8);
}

TEST_CASE("Bytes cut by the snap length are a gap as soon as they are next", "[stream]") {
    Stream s;
    s.add(0, "", true);
    s.add(1, "abcd", false, false, 10);  // 10 sent, 4 captured
    CHECK(s.sink.gaps == std::vector<ByteRange>{{4, 6}});
    s.add(11, "zz");
    const auto& summary = s.r.end(s.sink);
    CHECK(summary.length == 12);
    CHECK(s.sink.file == std::string("abcd\0\0\0\0\0\0zz", 12));
}

TEST_CASE("A later whole copy fills bytes an earlier cut copy lacked", "[stream]") {
    Stream s;
    s.add(0, "", true);
    s.add(5, "ef", false, false, 4);  // offsets 4..7, 6..7 cut; held behind the hole at 0..3
    s.add(5, "efgh");                 // the whole copy
    s.add(1, "abcd");
    const auto& summary = s.r.end(s.sink);
    CHECK(summary.gaps.empty());
    CHECK(summary.conflicts.empty());
    CHECK(s.sink.file == "abcdefgh");
}

TEST_CASE("Overlaps with other bytes: first keeps the first copy, last the later; both report them", "[stream]") {
    for (const OverlapPolicy policy : {OverlapPolicy::first, OverlapPolicy::last}) {
        ReassemblyOptions o;
        o.overlap = policy;
        {
            Stream s(o);  // overlap with delivered bytes
            s.add(0, "", true);
            s.add(1, "abcdef");
            s.add(4, "DXf");  // offsets 3..5: "def" vs "DXf": 3..4 differ
            const auto& summary = s.r.end(s.sink);
            CHECK(summary.conflicts == std::vector<ByteRange>{{3, 2}});
            CHECK(s.sink.file == (policy == OverlapPolicy::first ? "abcdef" : "abcDXf"));
        }
        {
            Stream s(o);  // overlap between held bytes
            s.add(0, "", true);
            s.add(5, "efgh");
            s.add(7, "GHij");  // 6..7 differ in case
            s.add(1, "abcd");
            const auto& summary = s.r.end(s.sink);
            CHECK(summary.conflicts == std::vector<ByteRange>{{6, 2}});
            CHECK(s.sink.file == (policy == OverlapPolicy::first ? "abcdefghij" : "abcdefGHij"));
        }
        {
            Stream s(o);  // an identical retransmission is no conflict
            s.add(0, "", true);
            s.add(1, "abcdef");
            s.add(1, "abcdef");
            CHECK(s.r.end(s.sink).conflicts.empty());
        }
    }
}

TEST_CASE("A one-byte keep-alive before the next byte is not a conflict", "[stream]") {
    Stream s;
    s.add(0, "", true);
    s.add(1, "abc");
    s.add(3, "\0");  // seq = next - 1, one garbage byte
    s.add(3, std::string(1, '\0'));
    CHECK(s.r.end(s.sink).conflicts.empty());
    CHECK(s.sink.file == "abc");
}

TEST_CASE("Overlaps further back than the compare window are counted as unchecked", "[stream]") {
    ReassemblyOptions o;
    o.compare_window = 256;
    Stream s(o);
    s.add(0, "", true);
    s.add(1, std::string(1000, 'a'));
    s.add(1, std::string(10, 'b'));  // offsets 0..9: long delivered, no longer kept
    const auto& summary = s.r.end(s.sink);
    CHECK(summary.unchecked == 10);
    CHECK(summary.conflicts.empty());
}

TEST_CASE("At the per-direction bound the first hole becomes a gap and delivery goes on", "[stream]") {
    ReassemblyOptions o;
    o.max_held_per_direction = 100;
    Stream s(o);
    s.add(0, "", true);
    s.add(11, std::string(60, 'x'));  // hole 0..9
    CHECK(s.r.held_bytes() == 60);
    s.add(81, std::string(60, 'y'));  // hole 70..79; 120 held: over the bound
    CHECK(s.sink.gaps == std::vector<ByteRange>{{0, 10}});
    CHECK(s.r.held_bytes() == 60);
    CHECK(s.total == 60);
    s.add(1, std::string(10, 'z'));  // too late: the gap was declared
    const auto& summary = s.r.end(s.sink);
    CHECK(summary.gaps == std::vector<ByteRange>{{0, 10}, {70, 10}});
    CHECK(summary.length == 140);
    CHECK(s.total == 0);
}

TEST_CASE("A 5 GiB stream by sequence numbers alone: offsets pass 2^32 exactly", "[stream]") {
    Stream s;
    const std::uint32_t isn = 0xFFFF0000u;
    s.add(isn, "", true);
    const std::uint64_t total = std::uint64_t{5} << 30;
    const std::uint64_t step = 1u << 30;  // one captured byte every GiB, the rest never captured
    for (std::uint64_t off = 0; off < total; off += step)
        s.add(static_cast<std::uint32_t>(isn + 1 + off), "!", false, false, 1);
    s.add(static_cast<std::uint32_t>(isn + 1 + total), "", false, true);
    std::uint64_t data = 0;
    const auto& summary = s.r.end(s.sink);
    for (const ByteRange& g : summary.gaps) data += g.length;
    CHECK(summary.length == total);
    CHECK(summary.gaps.size() == 5);
    CHECK(total - data == 5);
    CHECK(summary.gaps.back() == ByteRange{4 * step + 1, step - 1});
}

TEST_CASE("Property: any arrival order, duplicates and cuts give the stream, with gaps only where no copy was whole",
          "[stream][property]") {
    std::mt19937_64 rng(20261205);
    for (int round = 0; round < 300; ++round) {
        const auto n = static_cast<std::size_t>(rng() % 3000 + 1);
        std::string truth(n, '\0');
        for (char& c : truth) c = static_cast<char>('a' + rng() % 26);
        const std::uint32_t isn = static_cast<std::uint32_t>(rng());
        struct Seg {
            std::size_t from, len, cut;
        };
        std::vector<Seg> segs;
        for (std::size_t at = 0; at < n;) {
            const std::size_t len = std::min<std::size_t>(n - at, rng() % 200 + 1);
            segs.push_back({at, len, len});
            at += len;
        }
        std::vector<bool> covered(n, false);  // some whole copy carries the byte
        std::vector<Seg> arrivals;
        for (const Seg& seg : segs) {
            const int copies = static_cast<int>(rng() % 3);  // 0: lost
            for (int c = 0; c < copies; ++c) {
                Seg copy = seg;
                if (rng() % 5 == 0) copy.cut = static_cast<std::size_t>(rng() % copy.len);  // cut by snap length
                for (std::size_t i = 0; i < copy.cut; ++i) covered[copy.from + i] = true;
                arrivals.push_back(copy);
            }
        }
        std::shuffle(arrivals.begin(), arrivals.end(), rng);
        ReassemblyOptions o;
        o.max_held_per_direction = SIZE_MAX;  // no bound: every byte any copy carries arrives
        Stream s(o);
        s.add(isn, "", true);
        for (const Seg& a : arrivals)
            s.add(static_cast<std::uint32_t>(isn + 1 + a.from), truth.substr(a.from, a.cut), false, false,
                  static_cast<std::uint32_t>(a.len));
        s.add(static_cast<std::uint32_t>(isn + 1 + n), "", false, true);
        const auto& summary = s.r.end(s.sink);
        REQUIRE(summary.length == n);
        REQUIRE(summary.conflicts.empty());
        // Bytes are the truth wherever delivered. A cut copy that is next in
        // order makes its cut bytes a gap at once, so gaps may cover bytes a
        // later copy carried, never the reverse: no gap, then the byte is there.
        std::vector<bool> in_gap(n, false);
        for (const ByteRange& g : summary.gaps)
            for (std::uint64_t i = g.offset; i < g.offset + g.length; ++i) in_gap[i] = true;
        s.sink.file.resize(n, '\0');
        for (std::size_t i = 0; i < n; ++i) {
            if (!in_gap[i]) REQUIRE(s.sink.file[i] == truth[i]);
            if (!covered[i]) REQUIRE(in_gap[i]);
        }
        REQUIRE(s.total == 0);
    }
}
