// SPDX-License-Identifier: MIT
// --decap: VXLAN, Geneve, GRE and GTP-U captures made by wrapping sample.pcap (see
// tests/data/tunnels/README.md) trace exactly as the unwrapped capture does.
#include <traceflow/decode/decoder.hpp>
#include <traceflow/decode/describe.hpp>
#include <traceflow/feed/extract.hpp>
#include <traceflow/feed/threaded_feed.hpp>
#include <traceflow/io/capture_reader.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "test_catch.hpp"
#include "test_util.hpp"

using traceflow::decode::DecodeOptions;
using traceflow::decode::Outcome;
using traceflow::decode::TcpSegment;

namespace {

const std::string sample = std::string(TRACEFLOW_SOURCE_DIR) + "/examples/data/sample.pcap";
const std::string tunnels = std::string(TRACEFLOW_TEST_DATA_DIR) + "/tunnels/";

struct Frames {
    std::vector<std::vector<std::uint8_t>> bytes;
    traceflow::LinkType link{};
};

Frames read_frames(const std::string& path) {
    traceflow::io::CaptureReader reader(path);
    traceflow::io::Record r;
    Frames out;
    while (reader.next(r)) {
        out.bytes.emplace_back(r.frame.bytes.begin(), r.frame.bytes.end());
        out.link = r.linktype;
    }
    return out;
}

Outcome decode(const Frames& f, std::size_t i, TcpSegment& seg, bool decap, std::size_t size = SIZE_MAX) {
    const auto& b = f.bytes[i];
    return traceflow::decode::decode_tcp(f.link, traceflow::ByteView(b.data(), std::min(size, b.size())), seg,
                                         DecodeOptions{decap});
}

traceflow::ExtractStats run(const std::string& path, bool decap, std::vector<traceflow::Index>& index,
                            bool threaded = false) {
    traceflow::TraceFlow<traceflow::CapturePacket> tracer;
    traceflow::ExtractStats stats;
    traceflow::FeedOptions how;
    how.decode.decap = decap;
    if (threaded)
        traceflow::feed_threaded(path, tracer, stats, how);
    else
        traceflow::feed(path, tracer, stats, how);
    index = tracer.index();
    return stats;
}

}  // namespace

TEST_CASE("decap: each tunnel capture traces as the unwrapped capture", "[decode][decap]") {
    std::vector<traceflow::Index> plain;
    const traceflow::ExtractStats base = run(sample, false, plain);
    REQUIRE(base.tcp_frames == 93);
    REQUIRE(plain.size() >= 6);
    const struct {
        const char* file;
        Outcome not_tcp;
    } cases[] = {{"vxlan.pcap", Outcome::vxlan_not_tcp},
                 {"geneve.pcap", Outcome::geneve_not_tcp},
                 {"gre_eth.pcap", Outcome::gre_not_tcp},
                 {"gre_ip.pcap", Outcome::gre_not_tcp},
                 {"gtp_u.pcap", Outcome::gtp_not_tcp}};
    for (const auto& c : cases) {
        for (const bool threaded : {false, true}) {
            INFO(c.file << (threaded ? " threaded" : ""));
            std::vector<traceflow::Index> off, on;
            const traceflow::ExtractStats s_off = run(tunnels + c.file, false, off, threaded);
            CHECK(s_off.tcp_frames == 0);  // off by default: pcapkit traces none of it
            CHECK(off.empty());
            const traceflow::ExtractStats s_on = run(tunnels + c.file, true, on, threaded);
            CHECK(s_on.frames == base.frames);
            CHECK(s_on.tcp_frames == base.tcp_frames);
            // Every frame the plain capture skips is this tunnel's not-tcp.
            CHECK(s_on.count(c.not_tcp) == base.skipped());
            REQUIRE(on.size() == plain.size());
            for (std::size_t i = 0; i < on.size(); ++i) {
                CHECK(on[i].label == plain[i].label);
                CHECK(on[i].index == plain[i].index);
                CHECK(on[i].reason == plain[i].reason);
            }
        }
    }
}

TEST_CASE("decap: the inner segment equals the unwrapped frame's, field by field", "[decode][decap][property]") {
    const Frames plain = read_frames(sample);
    for (const char* file : {"vxlan.pcap", "geneve.pcap", "gre_eth.pcap", "gre_ip.pcap", "gtp_u.pcap"}) {
        INFO(file);
        const Frames wrapped = read_frames(tunnels + file);
        REQUIRE(wrapped.bytes.size() == plain.bytes.size());
        for (std::size_t i = 0; i < plain.bytes.size(); ++i) {
            INFO("frame " << i + 1);
            TcpSegment a, b;
            const Outcome oa = decode(plain, i, a, false);
            const Outcome ob = decode(wrapped, i, b, true);
            CHECK((oa == Outcome::tcp) == (ob == Outcome::tcp));
            if (oa != Outcome::tcp || ob != Outcome::tcp) continue;
            CHECK(a.src == b.src);
            CHECK(a.dst == b.dst);
            CHECK(a.srcport == b.srcport);
            CHECK(a.dstport == b.dstport);
            CHECK(a.flags == b.flags);
            CHECK(a.seq == b.seq);
            CHECK(a.ack == b.ack);
            CHECK(a.payload_size == b.payload_size);
            const std::size_t shift = wrapped.bytes[i].size() - plain.bytes[i].size();
            CHECK(b.payload_offset == a.payload_offset + shift);
            // Every truncation of a wrapped TCP frame is an outcome, never a read past the end.
            for (std::size_t cut = 0; cut < b.tcp_offset + 20; ++cut) {
                TcpSegment t;
                CHECK(decode(wrapped, i, t, true, cut) != Outcome::tcp);
            }
        }
    }
}

TEST_CASE("decap: each tunnel has its own skip reasons", "[decode][decap]") {
    const Frames vxlan = read_frames(tunnels + "vxlan.pcap");
    const Frames geneve = read_frames(tunnels + "geneve.pcap");
    const Frames gre = read_frames(tunnels + "gre_eth.pcap");
    TcpSegment seg;
    // Frame 1 is ARP inside the tunnel; frame 7 a TCP SYN.
    CHECK(decode(vxlan, 0, seg, true) == Outcome::vxlan_not_tcp);
    CHECK(decode(geneve, 0, seg, true) == Outcome::geneve_not_tcp);
    CHECK(decode(gre, 0, seg, true) == Outcome::gre_not_tcp);
    CHECK(decode(vxlan, 6, seg, false) == Outcome::not_tcp);
    REQUIRE(decode(vxlan, 6, seg, true) == Outcome::tcp);
    // The tunnel header cut short: outer Ethernet 14 + IPv4 20 + UDP 8 + 4 bytes of VXLAN.
    // (A cut frame keeps its IP lengths, so the outer UDP is still found.)
    CHECK(decode(vxlan, 6, seg, true, 46) == Outcome::vxlan_malformed);
    CHECK(decode(geneve, 6, seg, true, 14 + 40 + 8 + 6) == Outcome::geneve_malformed);
    CHECK(decode(gre, 6, seg, true, 14 + 20 + 6) == Outcome::gre_malformed);
    // VXLAN without its I flag is not followed.
    Frames bad = vxlan;
    bad.bytes[6][14 + 20 + 8] = 0;
    CHECK(decode(bad, 6, seg, true) == Outcome::vxlan_malformed);
    // GRE version 1 (PPTP) is not followed.
    Frames v1 = gre;
    v1.bytes[6][14 + 20 + 1] |= 1;
    CHECK(decode(v1, 6, seg, true) == Outcome::gre_not_tcp);
    // The names are stable.
    CHECK(std::string(to_string(Outcome::vxlan_not_tcp)) == "vxlan-not-tcp");
    CHECK(std::string(to_string(Outcome::geneve_malformed)) == "geneve-malformed");
    CHECK(std::string(to_string(Outcome::gre_not_tcp)) == "gre-not-tcp");
}

TEST_CASE("decap: describe() lists the tunnel headers and the inner ones", "[decode][decap]") {
    const Frames geneve = read_frames(tunnels + "geneve.pcap");
    const auto& b = geneve.bytes[6];
    const auto layers =
        traceflow::decode::describe(geneve.link, traceflow::ByteView(b.data(), b.size()), DecodeOptions{true});
    std::string names;
    for (const auto& l : layers) names += l.name + " ";
    CHECK(names == "Ethernet IPv6 UDP Geneve Ethernet IPv4 TCP ");
}
