// SPDX-License-Identifier: MIT
// decode_tcp: hand-built frames for every link type, encapsulation and damage it handles.
#include <traceflow/decode/decoder.hpp>

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "frame_builder.hpp"
#include "test_catch.hpp"

using traceflow::ByteView;
using traceflow::IpAddress;
using traceflow::LinkType;
using traceflow::decode::Outcome;
using traceflow::decode::TcpSegment;
namespace tcp_flag = traceflow::decode::tcp_flag;

namespace {

using testutil::be16;
using testutil::be32;
using testutil::Bytes;
using testutil::cat;
Bytes fill(std::size_t n, std::uint8_t byte = 0) { return Bytes(n, byte); }

const Bytes v6_src = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};  // frame_builder's defaults
const Bytes v6_dst = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

using testutil::ethernet;
using testutil::ipv4;
using testutil::ipv6;
using testutil::prefix;
using testutil::tcp;
using testutil::vlan_tag;

Bytes syn_segment() { return tcp(1234, 80, tcp_flag::syn); }

/// A generic IPv6 extension header ((units + 1) * 8 bytes).
Bytes ext(std::uint8_t next, std::uint8_t units) {
    Bytes h = fill((units + 1u) * 8u);
    h[0] = next;
    h[1] = units;
    return h;
}
Bytes eth_ipv4_tcp() { return ethernet(0x0800, ipv4(6, syn_segment())); }

Outcome decode(LinkType link, const Bytes& frame, TcpSegment& out) {
    return traceflow::decode::decode_tcp(link, ByteView{frame.data(), frame.size()}, out);
}
Outcome decode(LinkType link, const Bytes& frame) {
    TcpSegment out;
    return decode(link, frame, out);
}
LinkType link(std::uint32_t value) { return static_cast<LinkType>(value); }

}  // namespace

TEST_CASE("Ethernet II carrying IPv4 and TCP", "[decode]") {
    static_assert(noexcept(traceflow::decode::decode_tcp(LinkType::ethernet, ByteView{}, std::declval<TcpSegment&>())));
    Bytes payload = fill(10, 0xAB);
    Bytes segment = cat({tcp(40000, 443, tcp_flag::psh | tcp_flag::ack, 0, 5 + 3), payload});
    TcpSegment s;
    REQUIRE(decode(LinkType::ethernet, ethernet(0x0800, ipv4(6, segment)), s) == Outcome::tcp);
    CHECK(s.src.to_string() == "10.0.0.1");
    CHECK(s.dst.to_string() == "10.0.0.2");
    CHECK(s.srcport == 40000);
    CHECK(s.dstport == 443);
    CHECK(s.flags == (tcp_flag::psh | tcp_flag::ack));
    CHECK(s.ack_flag());
    CHECK_FALSE(s.syn());
    CHECK_FALSE(s.fin());
    CHECK_FALSE(s.rst());
    CHECK(s.seq == 1000);
    CHECK(s.ack == 2000);
    CHECK(s.window == 65535);
    CHECK(s.ip_version == 4);
    CHECK(s.vlan_outer == 0);
    CHECK(s.vlan_inner == 0);
    CHECK(s.ip_offset == 14);
    CHECK(s.tcp_offset == 34);
    CHECK(s.payload_offset == 34 + 32);
    CHECK(s.payload_size == 10);
}

TEST_CASE("every TCP flag bit is kept", "[decode]") {
    TcpSegment s;
    REQUIRE(decode(LinkType::ethernet, ethernet(0x0800, ipv4(6, tcp(1, 2, 0xFF))), s) == Outcome::tcp);
    CHECK(s.flags == 0xFF);
    CHECK((s.syn() && s.fin() && s.rst() && s.ack_flag()));
    REQUIRE(decode(LinkType::ethernet, ethernet(0x0800, ipv4(6, tcp(1, 2, tcp_flag::fin | tcp_flag::rst))), s) ==
            Outcome::tcp);
    CHECK((s.fin() && s.rst() && !s.syn() && !s.ack_flag()));
}

TEST_CASE("Ethernet: 802.3 lengths and other EtherTypes are not IP", "[decode]") {
    CHECK(decode(LinkType::ethernet, ethernet(0x0040, fill(64, 0x45))) == Outcome::not_ip);  // 802.3 + LLC
    CHECK(decode(LinkType::ethernet, ethernet(0x05DC, fill(64, 0x45))) == Outcome::not_ip);
    CHECK(decode(LinkType::ethernet, ethernet(0x0806, fill(28))) == Outcome::not_ip);  // ARP
    CHECK(decode(LinkType::ethernet, fill(13)) == Outcome::truncated);
    CHECK(decode(LinkType::ethernet, Bytes{}) == Outcome::truncated);
    CHECK(decode(LinkType::ethernet, ethernet(0x0800, {})) == Outcome::truncated);
    CHECK(decode(LinkType::ethernet, ethernet(0x86DD, fill(39, 0x60))) == Outcome::truncated);
}

TEST_CASE("VLAN tags of any depth", "[decode]") {
    const Bytes ip = ipv4(6, syn_segment());
    TcpSegment s;
    SECTION("one 802.1Q tag") {
        REQUIRE(decode(LinkType::ethernet, ethernet(0x8100, cat({vlan_tag(100, 0x0800), ip})), s) == Outcome::tcp);
        CHECK(s.vlan_outer == 100);
        CHECK(s.vlan_inner == 0);
        CHECK(s.ip_offset == 18);
    }
    SECTION("802.1ad QinQ") {
        const Bytes tags = cat({vlan_tag(10, 0x8100), vlan_tag(20, 0x0800)});
        REQUIRE(decode(LinkType::ethernet, ethernet(0x88A8, cat({tags, ip})), s) == Outcome::tcp);
        CHECK(s.vlan_outer == 10);
        CHECK(s.vlan_inner == 20);
        CHECK(s.ip_offset == 22);
    }
    SECTION("three tags, 0x9100 outermost: inner is the innermost") {
        const Bytes tags = cat({vlan_tag(1, 0x88A8), vlan_tag(2, 0x8100), vlan_tag(4095, 0x86DD)});
        REQUIRE(decode(LinkType::ethernet, ethernet(0x9100, cat({tags, ipv6(6, syn_segment())})), s) == Outcome::tcp);
        CHECK(s.vlan_outer == 1);
        CHECK(s.vlan_inner == 4095);
        CHECK(s.ip_offset == 26);
        CHECK(s.ip_version == 6);
    }
    SECTION("a tag carrying ARP or an 802.3 length") {
        CHECK(decode(LinkType::ethernet, ethernet(0x8100, cat({vlan_tag(5, 0x0806), fill(28)}))) == Outcome::not_ip);
        CHECK(decode(LinkType::ethernet, ethernet(0x8100, cat({vlan_tag(5, 0x0030), fill(48)}))) == Outcome::not_ip);
    }
    SECTION("truncated tags") {
        CHECK(decode(LinkType::ethernet, ethernet(0x8100, {0x00, 0x05, 0x08})) == Outcome::truncated);
        CHECK(decode(LinkType::ethernet, ethernet(0x8100, vlan_tag(5, 0x8100))) == Outcome::truncated);
        CHECK(decode(LinkType::ethernet, ethernet(0x8100, vlan_tag(5, 0x0800))) == Outcome::truncated);
    }
}

TEST_CASE("MPLS label stacks", "[decode]") {
    const Bytes top = be32((16u << 12) | 64u);                 // label 16, not bottom
    const Bytes bottom = be32((17u << 12) | (1u << 8) | 64u);  // label 17, bottom of stack
    TcpSegment s;
    REQUIRE(decode(LinkType::ethernet, ethernet(0x8847, cat({top, bottom, ipv4(6, syn_segment())})), s) ==
            Outcome::tcp);
    CHECK(s.ip_offset == 22);
    CHECK(s.ip_version == 4);
    REQUIRE(decode(LinkType::ethernet, ethernet(0x8848, cat({bottom, ipv6(6, syn_segment())})), s) == Outcome::tcp);
    CHECK(s.ip_offset == 18);
    CHECK(s.ip_version == 6);
    // A pseudowire control word (first nibble 0) carries Ethernet, not IP.
    CHECK(decode(LinkType::ethernet, ethernet(0x8847, cat({bottom, fill(4), eth_ipv4_tcp()}))) == Outcome::not_ip);
    CHECK(decode(LinkType::ethernet, ethernet(0x8847, cat({top, top}))) == Outcome::truncated);
    CHECK(decode(LinkType::ethernet, ethernet(0x8847, bottom)) == Outcome::truncated);
    CHECK(decode(LinkType::ethernet, ethernet(0x8847, {0x00, 0x01})) == Outcome::truncated);
}

TEST_CASE("PPPoE sessions", "[decode]") {
    const auto pppoe = [](const Bytes& protocol, const Bytes& payload) {
        return ethernet(
            0x8864,
            cat({{0x11, 0x00}, be16(0x0042), be16(static_cast<unsigned>(payload.size() + 2)), protocol, payload}));
    };
    TcpSegment s;
    REQUIRE(decode(LinkType::ethernet, pppoe(be16(0x0021), ipv4(6, syn_segment())), s) == Outcome::tcp);
    CHECK(s.ip_offset == 22);
    REQUIRE(decode(LinkType::ethernet, pppoe(be16(0x0057), ipv6(6, syn_segment())), s) == Outcome::tcp);
    CHECK(s.ip_offset == 22);
    CHECK(s.ip_version == 6);
    // Protocol-field compression: a single odd byte.
    REQUIRE(decode(LinkType::ethernet, pppoe({0x21}, ipv4(6, syn_segment())), s) == Outcome::tcp);
    CHECK(s.ip_offset == 21);
    CHECK(decode(LinkType::ethernet, pppoe(be16(0xC021), fill(20))) == Outcome::not_ip);  // LCP
    CHECK(decode(LinkType::ethernet, ethernet(0x8864, {0x11, 0x00, 0x00, 0x42, 0x00, 0x10, 0x00})) ==
          Outcome::truncated);
    CHECK(decode(LinkType::ethernet, ethernet(0x8864, {0x11, 0x00, 0x00})) == Outcome::truncated);
}

TEST_CASE("Linux cooked captures SLL and SLL2", "[decode]") {
    const Bytes sll_head = cat({be16(0), be16(1), be16(6), {1, 2, 3, 4, 5, 6, 0, 0}});
    TcpSegment s;
    REQUIRE(decode(LinkType::linux_sll, cat({sll_head, be16(0x0800), ipv4(6, syn_segment())}), s) == Outcome::tcp);
    CHECK(s.ip_offset == 16);
    REQUIRE(decode(LinkType::linux_sll, cat({sll_head, be16(0x8100), vlan_tag(7, 0x0800), ipv4(6, syn_segment())}),
                   s) == Outcome::tcp);
    CHECK(s.vlan_outer == 7);
    CHECK(s.ip_offset == 20);
    CHECK(decode(LinkType::linux_sll, cat({sll_head, be16(0x0004), fill(40)})) == Outcome::not_ip);  // 802.2 LLC
    CHECK(decode(LinkType::linux_sll, prefix(cat({sll_head, be16(0x0800)}), 15)) == Outcome::truncated);

    const Bytes sll2_tail = cat({be16(0), be32(3), be16(1), {0, 6}, {1, 2, 3, 4, 5, 6, 0, 0}});
    REQUIRE(decode(LinkType::linux_sll2, cat({be16(0x86DD), sll2_tail, ipv6(6, syn_segment())}), s) == Outcome::tcp);
    CHECK(s.ip_offset == 20);
    CHECK(s.ip_version == 6);
    CHECK(decode(LinkType::linux_sll2, cat({be16(0x0806), sll2_tail, fill(28)})) == Outcome::not_ip);
    CHECK(decode(LinkType::linux_sll2, prefix(cat({be16(0x0800), sll2_tail}), 19)) == Outcome::truncated);
}

TEST_CASE("raw IP link types", "[decode]") {
    const Bytes v4 = ipv4(6, syn_segment());
    const Bytes v6 = ipv6(6, syn_segment());
    TcpSegment s;
    for (const LinkType raw : {LinkType::raw, LinkType::raw_alt12, LinkType::raw_alt14}) {
        REQUIRE(decode(raw, v4, s) == Outcome::tcp);
        CHECK(s.ip_version == 4);
        CHECK(s.ip_offset == 0);
        REQUIRE(decode(raw, v6, s) == Outcome::tcp);
        CHECK(s.ip_version == 6);
        CHECK(s.src.to_string() == "2001:db8::1");
        CHECK(decode(raw, Bytes{0x50, 0, 0, 0}) == Outcome::malformed);  // IP version 5
        CHECK(decode(raw, Bytes{}) == Outcome::truncated);
    }
    CHECK(decode(LinkType::ipv4, v4) == Outcome::tcp);
    CHECK(decode(LinkType::ipv6, v6) == Outcome::tcp);
    CHECK(decode(LinkType::ipv4, v6) == Outcome::malformed);
    CHECK(decode(LinkType::ipv6, v4) == Outcome::malformed);  // 40 bytes, but version 4
    CHECK(decode(LinkType::ipv6, prefix(v6, 39)) == Outcome::truncated);
    CHECK(decode(LinkType::ipv4, prefix(v4, 19)) == Outcome::truncated);
}

TEST_CASE("BSD NULL in either byte order, and LOOP", "[decode]") {
    const Bytes v4 = ipv4(6, syn_segment());
    const Bytes v6 = ipv6(6, syn_segment());
    TcpSegment s;
    CHECK(decode(LinkType::null, cat({{2, 0, 0, 0}, v4})) == Outcome::tcp);  // little-endian host
    CHECK(decode(LinkType::null, cat({{0, 0, 0, 2}, v4})) == Outcome::tcp);  // big-endian host
    for (const std::uint8_t family : {24, 28, 30}) {
        REQUIRE(decode(LinkType::null, cat({{family, 0, 0, 0}, v6}), s) == Outcome::tcp);
        CHECK(s.ip_offset == 4);
        CHECK(s.ip_version == 6);
        REQUIRE(decode(LinkType::null, cat({{0, 0, 0, family}, v6}), s) == Outcome::tcp);
        CHECK(s.ip_version == 6);
    }
    CHECK(decode(LinkType::null, cat({{7, 0, 0, 0}, v4})) == Outcome::not_ip);
    CHECK(decode(LinkType::null, {2, 0, 0}) == Outcome::truncated);
    CHECK(decode(LinkType::loop, cat({{0, 0, 0, 2}, v4})) == Outcome::tcp);
    CHECK(decode(LinkType::loop, cat({{0, 0, 0, 24}, v6})) == Outcome::tcp);
    CHECK(decode(LinkType::loop, cat({{2, 0, 0, 0}, v4})) == Outcome::not_ip);  // LOOP is always big-endian
}

TEST_CASE("link types outside the supported list", "[decode]") {
    const Bytes frame = eth_ipv4_tcp();
    CHECK(decode(link(105), frame) == Outcome::unsupported_link);  // IEEE 802.11
    CHECK(decode(link(9), frame) == Outcome::unsupported_link);    // PPP
    CHECK(decode(link(0xFFFFFFFF), frame) == Outcome::unsupported_link);
    CHECK(decode(link(105), Bytes{}) == Outcome::unsupported_link);
}

TEST_CASE("IPv4 options and header lengths", "[decode]") {
    TcpSegment s;
    REQUIRE(decode(LinkType::ethernet, ethernet(0x0800, ipv4(6, syn_segment(), 6)), s) == Outcome::tcp);
    CHECK(s.tcp_offset == 14 + 24);
    REQUIRE(decode(LinkType::ethernet, ethernet(0x0800, ipv4(6, syn_segment(), 15)), s) == Outcome::tcp);
    CHECK(s.tcp_offset == 14 + 60);
    CHECK(s.srcport == 1234);

    Bytes frame = eth_ipv4_tcp();
    SECTION("IHL below 5") {
        frame[14] = 0x44;
        CHECK(decode(LinkType::ethernet, frame) == Outcome::malformed);
        frame[14] = 0x40;
        CHECK(decode(LinkType::ethernet, frame) == Outcome::malformed);
    }
    SECTION("version other than 4 behind EtherType IPv4") {
        frame[14] = 0x65;
        CHECK(decode(LinkType::ethernet, frame) == Outcome::malformed);
    }
    SECTION("total length smaller than the header") {
        frame[16] = 0;
        frame[17] = 19;
        CHECK(decode(LinkType::ethernet, frame) == Outcome::malformed);
    }
    SECTION("total length 0 (TSO / BIG TCP): the capture gives the length") {
        frame.resize(frame.size() + 100, 0xCC);
        frame[16] = 0;
        frame[17] = 0;
        REQUIRE(decode(LinkType::ethernet, frame, s) == Outcome::tcp);
        CHECK(s.payload_size == 100);
    }
    SECTION("total length leaves no room for TCP though bytes were captured") {
        frame[16] = 0;
        frame[17] = 30;
        CHECK(decode(LinkType::ethernet, frame) == Outcome::malformed);
    }
    SECTION("truncated header and options") {
        CHECK(decode(LinkType::ethernet, prefix(frame, 14 + 19)) == Outcome::truncated);
        const Bytes with_options = ethernet(0x0800, ipv4(6, syn_segment(), 15));
        CHECK(decode(LinkType::ethernet, prefix(with_options, 14 + 59)) == Outcome::truncated);
    }
    SECTION("Ethernet padding after the IP packet is not payload") {
        frame.resize(frame.size() + 6, 0);
        REQUIRE(decode(LinkType::ethernet, frame, s) == Outcome::tcp);
        CHECK(s.payload_size == 0);
    }
    SECTION("payload size comes from the IP length, past a short snap length") {
        const Bytes big = ethernet(0x0800, ipv4(6, cat({syn_segment(), fill(1000)})));
        REQUIRE(decode(LinkType::ethernet, prefix(big, 14 + 20 + 20 + 10), s) == Outcome::tcp);
        CHECK(s.payload_size == 1000);
    }
}

TEST_CASE("IPv4 fragments", "[decode]") {
    TcpSegment s;
    // Offset 0 with More Fragments: the TCP header is there, decode it.
    REQUIRE(decode(LinkType::ethernet, ethernet(0x0800, ipv4(6, syn_segment(), 5, 0x2000)), s) == Outcome::tcp);
    CHECK(s.srcport == 1234);
    // Non-first fragments carry payload bytes where the ports would be.
    CHECK(decode(LinkType::ethernet, ethernet(0x0800, ipv4(6, syn_segment(), 5, 0x2000 | 185))) == Outcome::fragment);
    CHECK(decode(LinkType::ethernet, ethernet(0x0800, ipv4(6, syn_segment(), 5, 1))) == Outcome::fragment);
    CHECK(decode(LinkType::ethernet, ethernet(0x0800, ipv4(17, fill(20), 5, 0x4000 | 3))) == Outcome::fragment);
    // DF alone is no fragment.
    CHECK(decode(LinkType::ethernet, ethernet(0x0800, ipv4(6, syn_segment(), 5, 0x4000))) == Outcome::tcp);
}

TEST_CASE("IPv6 extension header chains", "[decode]") {
    TcpSegment s;
    SECTION("hop-by-hop, routing, destination options") {
        const Bytes chain = cat({ext(43, 0), ext(60, 2), ext(6, 0), syn_segment()});
        REQUIRE(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(0, chain)), s) == Outcome::tcp);
        CHECK(s.tcp_offset == 14 + 40 + 8 + 24 + 8);
        CHECK(s.ip_offset == 14);
        CHECK(s.dst.to_string() == "2001:db8::2");
        CHECK(s.payload_size == 0);
    }
    SECTION("authentication header: length in 4-byte units + 2") {
        Bytes ah = fill(24);  // length field 4: (4 + 2) * 4
        ah[0] = 6;
        ah[1] = 4;
        REQUIRE(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(51, cat({ah, syn_segment()}))), s) == Outcome::tcp);
        CHECK(s.tcp_offset == 14 + 40 + 24);
    }
    SECTION("fragment header") {
        const Bytes first = cat({{6, 0}, be16(0x0001), be32(7)});  // offset 0, M set
        REQUIRE(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(44, cat({first, syn_segment()}))), s) == Outcome::tcp);
        CHECK(s.tcp_offset == 14 + 40 + 8);
        const Bytes later = cat({{6, 0}, be16(185 << 3), be32(7)});
        CHECK(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(44, cat({later, syn_segment()})))) == Outcome::fragment);
    }
    SECTION("ESP, no next header and other protocols end the chain") {
        CHECK(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(50, fill(40)))) == Outcome::not_tcp);
        CHECK(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(0, cat({ext(59, 0), fill(20)})))) == Outcome::not_tcp);
        CHECK(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(58, fill(40)))) == Outcome::not_tcp);
        CHECK(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(17, fill(40)))) == Outcome::not_tcp);
    }
    SECTION("a chain that runs past the captured frame") {
        const Bytes frame = ethernet(0x86DD, ipv6(0, cat({ext(60, 0), ext(6, 30), syn_segment()})));
        CHECK(decode(LinkType::ethernet, prefix(frame, 14 + 40 + 8 + 100)) == Outcome::truncated);
        CHECK(decode(LinkType::ethernet, prefix(frame, 14 + 40 + 1)) == Outcome::truncated);
    }
    SECTION("an extension header longer than the payload length says") {
        Bytes frame = ethernet(0x86DD, ipv6(0, cat({ext(6, 0), syn_segment()})));
        frame[14 + 4] = 0;
        frame[14 + 5] = 4;  // payload length 4, yet the bytes were captured
        CHECK(decode(LinkType::ethernet, frame) == Outcome::malformed);
    }
    SECTION("the chain is bounded") {
        Bytes chain;
        for (int i = 0; i < 16; ++i) chain = cat({chain, ext(60, 0)});
        CHECK(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(60, cat({chain, syn_segment()})))) ==
              Outcome::malformed);
        chain.resize(chain.size() - 8);
        CHECK(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(60, cat({chain, ext(6, 0), syn_segment()})))) ==
              Outcome::tcp);
    }
    SECTION("jumbo payload in a hop-by-hop header") {
        const Bytes hbh = cat({{6, 0, 0xC2, 4}, be32(100000)});
        Bytes frame = ethernet(0x86DD, ipv6(0, cat({hbh, syn_segment(), fill(100)})));
        frame[14 + 4] = 0;
        frame[14 + 5] = 0;
        REQUIRE(decode(LinkType::ethernet, frame, s) == Outcome::tcp);
        CHECK(s.payload_size == 100000 - 8 - 20);
        frame[14 + 40 + 5] = 0;  // jumbo length 0x86a0: must exceed 65535
        CHECK(decode(LinkType::ethernet, frame) == Outcome::malformed);
    }
}

TEST_CASE("IP-in-IP: addresses come from the IP header carrying TCP", "[decode]") {
    const Bytes outer_src = {192, 0, 2, 1};
    const Bytes outer_dst = {192, 0, 2, 2};
    TcpSegment s;
    SECTION("IPv4 in IPv4") {
        const Bytes frame = ethernet(0x0800, ipv4(4, ipv4(6, syn_segment()), 5, 0, outer_src, outer_dst));
        REQUIRE(decode(LinkType::ethernet, frame, s) == Outcome::tcp);
        CHECK(s.src.to_string() == "10.0.0.1");
        CHECK(s.ip_offset == 34);
        CHECK(s.tcp_offset == 54);
        CHECK(s.ip_version == 4);
    }
    SECTION("IPv6 in IPv4 (6in4)") {
        const Bytes frame = ethernet(0x0800, ipv4(41, ipv6(6, syn_segment()), 5, 0, outer_src, outer_dst));
        REQUIRE(decode(LinkType::ethernet, frame, s) == Outcome::tcp);
        CHECK(s.src.to_string() == "2001:db8::1");
        CHECK(s.ip_version == 6);
        CHECK(s.ip_offset == 34);
    }
    SECTION("IPv4 in IPv6, and IPv6 in IPv6 behind an extension header") {
        REQUIRE(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(4, ipv4(6, syn_segment()))), s) == Outcome::tcp);
        CHECK(s.ip_version == 4);
        CHECK(s.ip_offset == 54);
        const Bytes inner = ipv6(6, syn_segment(), v6_dst, v6_src);
        REQUIRE(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(60, cat({ext(41, 0), inner}))), s) == Outcome::tcp);
        CHECK(s.src.to_string() == "2001:db8::2");
        CHECK(s.ip_offset == 14 + 48);
    }
    SECTION("an inner fragment or truncated inner header") {
        CHECK(decode(LinkType::ethernet, ethernet(0x0800, ipv4(4, ipv4(6, syn_segment(), 5, 100)))) ==
              Outcome::fragment);
        const Bytes frame = ethernet(0x0800, ipv4(4, ipv4(6, syn_segment())));
        CHECK(decode(LinkType::ethernet, prefix(frame, 34 + 10)) == Outcome::truncated);
    }
    SECTION("nesting is bounded") {
        Bytes packet = ipv4(6, syn_segment());
        for (int i = 0; i < 7; ++i) packet = ipv4(4, packet);
        CHECK(decode(LinkType::raw, packet) == Outcome::tcp);
        CHECK(decode(LinkType::raw, ipv4(4, packet)) == Outcome::malformed);
    }
}

TEST_CASE("tunnels and quoted headers are not followed", "[decode]") {
    const Bytes inner = eth_ipv4_tcp();
    const Bytes gre = cat({be16(0), be16(0x0800), ipv4(6, syn_segment())});
    CHECK(decode(LinkType::ethernet, ethernet(0x0800, ipv4(47, gre))) == Outcome::not_tcp);
    const Bytes vxlan =
        cat({be16(4789), be16(4789), be16(8 + 8 + static_cast<unsigned>(inner.size())), be16(0), fill(8), inner});
    CHECK(decode(LinkType::ethernet, ethernet(0x0800, ipv4(17, vxlan))) == Outcome::not_tcp);
    const Bytes icmp_error = cat({{3, 3}, be16(0), be32(0), ipv4(6, syn_segment())});
    CHECK(decode(LinkType::ethernet, ethernet(0x0800, ipv4(1, icmp_error))) == Outcome::not_tcp);
    CHECK(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(58, icmp_error))) == Outcome::not_tcp);
}

TEST_CASE("TCP header damage", "[decode]") {
    TcpSegment s;
    Bytes frame = eth_ipv4_tcp();
    SECTION("data offset below 5") {
        frame[34 + 12] = 0x40;
        CHECK(decode(LinkType::ethernet, frame) == Outcome::malformed);
        frame[34 + 12] = 0x00;
        CHECK(decode(LinkType::ethernet, frame) == Outcome::malformed);
    }
    SECTION("fewer than 20 bytes captured") {
        CHECK(decode(LinkType::ethernet, prefix(frame, 34 + 19)) == Outcome::truncated);
        CHECK(decode(LinkType::ethernet, prefix(frame, 34 + 4)) == Outcome::truncated);
        CHECK(decode(LinkType::ethernet, prefix(frame, 34)) == Outcome::truncated);
    }
    SECTION("options past the captured bytes: the fixed header still counts") {
        const Bytes with_options = ethernet(0x0800, ipv4(6, cat({tcp(5, 6, tcp_flag::syn, 0, 5 + 10), fill(8)})));
        REQUIRE(decode(LinkType::ethernet, prefix(with_options, 34 + 24), s) == Outcome::tcp);
        CHECK(s.srcport == 5);
        CHECK(s.syn());
        CHECK(s.tcp_offset == 34);
        CHECK(s.payload_offset == 34 + 60);
        CHECK(s.payload_size == 8);
    }
    SECTION("data offset past the IP length") {
        frame[34 + 12] = 0xF0;  // 60-byte header in a 20-byte segment
        REQUIRE(decode(LinkType::ethernet, frame, s) == Outcome::tcp);
        CHECK(s.payload_size == 0);
        CHECK(s.payload_offset == 34 + 60);
    }
    SECTION("IPv6 segment fields") {
        REQUIRE(decode(LinkType::ethernet, ethernet(0x86DD, ipv6(6, cat({tcp(80, 50000, tcp_flag::fin), fill(7)}))),
                       s) == Outcome::tcp);
        CHECK(s.fin());
        CHECK(s.srcport == 80);
        CHECK(s.dstport == 50000);
        CHECK(s.tcp_offset == 54);
        CHECK(s.payload_offset == 74);
        CHECK(s.payload_size == 7);
        CHECK(s.src == IpAddress::v6(v6_src.data()));
    }
}
