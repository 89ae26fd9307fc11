// SPDX-License-Identifier: MIT
// Filter byte tests (tcp[tcpflags] & tcp-syn != 0, tcp[N:M]) as tcpdump
// computes them on IPv4, and service names (port http, portrange ftp-data-ssh).
#include <traceflow/decode/decoder.hpp>
#include <traceflow/filter/filter.hpp>
#include <traceflow/packet.hpp>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "filter_errors.hpp"
#include "frame_builder.hpp"
#include "test_catch.hpp"

using testutil::Bytes;
using traceflow::ByteView;
using traceflow::filter::Filter;
using traceflow::filter::FilterError;

namespace {

/// An Ethernet/IPv4 frame of one TCP segment 10.0.0.1:sport > 10.0.0.2:dport.
Bytes frame4(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags, const Bytes& payload = {},
             unsigned words = 5) {
    return testutil::ethernet(
        0x0800, testutil::ipv4(6, testutil::cat({testutil::tcp(sport, dport, flags, 0, words), payload})));
}

/// A decoded frame and the filter's verdicts on it.
struct Decoded {
    Bytes bytes;
    traceflow::decode::TcpSegment seg;

    explicit Decoded(Bytes b) : bytes(std::move(b)) {
        REQUIRE(traceflow::decode::decode_tcp(traceflow::LinkType::ethernet, view(), seg) ==
                traceflow::decode::Outcome::tcp);
    }
    ByteView view() const { return ByteView{bytes.data(), bytes.size()}; }
    /// With the frame: as tcpdump sees it.
    bool match(const char* expr) const { return Filter(expr).matches(seg, view()); }
    /// Without the frame: only tcp[0..11] and tcp[13] are known.
    bool match_fields(const char* expr) const { return Filter(expr).matches(seg); }
    /// As a traced packet: the frame is decoded again when the filter needs it.
    bool match_packet(const char* expr) const {
        traceflow::Packet<> p;
        p.frame.bytes = bytes;
        p.src = seg.src;
        p.dst = seg.dst;
        p.srcport = seg.srcport;
        p.dstport = seg.dstport;
        p.syn = seg.syn();
        p.fin = seg.fin();
        p.tcp.flags = seg.flags;
        p.tcp.seq = seg.seq;
        p.tcp.ack_number = seg.ack;
        p.tcp.vlan = seg.vlan_outer;
        return Filter(expr).matches_packet(p);
    }
};

}  // namespace

TEST_CASE("filter bytes: tcp[tcpflags] and the flag constants", "[filter][bytes]") {
    const Decoded syn(frame4(40000, 80, 0x02));
    const Decoded synack(frame4(80, 40000, 0x12));
    const Decoded ack(frame4(40000, 80, 0x10));
    const Decoded finack(frame4(40000, 80, 0x11));
    const char* const syn_or_fin = "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0";
    for (const Decoded* d : {&syn, &synack, &finack}) {
        CHECK(d->match(syn_or_fin));
        CHECK(d->match_fields(syn_or_fin));
        CHECK(d->match_packet(syn_or_fin));
    }
    CHECK_FALSE(ack.match(syn_or_fin));
    CHECK_FALSE(ack.match_fields(syn_or_fin));
    CHECK_FALSE(ack.match_packet(syn_or_fin));
    CHECK_FALSE(Filter(syn_or_fin).needs_frame());

    CHECK(syn.match("tcp[13] = 2"));
    CHECK(syn.match("tcp[13] == tcp-syn"));
    CHECK(syn.match("2 = tcp[13]"));
    CHECK_FALSE(synack.match("tcp[13] = 2"));
    CHECK(synack.match("tcp[13] & 0x12 = 0x12"));  // the comparison binds loosest, as in pcap
    CHECK(synack.match("tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)"));
    CHECK(synack.match("tcp[13]&2!=0"));  // no spaces needed
    CHECK(syn.match("tcp[13]-1 = 1"));
    CHECK(finack.match("tcp[tcpflags] & tcp-fin != 0 and tcp[tcpflags] & tcp-ack != 0"));
    CHECK(finack.match("not tcp[tcpflags] & tcp-rst != 0"));
    CHECK(ack.match("tcp[13] > 0x0f and tcp[13] < 0x11 and tcp[13] >= 16 and tcp[13] <= 16"));
    CHECK(ack.match("(tcp[13] & 3) = 0"));
    CHECK(ack.match("((tcp[13] & 3) = 0 and port 80)"));
    CHECK(ack.match("( (tcp[13]) & (tcp-push | tcp-urg | tcp-ece | tcp-cwr) ) = 0"));

    // Every flag byte: the filter agrees with the bits, with and without the frame.
    for (unsigned flags = 0; flags < 256; ++flags) {
        INFO(flags);
        const Decoded d(frame4(1, 2, static_cast<std::uint8_t>(flags)));
        const bool expected = (flags & 0x03) != 0;
        CHECK(d.match(syn_or_fin) == expected);
        CHECK(d.match_fields(syn_or_fin) == expected);
        CHECK(d.match(("tcp[tcpflags] = " + std::to_string(flags)).c_str()));
        CHECK(d.match_fields("tcp[13] & tcp-cwr != 0 or tcp[13] & tcp-ece != 0") == ((flags & 0xC0) != 0));
    }
}

TEST_CASE("filter bytes: tcp[N:M] reads the TCP header big-endian, as tcpdump", "[filter][bytes]") {
    // tcp(40000, 80, SYN): seq 1000, ack 2000, data offset 5, window 65535, checksum 0.
    const Decoded d(frame4(40000, 80, 0x02));
    CHECK(d.match("tcp[0:2] = 40000"));
    CHECK(d.match("tcp[2:2] = 80 and tcp[2] = 0 and tcp[3] = 80"));
    CHECK(d.match("tcp[0:4] = 0x9c400050"));
    CHECK(d.match("tcp[4:4] = 1000 and tcp[8:4] = 2000"));
    CHECK(d.match("tcp[12] = 0x50 and tcp[12] >> 4 = 5 and tcp[12:1] & 0xf0 = 80"));
    CHECK(d.match("tcp[14:2] = 0xffff and tcp[16:2] = 0 and tcp[18:2] = 0"));
    CHECK(d.match("tcp[12:2] = 0x5002"));
    CHECK(d.match("tcp[3 * 4] = 0x50 and tcp[tcpflags - 1] = 0x50"));
    CHECK_FALSE(d.match("tcp[2:2] = 81"));
    // Without the frame, bytes 0..11 and 13 come from the fields; the others reject.
    CHECK(d.match_fields("tcp[0:4] = 0x9c400050 and tcp[4:4] = 1000 and tcp[8:4] = 2000 and tcp[13] = 2"));
    CHECK_FALSE(d.match_fields("tcp[12] = 0x50"));
    CHECK_FALSE(d.match_fields("not tcp[12] = 0x50"));
    CHECK_FALSE(Filter("tcp[11] = 0").needs_frame());
    CHECK(Filter("tcp[11:2] = 0").needs_frame());
    CHECK(Filter("tcp[12] = 0").needs_frame());
    CHECK(Filter("tcp[tcp[0]] = 0").needs_frame());
    // A traced packet finds its TCP header in its frame.
    CHECK(d.match_packet("tcp[12] = 0x50 and tcp[14:2] = 65535"));
    CHECK_FALSE(d.match_packet("tcp[12] = 0x60"));

    // The captured bytes run to the end of the frame: the payload, then the Ethernet padding.
    const Decoded get(frame4(40000, 80, 0x18, {'G', 'E', 'T', ' ', '/'}, 8));
    const char* const http_get = "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420";  // tcpdump's classic
    CHECK(get.match(http_get));
    CHECK(get.match_packet(http_get));
    CHECK_FALSE(d.match(http_get));      // 20 bytes captured from the header on: past the end
    CHECK(get.match("tcp[20] = 1"));     // a NOP option
    CHECK(get.match("tcp[36] = 0x2f"));  // the last captured byte
    CHECK_FALSE(get.match("tcp[36:2] = 0x2f00"));
    Bytes padded = frame4(40000, 80, 0x02);
    padded.resize(60, 0);  // Ethernet's minimum frame
    const Decoded pad(padded);
    CHECK(pad.match("tcp[20:4] = 0 and tcp[25] = 0"));
    CHECK_FALSE(pad.match("tcp[26] = 0"));
}

TEST_CASE("filter bytes: a byte past the captured bytes rejects the packet, as BPF", "[filter][bytes]") {
    const Decoded d(frame4(40000, 80, 0x02));  // 20 bytes from the TCP header on
    CHECK(d.match("tcp[19] = 0"));
    CHECK_FALSE(d.match("tcp[20] = 0"));
    CHECK_FALSE(d.match("tcp[20] != 0"));
    CHECK_FALSE(d.match("not tcp[20] = 0"));
    CHECK_FALSE(d.match("not (port 80 and tcp[20] = 0)"));
    CHECK_FALSE(d.match("tcp[18:4] = 0"));
    CHECK_FALSE(d.match("tcp[4294967295:4] = 0"));
    // Tests run left to right, as tcpdump's code: a test reached first decides.
    CHECK(d.match("port 80 or tcp[20] = 0"));
    CHECK_FALSE(d.match("tcp[20] = 0 or port 80"));
    // A division by zero found while matching rejects too.
    CHECK_FALSE(d.match("tcp[16:2] / tcp[16:2] = 1"));
    CHECK_FALSE(d.match("not tcp[16:2] % tcp[16:2] = 1"));
}

TEST_CASE("filter bytes: arithmetic as libpcap (32-bit unsigned, C precedence)", "[filter][bytes]") {
    const Decoded d(frame4(40000, 80, 0x02));
    CHECK(d.match("1 + 2 * 3 = 7"));
    CHECK(d.match("(1 + 2) * 3 = 9"));
    CHECK(d.match("6 | 1 ^ 3 & 2 = 7"));  // 6 | (1 ^ (3 & 2))
    CHECK(d.match("1 << 4 = 16 and 0x100 >> 4 = 16 and 0x10 = 16 and 0X10 = 16 and 020 = 16"));
    CHECK(d.match("7 / 2 = 3 and 7 % 2 = 1 and 10 - 3 - 2 = 5 and 64 / 4 / 2 = 8"));
    CHECK(d.match("2 - 3 = 4294967295 and -1 = 0xffffffff and - - 5 = 5"));
    CHECK(d.match("-tcp[13] = 0xfffffffe"));
    CHECK(d.match("tcp[13] << 31 = 0 and tcp[13] << 32 = 0 and tcp[13] >> tcp[13] = 0"));
    CHECK(d.match("tcp[13] * 0x80000000 = 0 and tcp[0:2] + tcp[2:2] = 40080 and tcp[2:2] - tcp[0:2] = 4294927376"));
    CHECK(d.match("tcp[0:2] % 7 = 2 and tcp[0:2] / 1000 = 40"));
    CHECK(d.match("tcp[13] ^ 3 = 1 and tcp[13] | 0x10 = 0x12"));
    CHECK_FALSE(d.match("1 = 2"));
    CHECK(d.match("tcp[13] = 2 and port 80 or port 1"));  // still `and`/`or` left to right
}

TEST_CASE("filter bytes: tcp[] is the TCP header on IPv6 and behind VLAN tags too", "[filter][bytes]") {
    const Bytes seg6 = testutil::tcp(443, 50000, 0x11, 0, 6);
    const Decoded v6(testutil::ethernet(0x86DD, testutil::ipv6(6, seg6)));
    CHECK(v6.match("tcp[13] = 0x11 and tcp[0:2] = 443 and tcp[12] >> 4 = 6 and tcp[20:4] = 0x01010101"));
    CHECK(v6.match_packet("ip6 and tcp[12] = 0x60 and tcp[tcpflags] & tcp-fin != 0"));
    const Decoded tagged(
        testutil::ethernet(0x8100, testutil::cat({testutil::vlan_tag(7, 0x0800),
                                                  testutil::ipv4(6, testutil::tcp(1, 2, 0x04, 0, 5, 0xdeadbeef))})));
    CHECK(tagged.match("vlan 7 and tcp[4:4] = 0xdeadbeef and tcp[12] = 0x50 and tcp[13] = tcp-rst"));
    CHECK(tagged.match_packet("tcp[4:4] = 0xdeadbeef and tcp[12] = 0x50"));
}

TEST_CASE("filter bytes: mistakes name the word", "[filter][bytes]") {
    struct Case {
        const char* expr;
        const char* word;
        std::size_t position;
        const char* says;
    };
    const Case cases[] = {
        {"tcp[13] & 2", "", 11, "expected a comparison"},
        {"tcp[13] & 2 and port 80", "and", 12, "expected a comparison"},
        {"tcp[13:3] = 1", "3", 7, "1, 2 or 4"},
        {"tcp[13 = 2", "=", 7, "expected ']'"},
        {"ip[0] = 0x45", "ip", 0, "only the TCP header"},
        {"udp[0] = 1", "udp", 0, "only the TCP header"},
        {"tcp[13] = 5000000000", "5000000000", 10, "expected a number"},
        {"tcp[13] = 08", "08", 10, "expected a number"},
        {"tcp[13] = tcp-bogus", "tcp-bogus", 10, "expected a number"},
        {"tcp[13] / 0 = 1", "/", 8, "division by zero"},
        {"(tcp[13] & 3) != ", "", 17, "expected a number"},
        {"port nosuchservice", "nosuchservice", 5, "unknown service name"},
        {"port 80 or nosuchservice", "nosuchservice", 11, "unknown service name"},
        {"portrange http-nosuch", "http-nosuch", 10, "port range"},
        {"portrange http", "http", 10, "port range"},
    };
    for (const Case& c : cases) {
        INFO(c.expr);
        const FilterError e = testutil::filter_error_of(c.expr);
        CHECK(e.word() == c.word);
        CHECK(e.position() == c.position);
        CHECK(std::string(e.what()).find(c.says) != std::string::npos);
        if (*c.word != '\0') CHECK(std::string(e.what()).find(c.word) != std::string::npos);
    }
    CHECK_THROWS_AS(Filter(std::string(1000, '-') + "1 = 1"), FilterError);  // deep, not a stack overflow
    CHECK_THROWS_AS(Filter("tcp[" + std::string(1000, '(') + "1"), FilterError);
    std::string deep_right = "1";
    for (int i = 0; i < 70; ++i) deep_right = "1 + (" + deep_right + ")";
    CHECK_THROWS_AS(Filter(deep_right + " = 1"), FilterError);  // more values than the run's stack holds
    std::string long_left = "1";
    for (int i = 0; i < 70; ++i) long_left = "tcp[0] + " + long_left;
    CHECK_NOTHROW(Filter(long_left + " = 1"));  // left to right needs two values at a time
}

TEST_CASE("filter bytes: service names from /etc/services, else a built-in table", "[filter][services]") {
    namespace f = traceflow::detail::filtering;
    std::istringstream services(
        "# comment\n"
        "http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP\n"
        "domain\t\t53/udp\n"
        "domain\t\t53/tcp\n"
        "http-alt\t8080/tcp\twebcache\n"
        "broken\tx/tcp\n"
        "\n"
        "  spaced   1234/tcp   alias-one alias-two   \n");
    const std::vector<f::Service> parsed = f::parse_services(services);
    REQUIRE(parsed.size() == 8);
    CHECK(parsed[0].name == "http");
    CHECK(parsed[0].port == 80);
    CHECK(parsed[1].name == "www");
    CHECK(parsed[2].name == "domain");
    CHECK(parsed[2].port == 53);
    CHECK(parsed[4].name == "webcache");
    CHECK(parsed[4].port == 8080);
    CHECK(parsed[7].name == "alias-two");
    CHECK(parsed[7].port == 1234);
    // Without the file, the built-in table answers.
    CHECK(f::service_port("http", "/nonexistent/services") == 80);
    CHECK(f::service_port("https", "/nonexistent/services") == 443);
    CHECK(f::service_port("http-alt", "/nonexistent/services") == 8080);
    CHECK(f::service_port("ssh", "/nonexistent/services") == 22);
    CHECK(f::service_port("domain", "/nonexistent/services") == 53);
    CHECK(f::service_port("smtp", "/nonexistent/services") == 25);
    CHECK_FALSE(f::service_port("nosuchservice", "/nonexistent/services"));
    CHECK_FALSE(f::service_port("HTTP", "/nonexistent/services"));  // names are case-sensitive
}

TEST_CASE("filter bytes: port NAME is port NUMBER", "[filter][services]") {
    const Decoded web(frame4(40000, 80, 0x02));
    const Decoded alt(frame4(8080, 51000, 0x10));
    const Decoded tls(frame4(50000, 443, 0x10));
    CHECK(web.match("port http"));
    CHECK(web.match("dst port http"));
    CHECK_FALSE(web.match("src port http"));
    CHECK(web.match("tcp dst port http and tcp[13] = tcp-syn"));
    CHECK(alt.match("port http-alt"));
    CHECK(alt.match("src port http-alt"));
    CHECK_FALSE(alt.match("dst port http-alt"));
    CHECK(tls.match("port http or https"));  // a bare name repeats `port`
    CHECK_FALSE(tls.match("port http or ssh"));
    CHECK(web.match("portrange http-https"));
    CHECK(tls.match("portrange http-https"));
    CHECK(web.match("portrange 1-http"));
    CHECK(alt.match("portrange https-http-alt"));  // split where both ends are ports
    CHECK_FALSE(alt.match("portrange ssh-http"));
    CHECK(tls.match("portrange https-http"));  // reversed, as libpcap accepts
    const auto same = [](const char* a, const char* b) {
        const Filter fa(a);
        const Filter fb(b);
        REQUIRE(fa.program().code.size() == fb.program().code.size());
        for (std::size_t i = 0; i < fa.program().code.size(); ++i) {
            CHECK(fa.program().code[i].port_low == fb.program().code[i].port_low);
            CHECK(fa.program().code[i].port_high == fb.program().code[i].port_high);
            CHECK(fa.program().code[i].direction == fb.program().code[i].direction);
        }
    };
    same("port http-alt", "port 8080");
    same("src port https", "src port 443");
    same("portrange ssh-http", "portrange 22-80");
}
