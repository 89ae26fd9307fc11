// SPDX-License-Identifier: MIT
// PcapReader through CaptureReader: every field, both byte orders, µs/ns, and each kind of damage.
#include <traceflow/io/capture_reader.hpp>
#include <traceflow/io/pcap_reader.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pcap_writer.hpp"
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

using PcapBuilder = testutil::PcapWriter;

Bytes payload(std::size_t n, std::uint8_t seed) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i);
    return b;
}

using testutil::to_bytes;

/// Reads records until the reader throws; the error names this test's file.
testutil::ReadResult read_all(traceflow::ByteView bytes) {
    testutil::ReadResult o = testutil::read_all(bytes, "mem.pcap");
    if (o.threw) CHECK(o.error_path == "mem.pcap");
    return o;
}

}  // namespace

TEST_CASE("pcap records carry every field, in both byte orders and both resolutions", "[io]") {
    for (const bool be : {false, true}) {
        for (const bool ns : {false, true}) {
            CAPTURE(be, ns);
            PcapBuilder b(be, ns, 113, 1500);
            b.record(1'600'000'000, ns ? 123'456'789u : 123'456u, payload(60, 1))
                .record(1'600'000'001, 0, payload(100, 7), 1514, 100)
                .record(0xFFFF'FFFF, ns ? 999'999'999u : 999'999u, payload(0, 0), 0, 0);
            CaptureReader reader = CaptureReader::from_memory(b.view(), "x.pcap");
            CHECK(reader.format() == CaptureFormat::pcap);
            CHECK(reader.path() == "x.pcap");
            REQUIRE(reader.pcap() != nullptr);
            CHECK(reader.pcapng() == nullptr);
            CHECK(reader.pcap()->link_type() == LinkType::linux_sll);
            CHECK(reader.pcap()->snaplen() == 1500u);
            CHECK(reader.pcap()->big_endian() == be);
            CHECK(reader.pcap()->nanosecond() == ns);
            CHECK(reader.pcap()->version_major() == 2);
            CHECK(reader.pcap()->version_minor() == 4);
            CHECK(reader.records_read() == 0);
            CHECK(reader.bytes_read() == 24);

            Record r;
            REQUIRE(reader.next(r));
            CHECK(r.number == 1);
            CHECK(r.offset == 24);
            CHECK(r.interface_id == 0);
            CHECK(r.linktype == LinkType::linux_sll);
            CHECK(r.frame.timestamp == Timestamp{1'600'000'000, ns ? 123'456'789u : 123'456'000u});
            CHECK(r.frame.wirelen == 60u);
            CHECK(to_bytes(r.frame.bytes) == payload(60, 1));
            CHECK(reader.records_read() == 1);
            CHECK(reader.bytes_read() == 24 + 16 + 60);

            REQUIRE(reader.next(r));
            CHECK(r.number == 2);
            CHECK(r.offset == b.offsets[1]);
            CHECK(r.frame.timestamp == Timestamp{1'600'000'001, 0});
            CHECK(r.frame.wirelen == 1514u);
            CHECK(to_bytes(r.frame.bytes) == payload(100, 7));

            // Seconds are unsigned 32-bit: the largest is in 2106, not 1969.
            REQUIRE(reader.next(r));
            CHECK(r.number == 3);
            CHECK(r.frame.timestamp == Timestamp{4'294'967'295, 999'999'000u + (ns ? 999u : 0u)});
            CHECK(r.frame.bytes.size == 0);

            CHECK_FALSE(reader.next(r));
            CHECK_FALSE(reader.next(r));
            CHECK(reader.records_read() == 3);
            CHECK(reader.bytes_read() == b.bytes.size());
        }
    }
}

TEST_CASE("pcap header with no records gives no records", "[io]") {
    const PcapBuilder b(false);
    const testutil::ReadResult o = read_all(b.view());
    CHECK_FALSE(o.threw);
    CHECK(o.records.empty());
}

TEST_CASE("pcap odd but valid lengths are accepted", "[io]") {
    // caplen > wirelen and caplen > snaplen both happen in real files; libpcap reads them.
    PcapBuilder b(false, false, 1, 64);
    b.record(1, 0, payload(80, 3), 40, 80).record(2, 0, payload(200, 5), 1000, 200);
    const testutil::ReadResult o = read_all(b.view());
    CHECK_FALSE(o.threw);
    REQUIRE(o.records.size() == 2);
    CHECK(o.records[0].frame.wirelen == 40u);
    CHECK(o.data[0] == payload(80, 3));
    CHECK(o.data[1] == payload(200, 5));
}

TEST_CASE("pcap link type keeps the low 16 bits; FCS bits are reported apart", "[io]") {
    const PcapBuilder b(true, false, 0x3000'00E5);  // as tcpdump's beep-oobr.pcap
    CaptureReader reader = CaptureReader::from_memory(b.view(), "x");
    CHECK(reader.pcap()->link_type() == LinkType::ipv6);
    CHECK(reader.pcap()->fcs_bytes() == 0u);
    const PcapBuilder f(false, false, 0x4400'0001);  // FCS present, 4 x 16 bits
    CaptureReader with_fcs = CaptureReader::from_memory(f.view(), "x");
    CHECK(with_fcs.pcap()->link_type() == LinkType::ethernet);
    CHECK(with_fcs.pcap()->fcs_bytes() == 8u);
}

TEST_CASE("pcap sub-second fields past one second carry into the seconds", "[io]") {
    PcapBuilder us(false);
    us.record(10, 1'000'000, payload(1, 0)).record(10, 0x8000'0000, payload(1, 0));
    const testutil::ReadResult a = read_all(us.view());
    REQUIRE(a.records.size() == 2);
    CHECK(a.records[0].frame.timestamp == Timestamp{11, 0});
    CHECK(a.records[1].frame.timestamp == Timestamp{10 + 2147, 483'648'000});
    PcapBuilder ns(true, true);
    ns.record(10, 1'000'000'000, payload(1, 0)).record(10, 0xFFFF'FFFF, payload(1, 0));
    const testutil::ReadResult b = read_all(ns.view());
    REQUIRE(b.records.size() == 2);
    CHECK(b.records[0].frame.timestamp == Timestamp{11, 0});
    CHECK(b.records[1].frame.timestamp == Timestamp{14, 294'967'295});
}

TEST_CASE("pcap 2.2 files have caplen and len swapped, 2.3 maybe", "[io]") {
    for (const bool be : {false, true}) {
        PcapBuilder old(be, false, 1, 65535, 2, 2);
        old.record(1, 0, payload(10, 0), 10, 60);  // written as (len, caplen)
        // The builder wrote caplen=60 wirelen=10: swapped back, caplen is 10.
        const testutil::ReadResult a = read_all(old.view());
        REQUIRE(a.records.size() == 1);
        CHECK(a.records[0].frame.bytes.size == 10);
        CHECK(a.records[0].frame.wirelen == 60u);
        PcapBuilder mid(be, false, 1, 65535, 2, 3);
        mid.record(1, 0, payload(10, 0), 10, 60).record(2, 0, payload(10, 0), 60, 10);
        const testutil::ReadResult b = read_all(mid.view());
        REQUIRE(b.records.size() == 2);
        CHECK(b.records[0].frame.wirelen == 60u);
        CHECK(b.records[1].frame.wirelen == 60u);
        CHECK(b.records[1].frame.bytes.size == 10);
    }
}

TEST_CASE("pcap bad file headers fail at record 0, offset 0", "[io]") {
    SECTION("empty file") {
        const testutil::ReadResult o = read_all({});
        CHECK(o.threw);
        CHECK(o.error_record == 0);
        CHECK(o.error_offset == 0);
        CHECK(o.message.find("empty file") != std::string::npos);
    }
    SECTION("every truncation of the file header") {
        const PcapBuilder b(false);
        for (std::size_t n = 1; n < 24; ++n) {
            CAPTURE(n);
            const testutil::ReadResult o = read_all({b.bytes.data(), n});
            CHECK(o.threw);
            CHECK(o.error_record == 0);
            CHECK(o.error_offset == 0);
            CHECK(o.message.find("truncated file header") != std::string::npos);
        }
    }
    SECTION("unknown magic") {
        const Bytes junk = payload(64, 0x40);
        const testutil::ReadResult o = read_all({junk.data(), junk.size()});
        CHECK(o.threw);
        CHECK(o.error_record == 0);
        CHECK(o.message.find("magic 0x40414243") != std::string::npos);
    }
    SECTION("unsupported version") {
        const PcapBuilder b(true, false, 1, 65535, 1, 0);
        const testutil::ReadResult o = read_all(b.view());
        CHECK(o.threw);
        CHECK(o.error_record == 0);
        CHECK(o.message.find("unsupported pcap version 1.0") != std::string::npos);
    }
}

TEST_CASE("pcap damage after good records: those are delivered, then the error names the record", "[io]") {
    for (const bool be : {false, true}) {
        CAPTURE(be);
        PcapBuilder b(be);
        b.record(1, 0, payload(50, 1)).record(2, 0, payload(70, 2));
        const std::uint64_t third = b.bytes.size();

        SECTION("truncated record header") {
            b.record(3, 0, payload(10, 3));
            b.bytes.resize(third + 9);
            const testutil::ReadResult o = read_all(b.view());
            CHECK(o.records.size() == 2);
            CHECK(o.threw);
            CHECK(o.error_record == 3);
            CHECK(o.error_offset == third);
            CHECK(o.message.find("truncated record header: tried to read 16 header bytes, only got 9") !=
                  std::string::npos);
        }
        SECTION("truncated record data") {
            b.record(3, 0, payload(100, 3));
            b.bytes.resize(b.bytes.size() - 60);
            const testutil::ReadResult o = read_all(b.view());
            CHECK(o.records.size() == 2);
            CHECK(o.data[1] == payload(70, 2));
            CHECK(o.threw);
            CHECK(o.error_record == 3);
            CHECK(o.error_offset == third);
            CHECK(o.message.find("truncated record: tried to read 100 captured bytes, only got 40") !=
                  std::string::npos);
        }
        SECTION("absurd captured length") {
            b.record(3, 0, payload(20, 3), 20, 0xFFFF'FFFF);
            const testutil::ReadResult o = read_all(b.view());
            CHECK(o.records.size() == 2);
            CHECK(o.error_record == 3);
            CHECK(o.error_offset == third);
            CHECK(o.message.find("invalid captured length 4294967295") != std::string::npos);
        }
        SECTION("garbage after the last record") {
            const Bytes junk = payload(5, 0xEE);
            b.bytes.insert(b.bytes.end(), junk.begin(), junk.end());
            const testutil::ReadResult o = read_all(b.view());
            CHECK(o.records.size() == 2);
            CHECK(o.error_record == 3);
            CHECK(o.error_offset == third);
        }
    }
}

TEST_CASE("pcap reader stays on the damaged record", "[io]") {
    PcapBuilder b(false);
    b.record(1, 0, payload(10, 1)).record(2, 0, payload(10, 2));
    b.bytes.resize(b.bytes.size() - 1);
    CaptureReader reader = CaptureReader::from_memory(b.view(), "x");
    Record r;
    REQUIRE(reader.next(r));
    CHECK_THROWS_AS(reader.next(r), FormatError);
    CHECK_THROWS_AS(reader.next(r), FormatError);
    CHECK(reader.records_read() == 1);
}
