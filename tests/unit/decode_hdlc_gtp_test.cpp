// SPDX-License-Identifier: MIT
// Cisco HDLC (link type 104) and GTP-U (UDP 2152, with --decap): hand-built
// frames, every cut and bad length an outcome, and the captures of
// tests/data/tunnels/README.md traced as the sample they were made from.
#include <traceflow/decode/decoder.hpp>
#include <traceflow/decode/describe.hpp>
#include <traceflow/feed/extract.hpp>
#include <traceflow/io/capture_reader.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

using traceflow::ByteView;
using traceflow::LinkType;
using traceflow::decode::DecodeOptions;
using traceflow::decode::Outcome;
using traceflow::decode::TcpSegment;
namespace tcp_flag = traceflow::decode::tcp_flag;

namespace {

using testutil::be16;
using testutil::be32;
using testutil::Bytes;
using testutil::cat;
using testutil::ethernet;
using testutil::ipv4;
using testutil::ipv6;
using testutil::prefix;
using testutil::tcp;

const Bytes inner_src = {172, 16, 0, 1};
const Bytes inner_dst = {172, 16, 0, 2};

Outcome decode(LinkType link, const Bytes& frame, TcpSegment& out, bool decap = false) {
    return traceflow::decode::decode_tcp(link, ByteView{frame.data(), frame.size()}, out, DecodeOptions{decap});
}
Outcome decode(LinkType link, const Bytes& frame, bool decap = false) {
    TcpSegment out;
    return decode(link, frame, out, decap);
}

std::string layer_names(LinkType link, const Bytes& frame, bool decap) {
    std::string names;
    for (const auto& l : traceflow::decode::describe(link, ByteView{frame.data(), frame.size()}, DecodeOptions{decap}))
        names += l.name + " ";
    return names;
}

std::string field(const traceflow::decode::Layer& layer, const std::string& name) {
    for (const auto& f : layer.fields) {
        if (f.name == name) return f.value;
    }
    return "<missing " + name + ">";
}

/// A Cisco HDLC frame: address, control 0, protocol (an EtherType).
Bytes hdlc(unsigned protocol, const Bytes& payload, std::uint8_t address = 0x0F) {
    return cat({{address, 0}, be16(protocol), payload});
}

Bytes udp(unsigned sport, unsigned dport, const Bytes& payload) {
    return cat({be16(sport), be16(dport), be16(static_cast<unsigned>(8 + payload.size())), be16(0), payload});
}

/// A GTPv1-U message: version 1, PT 1 and `flags` (E 0x04, S 0x02, PN 0x01),
/// `optional` the bytes after the mandatory 8 (counted by the length field).
Bytes gtp(std::uint8_t flags, std::uint8_t type, const Bytes& optional, const Bytes& payload,
          std::uint32_t teid = 0x11223344) {
    return cat({{static_cast<std::uint8_t>(0x30 | flags), type},
                be16(static_cast<unsigned>(optional.size() + payload.size())),
                be32(teid),
                optional,
                payload});
}

/// Ethernet / IPv4 / UDP to 2152 carrying `message`.
Bytes over_udp(const Bytes& message, unsigned dport = 2152) {
    return ethernet(0x0800, ipv4(17, udp(2152, dport, message)));
}

/// The inner packet: IPv4 172.16.0.1:40000 > 172.16.0.2:443, SYN, 5 payload bytes.
Bytes inner_v4() { return ipv4(6, tcp(40000, 443, tcp_flag::syn, 5), 5, 0, inner_src, inner_dst); }

constexpr std::size_t outer = 14 + 20 + 8;  // Ethernet, IPv4, UDP

}  // namespace

TEST_CASE("Cisco HDLC carrying IPv4 and IPv6", "[decode][c_hdlc]") {
    static_assert(static_cast<std::uint32_t>(LinkType::c_hdlc) == 104);
    TcpSegment s;
    REQUIRE(decode(LinkType::c_hdlc, hdlc(0x0800, ipv4(6, tcp(1234, 80, tcp_flag::syn, 7))), s) == Outcome::tcp);
    CHECK(s.src.to_string() == "10.0.0.1");
    CHECK(s.dst.to_string() == "10.0.0.2");
    CHECK(s.srcport == 1234);
    CHECK(s.dstport == 80);
    CHECK(s.syn());
    CHECK(s.ip_version == 4);
    CHECK(s.ip_offset == 4);
    CHECK(s.tcp_offset == 24);
    CHECK(s.payload_offset == 44);
    CHECK(s.payload_size == 7);

    // 0x8F: a broadcast address; the address is not checked.
    REQUIRE(decode(LinkType::c_hdlc, hdlc(0x86DD, ipv6(6, tcp(5555, 22, tcp_flag::ack, 3, 8)), 0x8F), s) ==
            Outcome::tcp);
    CHECK(s.src.to_string() == "2001:db8::1");
    CHECK(s.dst.to_string() == "2001:db8::2");
    CHECK(s.srcport == 5555);
    CHECK(s.dstport == 22);
    CHECK(s.ip_version == 6);
    CHECK(s.ip_offset == 4);
    CHECK(s.tcp_offset == 44);
    CHECK(s.payload_offset == 44 + 32);
    CHECK(s.payload_size == 3);

    // The protocol is an EtherType, so MPLS is followed as on Ethernet.
    const Bytes mpls_label = {0x00, 0x01, 0x01, 0x40};  // label 16, bottom of stack
    CHECK(decode(LinkType::c_hdlc, hdlc(0x8847, cat({mpls_label, ipv4(6, tcp(1, 2, 0))}))) == Outcome::tcp);
}

TEST_CASE("Cisco HDLC: other protocols are not IP, short frames truncated", "[decode][c_hdlc]") {
    CHECK(decode(LinkType::c_hdlc, hdlc(0x8035, Bytes(20, 0), 0x8F)) == Outcome::not_ip);  // SLARP keepalive
    CHECK(decode(LinkType::c_hdlc, hdlc(0x2000, Bytes(20, 0), 0x8F)) == Outcome::not_ip);  // CDP
    CHECK(decode(LinkType::c_hdlc, hdlc(0x0806, Bytes(28, 0))) == Outcome::not_ip);
    CHECK(decode(LinkType::c_hdlc, hdlc(0x0800, ipv4(17, Bytes(8, 0)))) == Outcome::not_tcp);
    const Bytes frame = hdlc(0x0800, ipv4(6, tcp(1234, 80, tcp_flag::syn)));
    for (std::size_t cut = 0; cut < frame.size(); ++cut) {
        INFO("cut at " << cut);
        CHECK(decode(LinkType::c_hdlc, prefix(frame, cut)) == Outcome::truncated);
    }
}

TEST_CASE("Cisco HDLC: describe() names the header", "[decode][c_hdlc]") {
    const Bytes frame = hdlc(0x0800, ipv4(6, tcp(1234, 80, tcp_flag::syn)), 0x8F);
    const auto layers = traceflow::decode::describe(LinkType::c_hdlc, ByteView{frame.data(), frame.size()});
    REQUIRE(layers.size() == 3);
    CHECK(layers[0].name == "Cisco HDLC");
    CHECK(field(layers[0], "address") == "0x8f");
    CHECK(field(layers[0], "control") == "0x00");
    CHECK(field(layers[0], "protocol") == "0x0800");
    CHECK(layers[1].name == "IPv4");
    CHECK(layers[2].name == "TCP");
    const Bytes slarp = hdlc(0x8035, Bytes(20, 0), 0x8F);
    CHECK(layer_names(LinkType::c_hdlc, slarp, false) == "Cisco HDLC Undecoded ");
}

TEST_CASE("GTP-U G-PDUs are unwrapped with decap only", "[decode][decap][gtp]") {
    const Bytes inner = inner_v4();
    const struct {
        const char* what;
        Bytes message;
        std::size_t header;
    } cases[] = {
        {"no optional fields", gtp(0x00, 0xFF, {}, inner), 8},
        {"sequence number", gtp(0x02, 0xFF, {0x12, 0x34, 0, 0}, inner), 12},
        {"N-PDU number", gtp(0x01, 0xFF, {0, 0, 7, 0}, inner), 12},
        // PDU Session Container (0x85), 4 bytes: length 1, type and QFI, next type 0.
        {"one extension header", gtp(0x04, 0xFF, {0, 0, 0, 0x85, 1, 0x10, 9, 0}, inner), 16},
        // An 8-byte extension naming a second, 4-byte one.
        {"two extension headers", gtp(0x06, 0xFF, {0, 9, 0, 0x40, 2, 1, 2, 3, 4, 5, 6, 0x85, 1, 0, 0, 0}, inner), 24},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        const Bytes frame = over_udp(c.message);
        CHECK(decode(LinkType::ethernet, frame) == Outcome::not_tcp);  // UDP, without decap
        TcpSegment s;
        REQUIRE(decode(LinkType::ethernet, frame, s, true) == Outcome::tcp);
        CHECK(s.src.to_string() == "172.16.0.1");
        CHECK(s.dst.to_string() == "172.16.0.2");
        CHECK(s.srcport == 40000);
        CHECK(s.dstport == 443);
        CHECK(s.syn());
        CHECK(s.ip_offset == outer + c.header);
        CHECK(s.tcp_offset == outer + c.header + 20);
        CHECK(s.payload_offset == outer + c.header + 40);
        CHECK(s.payload_size == 5);
        // Every cut is an outcome, never a read past the end (ASan).
        for (std::size_t cut = 0; cut < s.tcp_offset + 20; ++cut) {
            INFO("cut at " << cut);
            TcpSegment t;
            CHECK(decode(LinkType::ethernet, prefix(frame, cut), t, true) != Outcome::tcp);
        }
    }
}

TEST_CASE("GTP-U: IPv6 inside and outside, and a tunnel in the tunnel", "[decode][decap][gtp]") {
    TcpSegment s;
    const Bytes v6_inner = ipv6(6, tcp(1000, 2000, tcp_flag::ack, 9));
    const Bytes frame = ethernet(
        0x86DD, ipv6(17, udp(2152, 2152, gtp(0x02, 0xFF, {0, 1, 0, 0}, v6_inner)), Bytes(16, 0xFE), Bytes(16, 0xFD)));
    REQUIRE(decode(LinkType::ethernet, frame, s, true) == Outcome::tcp);
    CHECK(s.ip_version == 6);
    CHECK(s.src.to_string() == "2001:db8::1");
    CHECK(s.srcport == 1000);
    CHECK(s.payload_offset == 14 + 40 + 8 + 12 + 40 + 20);
    CHECK(s.payload_size == 9);

    // GTP-U in GTP-U: the innermost TCP.
    const Bytes nested = over_udp(gtp(0, 0xFF, {}, ipv4(17, udp(2152, 2152, gtp(0, 0xFF, {}, inner_v4())))));
    REQUIRE(decode(LinkType::ethernet, nested, s, true) == Outcome::tcp);
    CHECK(s.src.to_string() == "172.16.0.1");
    // Past the tunnel depth limit (4): no TCP.
    Bytes deep = inner_v4();
    for (int i = 0; i < 5; ++i) deep = ipv4(17, udp(2152, 2152, gtp(0, 0xFF, {}, deep)));
    CHECK(decode(LinkType::ethernet, ethernet(0x0800, deep), true) == Outcome::malformed);
}

TEST_CASE("GTP-U: other messages, versions and payloads are gtp-not-tcp", "[decode][decap][gtp]") {
    // Echo Request (type 1) with a sequence number, no payload.
    const Bytes echo = over_udp(gtp(0x02, 1, {0, 42, 0, 0}, {}));
    CHECK(decode(LinkType::ethernet, echo) == Outcome::not_tcp);
    CHECK(decode(LinkType::ethernet, echo, true) == Outcome::gtp_not_tcp);
    // Echo Response (2) with a Recovery IE, End Marker (254).
    CHECK(decode(LinkType::ethernet, over_udp(gtp(0x02, 2, {0, 42, 0, 0, 14, 0}, {})), true) == Outcome::gtp_not_tcp);
    CHECK(decode(LinkType::ethernet, over_udp(gtp(0, 254, {}, {})), true) == Outcome::gtp_not_tcp);
    // GTP' (protocol type 0) and version 2 are no GTP-U.
    Bytes prime = over_udp(gtp(0, 0xFF, {}, inner_v4()));
    prime[outer] = 0x20;
    CHECK(decode(LinkType::ethernet, prime, true) == Outcome::gtp_not_tcp);
    Bytes v2 = over_udp(gtp(0, 0xFF, {}, inner_v4()));
    v2[outer] = 0x50;
    CHECK(decode(LinkType::ethernet, v2, true) == Outcome::gtp_not_tcp);
    // A G-PDU carrying UDP, or no IP at all.
    CHECK(decode(LinkType::ethernet, over_udp(gtp(0, 0xFF, {}, ipv4(17, Bytes(8, 0)))), true) == Outcome::gtp_not_tcp);
    CHECK(decode(LinkType::ethernet, over_udp(gtp(0, 0xFF, {}, Bytes(30, 0x11))), true) == Outcome::gtp_not_tcp);
    // Only the destination port says GTP-U.
    CHECK(decode(LinkType::ethernet, over_udp(gtp(0, 0xFF, {}, inner_v4()), 2153), true) == Outcome::not_tcp);
    CHECK(std::string(to_string(Outcome::gtp_not_tcp)) == "gtp-not-tcp");
    CHECK(std::string(to_string(Outcome::gtp_malformed)) == "gtp-malformed");
}

TEST_CASE("GTP-U: bad lengths are gtp-malformed, never read past the end", "[decode][decap][gtp]") {
    const Bytes inner = inner_v4();
    // An extension header of length 0 would never end.
    CHECK(decode(LinkType::ethernet, over_udp(gtp(0x04, 0xFF, {0, 0, 0, 0x85, 0, 0, 0, 0}, inner)), true) ==
          Outcome::gtp_malformed);
    // An extension header longer than the frame: 255 * 4 bytes.
    const Bytes long_extension = over_udp(gtp(0x04, 0xFF, {0, 0, 0, 0x85, 255, 0, 0, 0}, inner));
    CHECK(decode(LinkType::ethernet, long_extension, true) == Outcome::gtp_malformed);
    // A chain whose next type never ends: 0xFF in the last byte of each, up to the end.
    Bytes chain = {0, 0, 0, 0x85};
    for (int i = 0; i < 8; ++i) chain.insert(chain.end(), {1, 0, 0, 0x85});
    CHECK(decode(LinkType::ethernet, over_udp(gtp(0x04, 0xFF, chain, {})), true) == Outcome::gtp_malformed);
    // The length field too short for the optional bytes.
    Bytes short_length = over_udp(gtp(0x02, 0xFF, {0, 1, 0, 0}, inner));
    short_length[outer + 2] = 0;
    short_length[outer + 3] = 2;
    CHECK(decode(LinkType::ethernet, short_length, true) == Outcome::gtp_malformed);
    // A G-PDU with nothing after its header.
    CHECK(decode(LinkType::ethernet, over_udp(gtp(0, 0xFF, {}, {})), true) == Outcome::gtp_malformed);
    // Inner IPv4 cut by the outer IP length (captured, outside it): malformed.
    Bytes cut_inner = over_udp(gtp(0, 0xFF, {}, inner));
    cut_inner[14 + 2] = 0;
    cut_inner[14 + 3] = static_cast<std::uint8_t>(20 + 8 + 8 + 10);
    CHECK(decode(LinkType::ethernet, cut_inner, true) == Outcome::gtp_malformed);
    // Every cut of the extension header frame, and of an echo, is an outcome.
    for (const Bytes& frame : {long_extension, over_udp(gtp(0x06, 1, {0, 1, 0, 0x40, 2, 1, 2, 3, 4, 5, 6, 0}, {}))}) {
        for (std::size_t cut = 0; cut <= frame.size(); ++cut) {
            INFO("cut at " << cut);
            CHECK(decode(LinkType::ethernet, prefix(frame, cut), true) != Outcome::tcp);
        }
    }
}

TEST_CASE("GTP-U: describe() lists the tunnel header and the inner ones", "[decode][decap][gtp]") {
    const Bytes frame = over_udp(gtp(0x06, 0xFF, {0x01, 0x02, 0, 0x85, 1, 0x10, 9, 0}, inner_v4(), 0xABCD));
    CHECK(layer_names(LinkType::ethernet, frame, true) == "Ethernet IPv4 UDP GTP-U IPv4 TCP ");
    CHECK(layer_names(LinkType::ethernet, frame, false) == "Ethernet IPv4 Undecoded ");
    const auto layers =
        traceflow::decode::describe(LinkType::ethernet, ByteView{frame.data(), frame.size()}, DecodeOptions{true});
    REQUIRE(layers.size() == 6);
    CHECK(field(layers[3], "flags") == "0x36");
    CHECK(field(layers[3], "message_type") == "255");
    CHECK(field(layers[3], "teid") == "0x0000abcd");
    CHECK(field(layers[3], "seq") == "258");
    CHECK(field(layers[3], "extensions_length") == "4");
    const Bytes echo = over_udp(gtp(0x02, 1, {0, 42, 0, 0}, {}));
    const auto echo_layers =
        traceflow::decode::describe(LinkType::ethernet, ByteView{echo.data(), echo.size()}, DecodeOptions{true});
    REQUIRE(echo_layers.size() == 5);
    CHECK(echo_layers[3].name == "GTP-U");
    CHECK(field(echo_layers[3], "message_type") == "1");
    CHECK(field(echo_layers[4], "outcome") == "gtp-not-tcp");
}

namespace {

const std::string sample = std::string(TRACEFLOW_SOURCE_DIR) + "/examples/data/sample.pcap";
const std::string tunnels = std::string(TRACEFLOW_TEST_DATA_DIR) + "/tunnels/";

traceflow::ExtractStats run(const std::string& path, bool decap, std::vector<traceflow::Index>& index) {
    traceflow::TraceFlow<traceflow::CapturePacket> tracer;
    traceflow::ExtractStats stats;
    traceflow::FeedOptions how;
    how.decode.decap = decap;
    traceflow::feed(path, tracer, stats, how);
    index = tracer.index();
    return stats;
}

}  // namespace

TEST_CASE("c_hdlc.pcap traces as the sample it was made from", "[decode][c_hdlc]") {
    std::vector<traceflow::Index> plain, hdlc_index;
    const traceflow::ExtractStats base = run(sample, false, plain);
    const traceflow::ExtractStats s = run(tunnels + "c_hdlc.pcap", false, hdlc_index);
    CHECK(s.frames == base.frames);
    CHECK(s.tcp_frames == base.tcp_frames);
    CHECK(s.outcomes == base.outcomes);  // ARP is not-ip there too
    REQUIRE(hdlc_index.size() == plain.size());
    for (std::size_t i = 0; i < plain.size(); ++i) {
        CHECK(hdlc_index[i].label == plain[i].label);
        CHECK(hdlc_index[i].index == plain[i].index);
        CHECK(hdlc_index[i].reason == plain[i].reason);
    }
}

TEST_CASE("gtp_u.pcap: echo requests and non-TCP G-PDUs are gtp-not-tcp", "[decode][decap][gtp]") {
    std::vector<traceflow::Index> index;
    const traceflow::ExtractStats s = run(tunnels + "gtp_u.pcap", true, index);
    CHECK(s.tcp_frames == 93);
    CHECK(s.count(Outcome::gtp_not_tcp) == 8);  // 2 ARP as echo requests, 6 ICMP / UDP
    CHECK(s.count(Outcome::gtp_malformed) == 0);
}
