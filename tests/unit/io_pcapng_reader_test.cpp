// SPDX-License-Identifier: MIT
// PcapngReader through CaptureReader: sections, interfaces, resolutions, packet blocks and damage.
#include <traceflow/io/capture_reader.hpp>
#include <traceflow/io/pcapng_reader.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pcapng_writer.hpp"
#include "read_capture.hpp"
#include "test_catch.hpp"

using traceflow::FormatError;
using traceflow::LinkType;
using traceflow::Timestamp;
using traceflow::io::CaptureFormat;
using traceflow::io::CaptureReader;
using traceflow::io::Record;

namespace {

using Bytes = std::vector<std::uint8_t>;

using PcapngBuilder = testutil::PcapngWriter;

Bytes payload(std::size_t n, std::uint8_t seed) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + 3 * i);
    return b;
}

using testutil::to_bytes;

/// Reads records until the reader throws; the error names this test's file.
testutil::ReadResult read_all(traceflow::ByteView bytes) {
    testutil::ReadResult o = testutil::read_all(bytes, "mem.pcapng");
    if (o.threw) CHECK(o.error_path == "mem.pcapng");
    return o;
}

Timestamp first_time(const Bytes& tsresol_option_value, std::uint64_t units) {
    PcapngBuilder b;
    b.shb(false).idb(1, 0, PcapngBuilder::option(9, tsresol_option_value, false)).epb(0, units, payload(4, 0));
    const testutil::ReadResult o = read_all(b.view());
    REQUIRE_FALSE(o.threw);
    REQUIRE(o.records.size() == 1);
    return o.records[0].frame.timestamp;
}

}  // namespace

TEST_CASE("pcapng enhanced packets carry every field, in both byte orders", "[io]") {
    for (const bool be : {false, true}) {
        CAPTURE(be);
        PcapngBuilder b;
        b.shb(be).idb(1, 65535).idb(113, 128).epb(0, 1'600'000'000'123'456, payload(61, 1), 1514);
        b.epb(1, 1'600'000'001'000'000, payload(64, 2));
        CaptureReader reader = CaptureReader::from_memory(b.view(), "x.pcapng");
        CHECK(reader.format() == CaptureFormat::pcapng);
        CHECK(reader.path() == "x.pcapng");
        REQUIRE(reader.pcapng() != nullptr);
        CHECK(reader.pcap() == nullptr);
        CHECK(reader.pcapng()->big_endian() == be);
        CHECK(reader.pcapng()->sections() == 1u);
        CHECK(reader.bytes_read() == b.offsets[1]);

        Record r;
        REQUIRE(reader.next(r));
        CHECK(r.number == 1);
        CHECK(r.offset == b.offsets[3]);
        CHECK(r.interface_id == 0u);
        CHECK(r.linktype == LinkType::ethernet);
        CHECK(r.frame.timestamp == Timestamp{1'600'000'000, 123'456'000});
        CHECK(r.frame.wirelen == 1514u);
        CHECK(to_bytes(r.frame.bytes) == payload(61, 1));
        REQUIRE(reader.pcapng()->interfaces().size() == 2);
        CHECK(reader.pcapng()->interfaces()[1].link_type == LinkType::linux_sll);
        CHECK(reader.pcapng()->interfaces()[1].snaplen == 128u);

        REQUIRE(reader.next(r));
        CHECK(r.number == 2);
        CHECK(r.offset == b.offsets[4]);
        CHECK(r.interface_id == 1u);
        CHECK(r.linktype == LinkType::linux_sll);
        CHECK(r.frame.timestamp == Timestamp{1'600'000'001, 0});
        CHECK(r.frame.wirelen == 64u);
        CHECK(to_bytes(r.frame.bytes) == payload(64, 2));

        CHECK_FALSE(reader.next(r));
        CHECK(reader.records_read() == 2);
        CHECK(reader.pcapng()->blocks_read() == 5);
        CHECK(reader.bytes_read() == b.bytes.size());
    }
}

TEST_CASE("pcapng if_tsresol: decimal and binary units, exact to the nanosecond", "[io]") {
    CHECK(first_time({9}, 1'234'567'890'123'456'789) == Timestamp{1'234'567'890, 123'456'789});
    CHECK(first_time({3}, 1'500) == Timestamp{1, 500'000'000});
    CHECK(first_time({0}, 42) == Timestamp{42, 0});
    // Finer than a nanosecond: truncated, never rounded up.
    CHECK(first_time({12}, 1'000'000'999'999) == Timestamp{1, 999});  // 999.999 ns
    CHECK(first_time({19}, 18'446'744'073'709'551'615u) == Timestamp{1, 844'674'407});
    // 2^-n: rounded to the nearest nanosecond.
    CHECK(first_time({0x80 | 10}, (5u << 10) + 1) == Timestamp{5, 976'563});  // 976562.5 rounds up
    CHECK(first_time({0x80 | 1}, 3) == Timestamp{1, 500'000'000});
    CHECK(first_time({0x80 | 0}, 7) == Timestamp{7, 0});
    CHECK(first_time({0x80 | 32}, (std::uint64_t{1'700'000'000} << 32) | 0xFFFF'FFFF) ==
          Timestamp{1'700'000'001, 0});  // 0.99999999977 s rounds to a whole second
    CHECK(first_time({0x80 | 63}, 0xFFFF'FFFF'FFFF'FFFF) == Timestamp{2, 0});
    CHECK(first_time({0x80 | 63}, std::uint64_t{1} << 62) == Timestamp{0, 500'000'000});
}

TEST_CASE("pcapng default resolution is microseconds and 64-bit values do not overflow", "[io]") {
    PcapngBuilder b;
    b.shb(false).idb(1, 0).epb(0, 0xFFFF'FFFF'FFFF'FFFF, payload(4, 0));
    const testutil::ReadResult o = read_all(b.view());
    REQUIRE(o.records.size() == 1);
    CHECK(o.records[0].frame.timestamp == Timestamp{18'446'744'073'709, 551'615'000});
}

TEST_CASE("pcapng if_tsoffset adds seconds, in either direction", "[io]") {
    for (const bool be : {false, true}) {
        PcapngBuilder b;
        b.shb(be);
        Bytes options = b.tsoffset(1'000'000'000);
        const Bytes nine = b.option(9, {9});
        options.insert(options.end(), nine.begin(), nine.end());
        b.idb(1, 0, options).idb(1, 0, b.tsoffset(-5));
        b.epb(0, 600'000'000'500'000'000, payload(4, 0)).epb(1, 7'250'000, payload(4, 0));
        const testutil::ReadResult o = read_all(b.view());
        REQUIRE(o.records.size() == 2);
        CHECK(o.records[0].frame.timestamp == Timestamp{1'600'000'000, 500'000'000});
        CHECK(o.records[1].frame.timestamp == Timestamp{2, 250'000'000});
    }
}

TEST_CASE("pcapng sections may change byte order; interfaces count across sections", "[io]") {
    PcapngBuilder b;
    b.shb(false).idb(1, 0).idb(101, 0).epb(1, 1'000'000, payload(8, 1));
    b.shb(true).idb(113, 0, b.option(9, {9})).epb(0, 2'000'000'001, payload(9, 2)).spb(9, payload(9, 3));
    b.shb(false).idb(228, 0).pb(0, 3'000'000, payload(10, 4), 10);
    const testutil::ReadResult o = read_all(b.view());
    CHECK_FALSE(o.threw);
    REQUIRE(o.records.size() == 4);
    CHECK(o.records[0].interface_id == 1u);
    CHECK(o.records[0].linktype == LinkType::raw);
    CHECK(o.records[1].interface_id == 2u);
    CHECK(o.records[1].linktype == LinkType::linux_sll);
    CHECK(o.records[1].frame.timestamp == Timestamp{2, 1});
    CHECK(o.data[1] == payload(9, 2));
    CHECK(o.records[2].interface_id == 2u);  // an SPB belongs to its section's first interface
    CHECK(o.data[2] == payload(9, 3));
    CHECK(o.records[3].interface_id == 3u);
    CHECK(o.records[3].linktype == LinkType::ipv4);
    CHECK(o.records[3].frame.timestamp == Timestamp{3, 0});
    CHECK(o.records[3].number == 4);
    CHECK(o.records[3].offset == b.offsets[10]);

    CaptureReader reader = CaptureReader::from_memory(b.view(), "x");
    Record r;
    while (reader.next(r)) {}
    CHECK(reader.pcapng()->sections() == 3u);
    REQUIRE(reader.pcapng()->interfaces().size() == 4);
    CHECK(reader.pcapng()->interfaces()[2].section == 1u);
    CHECK(reader.pcapng()->interfaces()[3].section == 2u);
    CHECK(reader.pcapng()->interfaces()[2].resolution == traceflow::io::TimeResolution::nanoseconds());
}

TEST_CASE("pcapng simple packet blocks: no time, length cut to packet and snaplen", "[io]") {
    for (const bool be : {false, true}) {
        PcapngBuilder b;
        b.shb(be).idb(1, 6).spb(5, payload(5, 1)).spb(100, payload(10, 2));
        PcapngBuilder c;
        c.shb(be).idb(1, 0).spb(5, payload(5, 1)).spb(10, payload(10, 2));
        const testutil::ReadResult snapped = read_all(b.view());
        REQUIRE(snapped.records.size() == 2);
        CHECK(snapped.data[0] == payload(5, 1));  // padding (3 bytes) is not data
        CHECK(snapped.data[1] == payload(6, 2));  // snaplen 6
        CHECK(snapped.records[1].frame.wirelen == 100u);
        CHECK(snapped.records[1].frame.timestamp == Timestamp{});
        const testutil::ReadResult whole = read_all(c.view());
        REQUIRE(whole.records.size() == 2);
        CHECK(whole.data[1] == payload(10, 2));
        CHECK(whole.records[1].number == 2);
    }
}

TEST_CASE("pcapng obsolete packet blocks are read", "[io]") {
    PcapngBuilder b;
    b.shb(true).idb(1, 0).idb(0, 0).pb(1, 1'000'001, payload(13, 5), 40);
    const testutil::ReadResult o = read_all(b.view());
    REQUIRE(o.records.size() == 1);
    CHECK(o.records[0].interface_id == 1u);
    CHECK(o.records[0].linktype == LinkType::null);
    CHECK(o.records[0].frame.timestamp == Timestamp{1, 1000});
    CHECK(o.records[0].frame.wirelen == 40u);
    CHECK(o.data[0] == payload(13, 5));
}

TEST_CASE("pcapng blocks of other types are skipped and not counted", "[io]") {
    PcapngBuilder b;
    b.shb(false).block(4, payload(20, 0)).idb(1, 0).block(5, payload(24, 0)).epb(0, 1, payload(4, 1));
    b.block(0x0000'0BAD, payload(7, 0)).block(0x0A, payload(16, 0)).block(0x4000'0BAD, {}).epb(0, 2, payload(4, 2));
    const testutil::ReadResult o = read_all(b.view());
    CHECK_FALSE(o.threw);
    REQUIRE(o.records.size() == 2);
    CHECK(o.records[0].number == 1);
    CHECK(o.records[1].number == 2);
    CHECK(o.records[1].offset == b.offsets[8]);
}

TEST_CASE("pcapng section with no packets gives no records", "[io]") {
    PcapngBuilder b;
    b.shb(true);
    const testutil::ReadResult o = read_all(b.view());
    CHECK_FALSE(o.threw);
    CHECK(o.records.empty());
}

TEST_CASE("pcapng damage: earlier packets delivered, error names the block and its offset", "[io]") {
    for (const bool be : {false, true}) {
        CAPTURE(be);
        PcapngBuilder b;
        b.shb(be).idb(1, 0).epb(0, 1, payload(10, 1)).epb(0, 2, payload(11, 2));
        // Blocks 1-4 are good; damage is in block 5, at offset `at`.
        const std::uint64_t at = b.bytes.size();
        const auto expect = [&](const testutil::ReadResult& o, const char* text) {
            CHECK(o.records.size() == 2);
            if (o.records.size() == 2) CHECK(o.data[1] == payload(11, 2));
            CHECK(o.threw);
            CHECK(o.error_record == 5);
            CHECK(o.error_offset == at);
            CHECK(o.message.find(text) != std::string::npos);
        };

        SECTION("length not a multiple of 4") {
            b.epb(0, 3, payload(4, 3));
            b.patch32(4, 4, 41, be);
            expect(read_all(b.view()), "block length 41 is not a multiple of 4");
        }
        SECTION("length below 12") {
            b.epb(0, 3, payload(4, 3));
            b.patch32(4, 4, 8, be);
            expect(read_all(b.view()), "block length 8 is less than 12");
        }
        SECTION("trailing length mismatch") {
            b.epb(0, 3, payload(4, 3));
            b.bytes[b.bytes.size() - (be ? 1 : 4)] ^= 4;
            expect(read_all(b.view()), "does not match the leading length");
        }
        SECTION("absurd block length") {
            b.epb(0, 3, payload(4, 3));
            b.patch32(4, 4, 0xFFFF'FFFC, be);
            expect(read_all(b.view()), "bigger than the maximum");
        }
        SECTION("packet for an interface with no IDB") {
            b.epb(1, 3, payload(4, 3));
            expect(read_all(b.view()), "packet for interface 1, but the section has 1 interface");
        }
        SECTION("packet after a new section whose IDB is missing") {
            b.shb(!be).spb(4, payload(4, 3));
            const testutil::ReadResult o = read_all(b.view());
            CHECK(o.records.size() == 2);
            CHECK(o.error_record == 6);
            CHECK(o.error_offset == b.offsets[5]);
            CHECK(o.message.find("but the section has 0 interface") != std::string::npos);
        }
        SECTION("option running past its block") {
            b.idb(1, 0, b.option(9, {6}));
            b.patch32(4, 16, be ? 0x0009'0020 : 0x0020'0009, be);  // if_tsresol claims 32 bytes
            expect(read_all(b.view()), "option 9 of length 32 runs past the end of the block");
        }
        SECTION("if_tsresol out of range") {
            b.idb(1, 0, b.option(9, {0xFF}));
            expect(read_all(b.view()), "if_tsresol 0xff is out of range");
        }
        SECTION("if_tsresol of the wrong length") {
            b.idb(1, 0, b.option(9, {6, 6}));
            expect(read_all(b.view()), "if_tsresol option of length 2");
        }
        SECTION("captured length past the block") {
            b.epb(0, 3, payload(8, 3));
            b.patch32(4, 20, 64, be);
            expect(read_all(b.view()), "captured length 64 runs past the end of the block");
        }
        SECTION("enhanced packet block too short") {
            b.block(6, payload(12, 0));
            expect(read_all(b.view()), "enhanced packet block length 24 is less than its minimum 32");
        }
        SECTION("truncated block at end of input") {
            b.epb(0, 3, payload(40, 3));
            b.bytes.resize(b.bytes.size() - 10);
            expect(read_all(b.view()), "truncated block: tried to read 80 bytes, only got 70");
        }
        SECTION("truncated block header at end of input") {
            b.bytes.insert(b.bytes.end(), {1, 0, 0});
            expect(read_all(b.view()), "truncated block header: tried to read 12 bytes, only got 3");
        }
        SECTION("new section of an unsupported version") {
            b.shb(be, 2);
            expect(read_all(b.view()), "unsupported pcapng version 2.0");
        }
        SECTION("new section with a bad byte-order magic") {
            b.shb(be);
            b.patch32(4, 8, 0x1234'5678, true);
            expect(read_all(b.view()), "bad byte-order magic 0x12345678");
        }
    }
}

TEST_CASE("pcapng bad first section header fails at block 1, offset 0", "[io]") {
    SECTION("version") {
        PcapngBuilder b;
        b.shb(false, 2).idb(1, 0);
        const testutil::ReadResult o = read_all(b.view());
        CHECK(o.threw);
        CHECK(o.error_record == 1);
        CHECK(o.error_offset == 0);
    }
    SECTION("truncated") {
        PcapngBuilder b;
        b.shb(true);
        for (std::size_t n = 4; n < b.bytes.size(); ++n) {
            CAPTURE(n);
            const testutil::ReadResult o = read_all({b.bytes.data(), n});
            CHECK(o.threw);
            CHECK(o.error_record == 1);
            CHECK(o.error_offset == 0);
        }
    }
    SECTION("SHB option running past the block") {
        PcapngBuilder b;
        b.shb(false, 1, PcapngBuilder::option(2, {'x', 'y', 'z', 'w'}, false));
        b.patch32(0, 24, 0x0040'0002, false);
        const testutil::ReadResult o = read_all(b.view());
        CHECK(o.error_record == 1);
        CHECK(o.message.find("runs past the end of the block") != std::string::npos);
    }
}

TEST_CASE("pcapng reader stays on the damaged block", "[io]") {
    PcapngBuilder b;
    b.shb(false).idb(1, 0).epb(0, 1, payload(4, 1)).epb(3, 1, payload(4, 1));
    CaptureReader reader = CaptureReader::from_memory(b.view(), "x");
    Record r;
    REQUIRE(reader.next(r));
    CHECK_THROWS_AS(reader.next(r), FormatError);
    CHECK_THROWS_AS(reader.next(r), FormatError);
    CHECK(reader.records_read() == 1);
}
