// SPDX-License-Identifier: MIT
// Hostile capture files end to end: feed() into a TraceFlow writing pcap files.
// Each damaged file gives a FormatError naming the file, record and offset, and
// every TCP frame before the damage is traced AND in its flow's pcap file.
// (The readers' own damage handling is in io_pcap_reader_test and
// io_pcapng_reader_test; single-frame decoding in decode_decoder_test.)
#include <traceflow/decode/decoder.hpp>
#include <traceflow/feed/extract.hpp>
#include <traceflow/io/capture_reader.hpp>
#include <traceflow/trace_flow.hpp>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "pcap_writer.hpp"
#include "pcapng_writer.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

using traceflow::ByteView;
using traceflow::FormatError;
using traceflow::Index;
using traceflow::LinkType;
using traceflow::Timestamp;
using traceflow::decode::Outcome;

namespace {

using testutil::be16;
using testutil::be32;
using testutil::Bytes;
using testutil::cat;
using testutil::prefix;

// ---------------------------------------------------------------------------
// Frames

constexpr std::uint8_t syn = 0x02;
constexpr std::uint8_t ack = 0x10;
constexpr std::uint8_t fin = 0x01;

using testutil::ethernet;
using testutil::tcp;
/// IPv4 carrying TCP, 10.0.0.`last_octet` -> 10.0.0.200.
Bytes ipv4(const Bytes& payload, std::uint8_t last_octet = 1, unsigned ihl = 5) {
    return testutil::ipv4(6, payload, ihl, 0, {10, 0, 0, last_octet}, {10, 0, 0, 200});
}
/// IPv6 from and to 2001::1.
Bytes ipv6(std::uint8_t next, const Bytes& payload) {
    const Bytes addr = {0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return testutil::ipv6(next, payload, addr, addr);
}
/// A good Ethernet/IPv4/TCP frame of the flow 10.0.0.`host`:`sport` -> 10.0.0.200:80.
Bytes good(std::uint16_t sport, std::uint8_t flags = ack, std::size_t payload = 6, std::uint8_t host = 1) {
    return ethernet(0x0800, ipv4(tcp(sport, 80, flags, payload), host));
}

// ---------------------------------------------------------------------------
// Capture files

/// The shared pcap writer, little-endian µs, with this file's argument order.
struct Pcap : testutil::PcapWriter {
    explicit Pcap(std::uint32_t snaplen = 65535, std::uint32_t linktype = 1)
        : PcapWriter(false, false, linktype, snaplen) {}
    Pcap& record(const Bytes& frame, std::uint32_t sec, std::uint32_t usec = 0,
                 std::optional<std::uint32_t> caplen = std::nullopt,
                 std::optional<std::uint32_t> wirelen = std::nullopt) {
        const auto n = static_cast<std::uint32_t>(frame.size());
        PcapWriter::record(sec, usec, frame, wirelen.value_or(n), caplen.value_or(n));
        return *this;
    }
    Pcap& raw(const Bytes& b) {
        PcapWriter::raw(b);
        return *this;
    }
};

/// The shared pcapng writer: EPBs without options, IDBs without opt_endofopt, snaplen 0.
struct Pcapng : testutil::PcapngWriter {
    Pcapng() {
        epb_comment = false;
        idb_end_of_options = false;
    }
    Pcapng& shb(bool be, std::uint16_t major = 1) {
        PcapngWriter::shb(be, major);
        return *this;
    }
    Pcapng& idb(std::uint16_t linktype, const Bytes& options = {}) {
        PcapngWriter::idb(linktype, 0, options);
        return *this;
    }
    Pcapng& epb(std::uint32_t iface, std::uint64_t ts, const Bytes& frame) {
        PcapngWriter::epb(iface, ts, frame);
        return *this;
    }
};

// ---------------------------------------------------------------------------
// Running the whole path

struct Written {
    Bytes bytes;
    std::uint32_t wirelen = 0;
    Timestamp timestamp;
};

struct Run {
    std::optional<FormatError> error;
    traceflow::ExtractStats stats;
    std::vector<Index> index;
    std::map<std::uint64_t, Written> written;  // frame number -> what its flow's pcap file holds
    std::set<std::string> files;
};

/// Feeds `bytes` (named `name`) into a TraceFlow writing pcap files into `out`,
/// then reads every per-flow file back and maps its records to frame numbers.
Run run(const Bytes& bytes, const testutil::TempDir& out, const std::string& name = "hostile.cap") {
    Run r;
    {
        traceflow::TraceFlowOptions options;
        options.fout = out.str();
        options.format = "pcap";
        options.nanosecond = true;
        options.warning = nullptr;
        traceflow::TraceFlow<traceflow::CapturePacket> tracer(options);
        try {
            auto reader = traceflow::io::CaptureReader::from_memory(ByteView(bytes.data(), bytes.size()), name);
            traceflow::feed(reader, tracer, r.stats);
        } catch (const FormatError& e) {
            r.error = e;
        }
        tracer.finish();
        r.index = tracer.index();
    }
    for (const Index& flow : r.index) {
        REQUIRE(flow.fpout);
        r.files.insert(*flow.fpout);
        traceflow::io::CaptureReader reader(*flow.fpout);
        traceflow::io::Record rec;
        std::size_t n = 0;
        while (reader.next(rec)) {
            REQUIRE(n < flow.index.size());
            r.written[flow.index[n++]] =
                Written{Bytes(rec.frame.bytes.begin(), rec.frame.bytes.end()), rec.frame.wirelen, rec.frame.timestamp};
        }
        CHECK(n == flow.index.size());
    }
    return r;
}

std::size_t traced(const Run& r) {
    std::size_t n = 0;
    for (const Index& flow : r.index) n += flow.index.size();
    return n;
}

/// Frames 1..frames.size() of the input (all TCP) were traced, each written byte for byte.
void check_all_written(const Run& r, const std::vector<Bytes>& frames) {
    CHECK(r.stats.frames == frames.size());
    CHECK(r.stats.tcp_frames == frames.size());
    CHECK(traced(r) == frames.size());
    REQUIRE(r.written.size() == frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
        CAPTURE(i + 1);
        CHECK(r.written.at(i + 1).bytes == frames[i]);
    }
}

void check_error(const Run& r, const std::string& name, std::uint64_t record, std::uint64_t offset,
                 const std::string& text) {
    REQUIRE(r.error);
    CHECK(r.error->path() == name);
    CHECK(r.error->record() == record);
    CHECK(r.error->offset() == offset);
    const std::string what = r.error->what();
    CHECK(what.find(text) != std::string::npos);
    CHECK(what.find(name) == 0);  // the message starts with the file name
}

/// Three good frames of two flows (the second flow ended by its FIN).
std::vector<Bytes> three_frames() { return {good(1000, syn), good(2000, ack | fin), good(1000, ack)}; }

Pcap pcap_with(const std::vector<Bytes>& frames) {
    Pcap p;
    std::uint32_t usec = 0;
    for (const Bytes& f : frames) p.record(f, 1'600'000'000, usec += 10);
    return p;
}

}  // namespace

// ---------------------------------------------------------------------------
// pcap

TEST_CASE("hostile pcap: damaged file headers fail at record 0, offset 0, nothing traced", "[hostile]") {
    testutil::TempDir out;
    const Pcap whole = pcap_with(three_frames());
    struct Case {
        const char* what;
        Bytes bytes;
        const char* text;
    };
    Bytes bad_magic = whole.bytes;
    bad_magic[0] = 0x00;
    const std::vector<Case> cases = {
        {"empty file", {}, "empty file"},
        {"bad magic", bad_magic, "not a pcap or pcapng file"},
        {"truncated global header (12 bytes)", prefix(whole.bytes, 12), "truncated file header"},
        {"truncated global header (23 bytes)", prefix(whole.bytes, 23), "truncated file header"},
        {"3 bytes", prefix(whole.bytes, 3), "truncated file header"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        const Run r = run(c.bytes, out);
        check_error(r, "hostile.cap", 0, 0, c.text);
        CHECK(r.stats.frames == 0);
        CHECK(r.index.empty());
    }
}

TEST_CASE("hostile pcap: damage after good records, which are all traced and written", "[hostile]") {
    testutil::TempDir out;
    const std::vector<Bytes> frames = three_frames();
    Pcap p = pcap_with(frames);
    const std::uint64_t at = p.bytes.size();  // where record 4 starts

    SECTION("truncated record header") {
        p.raw({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07});
        const Run r = run(p.bytes, out);
        check_error(r, "hostile.cap", 4, at, "truncated record header");
        check_all_written(r, frames);
    }
    SECTION("truncated record data") {
        p.record(good(3000), 1'600'000'001);
        p.bytes.resize(p.bytes.size() - 5);
        const Run r = run(p.bytes, out);
        check_error(r, "hostile.cap", 4, at, "truncated record");
        check_all_written(r, frames);
    }
    SECTION("caplen 0xFFFFFFFF") {
        p.record(good(3000), 1'600'000'001, 0, 0xFFFFFFFFu, 60);
        const Run r = run(p.bytes, out);
        check_error(r, "hostile.cap", 4, at, "invalid captured length 4294967295");
        check_all_written(r, frames);
    }
    SECTION("garbage after the last record: shorter than a record header") {
        p.raw(Bytes(9, 0xEE));
        const Run r = run(p.bytes, out);
        check_error(r, "hostile.cap", 4, at, "truncated record header");
        check_all_written(r, frames);
    }
    SECTION("garbage after the last record: read as an absurd record header") {
        p.raw(Bytes(40, 0xEE));
        const Run r = run(p.bytes, out);
        check_error(r, "hostile.cap", 4, at, "invalid captured length");
        check_all_written(r, frames);
    }
}

TEST_CASE("hostile pcap: odd records that are not damage are traced whole", "[hostile]") {
    testutil::TempDir out;
    SECTION("caplen > snaplen: delivered whole (as Wireshark does), traced and written") {
        const Bytes big = good(1000, ack, 200);
        Pcap p(64);
        p.record(good(1000, syn), 1).record(big, 2).record(good(1000), 3);
        const Run r = run(p.bytes, out);
        CHECK_FALSE(r.error);
        check_all_written(r, {good(1000, syn), big, good(1000)});
    }
    SECTION("a record of zero length is a frame: counted as truncated, later frames keep their numbers") {
        Pcap p;
        p.record(good(1000, syn), 1).record({}, 2).record(good(1000), 3);
        const Run r = run(p.bytes, out);
        CHECK_FALSE(r.error);
        CHECK(r.stats.frames == 3);
        CHECK(r.stats.tcp_frames == 2);
        CHECK(r.stats.count(Outcome::truncated) == 1);
        REQUIRE(r.index.size() == 1);
        CHECK(r.index[0].index == std::vector<std::uint64_t>{1, 3});
        CHECK(r.written.at(1).bytes == good(1000, syn));
        CHECK(r.written.at(3).bytes == good(1000));
    }
}

// ---------------------------------------------------------------------------
// pcapng

TEST_CASE("hostile pcapng: damaged blocks after good packets, which are all traced and written", "[hostile]") {
    for (const bool be : {false, true}) {
        CAPTURE(be);
        testutil::TempDir out;
        const std::vector<Bytes> frames = three_frames();
        Pcapng b;
        b.shb(be).idb(1);
        for (std::size_t i = 0; i < frames.size(); ++i) b.epb(0, 1'600'000'000'000'000ull + i, frames[i]);
        // Blocks 1-5 are good; the damage is block 6.
        const std::uint64_t at = b.bytes.size();
        const auto expect = [&](const Bytes& bytes, const char* text) {
            const Run r = run(bytes, out, "hostile.pcapng");
            check_error(r, "hostile.pcapng", 6, at, text);
            check_all_written(r, frames);
        };

        SECTION("block length not a multiple of 4") {
            b.epb(0, 1, good(3000));
            b.patch32(5, 4, 94);
            expect(b.bytes, "is not a multiple of 4");
        }
        SECTION("block length below 12") {
            b.epb(0, 1, good(3000));
            b.patch32(5, 4, 8);
            expect(b.bytes, "is less than 12");
        }
        SECTION("trailing length mismatch") {
            b.epb(0, 1, good(3000));
            b.bytes[b.bytes.size() - (be ? 1 : 4)] ^= 4;
            expect(b.bytes, "does not match the leading length");
        }
        SECTION("EPB for an interface with no IDB") {
            b.epb(1, 1, good(3000));
            expect(b.bytes, "packet for interface 1, but the section has 1 interface");
        }
        SECTION("an option running past its block") {
            b.idb(1, b.option(2, {'e', 't', 'h', '0'}));
            b.patch32(5, 16, be ? 0x0002'0040 : 0x0040'0002);  // if_name claims 64 bytes
            expect(b.bytes, "option 2 of length 64 runs past the end of the block");
        }
        SECTION("if_tsresol 0xFF") {
            b.idb(1, b.option(9, {0xFF}));
            expect(b.bytes, "if_tsresol 0xff is out of range");
        }
        SECTION("a later section of an unknown SHB version") {
            b.shb(be, 2);
            expect(b.bytes, "unsupported pcapng version 2.0");
        }
    }
}

TEST_CASE("hostile pcapng: a first section of an unknown version fails at block 1, offset 0", "[hostile]") {
    testutil::TempDir out;
    Pcapng b;
    b.shb(false, 3).idb(1).epb(0, 1, good(1000));
    const Run r = run(b.bytes, out, "v3.pcapng");
    check_error(r, "v3.pcapng", 1, 0, "unsupported pcapng version 3.0");
    CHECK(r.index.empty());
}

TEST_CASE("hostile pcapng: sections in different byte orders read fine, times exact", "[hostile]") {
    testutil::TempDir out;
    Pcapng b;
    const std::vector<Bytes> frames = {good(1000, syn), good(1000), good(2000, syn), good(1000, ack | fin), good(2000)};
    b.shb(false).idb(1).epb(0, 1'600'000'000'000'001ull, frames[0]).epb(0, 1'600'000'000'000'002ull, frames[1]);
    b.shb(true).idb(1, b.option(9, {9})).epb(0, 1'600'000'000'000'000'003ull, frames[2]);
    b.epb(0, 1'600'000'000'000'000'004ull, frames[3]);
    b.shb(false).idb(1).epb(0, 1'600'000'000'000'005ull, frames[4]);
    const Run r = run(b.bytes, out, "sections.pcapng");
    CHECK_FALSE(r.error);
    check_all_written(r, frames);
    CHECK(r.written.at(1).timestamp == Timestamp{1'600'000'000, 1'000});
    CHECK(r.written.at(3).timestamp == Timestamp{1'600'000'000, 3});  // ns in the big-endian section
    CHECK(r.written.at(5).timestamp == Timestamp{1'600'000'000, 5'000});
}

// ---------------------------------------------------------------------------
// Damaged frames: never an exception; counted; the good frames around them
// are traced with the right frame numbers and written.

TEST_CASE("hostile frames: damaged headers are counted, good frames around them traced and written", "[hostile]") {
    testutil::TempDir out;
    const Bytes eth_ip_tcp = good(5000, ack, 0);
    const Bytes ihl4 = ethernet(0x0800, ipv4(tcp(5000, 80, ack), 1, 4));
    const Bytes offset4 = ethernet(0x0800, ipv4(tcp(5000, 80, ack, 0, 4)));
    // TCP data offset 15 (60 bytes) with only the 20 fixed bytes captured: tolerated, traced.
    const Bytes offset_past_capture = prefix(ethernet(0x0800, ipv4(tcp(6000, 80, ack, 0, 15))), 14 + 20 + 20);
    // IPv6 hop-by-hop header claiming 2048 bytes in a 100-byte frame.
    const Bytes hop = {6, 255, 0, 0, 0, 0, 0, 0};
    const Bytes ext_past_frame = ethernet(0x86DD, ipv6(0, cat({hop, tcp(7000, 80, ack)})));
    const struct {
        const char* what;
        Bytes frame;
        Outcome outcome;
    } bad[] = {
        {"truncated Ethernet", prefix(eth_ip_tcp, 13), Outcome::truncated},
        {"truncated VLAN tag", cat({prefix(eth_ip_tcp, 12), be16(0x8100), {0x00, 0x05}}), Outcome::truncated},
        {"truncated IPv4", prefix(eth_ip_tcp, 14 + 19), Outcome::truncated},
        {"truncated TCP", prefix(eth_ip_tcp, 14 + 20 + 19), Outcome::truncated},
        {"IHL < 5", ihl4, Outcome::malformed},
        {"TCP data offset < 5", offset4, Outcome::malformed},
        {"IPv6 extension chain past the frame", ext_past_frame, Outcome::truncated},
    };
    Pcap p;
    std::vector<std::uint64_t> good_numbers;
    std::uint32_t t = 0;
    p.record(good(1000, syn), ++t);
    good_numbers.push_back(1);
    for (const auto& b : bad) {
        p.record(b.frame, ++t);
        p.record(good(1000), ++t);
        good_numbers.push_back(t);
    }
    p.record(offset_past_capture, ++t);
    const Run r = run(p.bytes, out);
    CHECK_FALSE(r.error);
    CHECK(r.stats.frames == t);
    CHECK(r.stats.tcp_frames == good_numbers.size() + 1);
    CHECK(r.stats.count(Outcome::truncated) == 5);
    CHECK(r.stats.count(Outcome::malformed) == 2);
    for (const auto& b : bad) {
        CAPTURE(b.what);
        traceflow::decode::TcpSegment seg;
        CHECK(traceflow::decode::decode_tcp(LinkType::ethernet, ByteView(b.frame.data(), b.frame.size()), seg) ==
              b.outcome);
    }
    REQUIRE(r.index.size() == 2);
    CHECK(r.index[0].index == good_numbers);
    CHECK(r.index[1].index == std::vector<std::uint64_t>{t});
    for (const std::uint64_t n : good_numbers) CHECK(r.written.at(n).bytes == (n == 1 ? good(1000, syn) : good(1000)));
    CHECK(r.written.at(t).bytes == offset_past_capture);
}

// ---------------------------------------------------------------------------
// Regressions: two flows must never share an output file, whatever the times.

TEST_CASE("hostile times: a flow reopened on a tuple after time went back gets its own file", "[hostile]") {
    // Capture time may step back (merged captures, clock steps). TraceFlow
    // used to forget flow A's label once time moved 2 µs past it; when time
    // came back and A's tuple reopened, the new flow got A's label and its
    // file truncated A's. The new flow must get a file of its own.
    testutil::TempDir out;
    Pcap p;
    p.record(good(1000, syn), 10)           // 1: A opens, label ...-10.0
        .record(good(2000, syn), 20)        // 2: time moves on
        .record(good(1000, ack | fin), 10)  // 3: A ends
        .record(good(1000, ack), 10);       // 4: A's tuple again at 10.0: same label text
    const Run r = run(p.bytes, out);
    CHECK_FALSE(r.error);
    REQUIRE(r.index.size() == 3);
    CHECK(r.files.size() == 3);
    check_all_written(r, {good(1000, syn), good(2000, syn), good(1000, ack | fin), good(1000, ack)});
}

TEST_CASE("hostile times: pcapng times far beyond 2262 neither overflow nor merge flows' files", "[hostile]") {
    // if_tsresol 0 (whole seconds) lets a 64-bit count reach any int64 second.
    // Found by fuzz_trace on ppp_pcapng-example.pcapng: Timestamp::total_nanoseconds()
    // overflowed (UB; UBSan aborts) in TraceFlow's label bookkeeping; in a
    // plain build the wrapped times let frame 3's flow reuse frame 1's label
    // and file. Near 1e17 s doubles are 16 s apart, so frames 1 and 3 get the
    // same label text "1e+17".
    testutil::TempDir out;
    const std::vector<Bytes> frames = {good(1000, syn), good(1000, ack | fin), good(1000, ack)};
    Pcapng b;
    b.shb(false).idb(1, b.option(9, {0}));
    b.epb(0, 100'000'000'000'000'000ull, frames[0]);
    b.epb(0, 100'000'000'000'000'001ull, frames[1]);
    b.epb(0, 100'000'000'000'000'004ull, frames[2]);
    b.epb(0, 0x7FFF'FFFF'FFFF'FFFFull, good(2000));  // the largest second there is
    const Run r = run(b.bytes, out, "far.pcapng");
    CHECK_FALSE(r.error);
    REQUIRE(r.index.size() == 3);
    CHECK(r.files.size() == 3);
    CHECK(traced(r) == 4);
    CHECK(r.written.size() == 4);
    for (std::size_t i = 0; i < frames.size(); ++i) CHECK(r.written.at(i + 1).bytes == frames[i]);
}
