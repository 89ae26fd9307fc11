// SPDX-License-Identifier: MIT
// TraceFlow beyond the reference, on synthetic packets: bidirectional keys,
// the tcp lifecycle, timeouts, eviction, unique labels, statistics and
// bounded-memory streaming.
#include <traceflow/detail/bits/sha1.hpp>
#include <traceflow/trace_flow.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

#include "test_catch.hpp"
#include "test_util.hpp"

using traceflow::EndReason;
using traceflow::Index;
using traceflow::TraceFlow;

namespace {

traceflow::TraceFlowOptions tcp_options() {
    traceflow::TraceFlowOptions o;
    o.keying = traceflow::FlowKeying::bidirectional;
    o.lifecycle = traceflow::Lifecycle::tcp;
    o.statistics = true;
    o.warning = nullptr;
    return o;
}

// A TCP packet between client 10.0.0.1:5000 and server 10.0.0.2:80.
traceflow::Packet<> seg(std::uint64_t index, bool from_client, const char* flags, std::int64_t ms,
                        std::uint32_t seq = 1000, std::uint32_t payload = 0) {
    const std::string f = flags;
    auto p = testutil::make_packet(index, from_client ? "10.0.0.1" : "10.0.0.2", from_client ? 5000 : 80,
                                   from_client ? "10.0.0.2" : "10.0.0.1", from_client ? 80 : 5000,
                                   f.find('S') != std::string::npos, f.find('F') != std::string::npos,
                                   traceflow::Timestamp::from_nanoseconds(ms * 1'000'000), 60);
    p.tcp.ack = f.find('A') != std::string::npos;
    p.tcp.rst = f.find('R') != std::string::npos;
    p.tcp.seq = seq;
    p.tcp.payload_size = payload;
    return p;
}

std::vector<std::uint64_t> frames(std::initializer_list<std::uint64_t> l) { return l; }

}  // namespace

TEST_CASE("bidirectional tcp mode: one flow per connection with its last ACK", "[lifecycle]") {
    TraceFlow<> t(tcp_options());
    t.trace(seg(1, true, "S", 0));
    t.trace(seg(2, false, "SA", 1));
    t.trace(seg(3, true, "A", 2));
    t.trace(seg(4, true, "A", 3, 1001, 10));
    t.trace(seg(5, false, "FA", 4));
    t.trace(seg(6, true, "FA", 5));
    t.trace(seg(7, false, "A", 6));          // the last ACK, inside the linger
    t.trace(seg(8, true, "S", 5000, 9999));  // new connection after the linger
    t.end_of_input();
    const auto index = t.index();
    REQUIRE(index.size() == 2);
    CHECK(index[0].index == frames({1, 2, 3, 4, 5, 6, 7}));
    CHECK(index[0].reason == EndReason::fin);
    CHECK(index[0].label == "10.0.0.1_5000-10.0.0.2_80-0.0");
    REQUIRE(index[0].stats);
    CHECK(index[0].stats->conn_state == "SF");
    CHECK(index[0].stats->history == "ShADfFa");
    CHECK(index[0].stats->packets[0] == 4);
    CHECK(index[0].stats->packets[1] == 3);
    CHECK(index[0].stats->payload[0] == 10);
    CHECK(index[0].stats->community_id == traceflow::community_id(traceflow::IpAddress::v4(0x0A000001u), 5000,
                                                                  traceflow::IpAddress::v4(0x0A000002u), 80));
    CHECK(index[1].index == frames({8}));
    CHECK(index[1].reason == EndReason::end_of_input);
    REQUIRE(index[1].stats);
    CHECK(index[1].stats->conn_state == "S0");
}

TEST_CASE("a SYN with a new sequence number on a live tuple starts a new flow", "[lifecycle]") {
    TraceFlow<> t(tcp_options());
    t.trace(seg(1, true, "S", 0, 100));
    t.trace(seg(2, true, "S", 1000, 100));  // retransmission: same ISN
    t.trace(seg(3, true, "S", 2000, 777));  // port reuse without a visible close
    t.end_of_input();
    const auto index = t.index();
    REQUIRE(index.size() == 2);
    CHECK(index[0].index == frames({1, 2}));
    CHECK(index[0].reason == EndReason::reused);
    CHECK(index[1].index == frames({3}));
}

TEST_CASE("a SYN with a new ISN right after a RST starts a new flow even inside the linger", "[lifecycle]") {
    TraceFlow<> t(tcp_options());
    t.trace(seg(1, true, "S", 0, 100));
    t.trace(seg(2, false, "RA", 1));
    t.trace(seg(3, true, "S", 2, 200));  // a new ISN: a new attempt on the reset tuple
    t.end_of_input();
    const auto index = t.index();
    REQUIRE(index.size() == 2);
    CHECK(index[0].reason == EndReason::rst);
    REQUIRE(index[0].stats);
    CHECK(index[0].stats->conn_state == "REJ");
    CHECK(index[1].index == frames({3}));
}

TEST_CASE("same-ISN rule: a SYN with the flow's own ISN never starts a new flow, even lingering", "[lifecycle][isn]") {
    // After a RST, after both FINs, in both keyings: the copy stays in its flow.
    for (const auto keying : {traceflow::FlowKeying::bidirectional, traceflow::FlowKeying::directional}) {
        for (const char* end : {"RA", "F"}) {
            INFO("keying " << static_cast<int>(keying) << ", end " << end);
            auto options = tcp_options();
            options.keying = keying;
            TraceFlow<> t(options);
            t.trace(seg(1, true, "S", 0, 100));
            t.trace(seg(2, false, std::string(end) == "F" ? "FA" : end, 1));
            t.trace(seg(3, true, "FA", 2));
            t.trace(seg(4, true, "S", 3, 100));  // the same SYN again: a duplicate copy
            t.trace(seg(5, true, "S", 4, 101));  // another ISN: a new connection
            t.end_of_input();
            std::vector<std::vector<std::uint64_t>> groups;
            for (const auto& flow : t.index()) groups.push_back(flow.index);
            std::sort(groups.begin(), groups.end());
            const std::vector<std::uint64_t> last{5};
            REQUIRE_FALSE(groups.empty());
            CHECK(groups.back() == last);  // only the new ISN opened a flow
            bool four_with_one = false;
            for (const auto& g : groups)
                if (std::find(g.begin(), g.end(), 4) != g.end())
                    four_with_one = std::find(g.begin(), g.end(), 1) != g.end();
            CHECK(four_with_one);
        }
    }
}

TEST_CASE("active timeout cuts long flows in capture time", "[lifecycle]") {
    auto o = tcp_options();
    o.active_timeout = std::chrono::seconds(10);
    TraceFlow<> t(o);
    for (int i = 0; i < 25; ++i) t.trace(seg(static_cast<std::uint64_t>(i + 1), true, "A", i * 1000));
    t.end_of_input();
    const auto index = t.index();
    REQUIRE(index.size() == 3);
    CHECK(index[0].reason == EndReason::active);
    CHECK(index[0].index.size() == 10);
    CHECK(index[1].index.size() == 10);
    CHECK(index[2].reason == EndReason::end_of_input);
}

TEST_CASE("max_flows evicts the least recently seen flow", "[lifecycle]") {
    auto o = tcp_options();
    o.max_flows = 2;
    TraceFlow<> t(o);
    t.trace(testutil::make_packet(1, "1.1.1.1", 1, "2.2.2.2", 2));
    t.trace(testutil::make_packet(2, "3.3.3.3", 3, "4.4.4.4", 4));
    t.trace(testutil::make_packet(3, "1.1.1.1", 1, "2.2.2.2", 2));  // refreshes flow 1
    t.trace(testutil::make_packet(4, "5.5.5.5", 5, "6.6.6.6", 6));  // evicts flow 2
    CHECK(t.open_count() == 2);
    REQUIRE(t.closed().size() == 1);
    CHECK(t.closed()[0].reason == EndReason::evicted);
    CHECK(t.closed()[0].index == frames({2}));
}

TEST_CASE("idle timeout in pcapkit mode ends quiet flows", "[lifecycle]") {
    traceflow::TraceFlowOptions o;
    o.warning = nullptr;
    o.idle_timeout = std::chrono::seconds(5);
    TraceFlow<> t(o);
    t.trace(testutil::make_packet(1, "1.1.1.1", 1, "2.2.2.2", 2, false, false, {100, 0}));
    t.trace(testutil::make_packet(2, "3.3.3.3", 3, "4.4.4.4", 4, false, false, {103, 0}));
    t.trace(testutil::make_packet(3, "3.3.3.3", 3, "4.4.4.4", 4, false, false, {106, 0}));
    REQUIRE(t.closed().size() == 1);
    CHECK(t.closed()[0].index == frames({1}));
    CHECK(t.closed()[0].reason == EndReason::idle);
}

TEST_CASE("labels never repeat: a second flow in the same microsecond gets a generation", "[lifecycle]") {
    traceflow::TraceFlowOptions o;
    o.warning = nullptr;
    TraceFlow<> t(o);
    t.trace(testutil::make_packet(1, "1.1.1.1", 1, "2.2.2.2", 2, false, true, {1'600'000'000, 0}));
    t.trace(testutil::make_packet(2, "1.1.1.1", 1, "2.2.2.2", 2, false, true, {1'600'000'000, 0}));
    // 100 ns later prints the same (the double nearest is the same).
    t.trace(testutil::make_packet(3, "1.1.1.1", 1, "2.2.2.2", 2, false, true, {1'600'000'000, 100}));
    t.trace(testutil::make_packet(4, "1.1.1.1", 1, "2.2.2.2", 2, false, true, {1'600'000'000, 500'000}));
    const auto index = t.index();
    REQUIRE(index.size() == 4);
    CHECK(index[0].label == "1.1.1.1_1-2.2.2.2_2-1600000000.0");
    CHECK(index[1].label == "1.1.1.1_1-2.2.2.2_2-1600000000.0-g2");
    CHECK(index[2].label == "1.1.1.1_1-2.2.2.2_2-1600000000.0-g3");
    CHECK(index[3].label == "1.1.1.1_1-2.2.2.2_2-1600000000.0005");
}

TEST_CASE("VLAN and interface can be part of the key", "[lifecycle]") {
    auto a = testutil::make_packet(1, "1.1.1.1", 1, "2.2.2.2", 2);
    auto b = a;
    b.index = 2;
    b.tcp.vlan = 20;
    auto c = a;
    c.index = 3;
    c.tcp.interface_id = 1;
    traceflow::TraceFlowOptions o;
    o.warning = nullptr;
    {
        TraceFlow<> t(o);
        for (const auto& p : {a, b, c}) t.trace(p);
        CHECK(t.open_count() == 1);
    }
    o.key_vlan = true;
    o.key_interface = true;
    TraceFlow<> t(o);
    for (const auto& p : {a, b, c}) t.trace(p);
    CHECK(t.open_count() == 3);
}

TEST_CASE("streaming: with keep_closed off, memory holds live flows only", "[lifecycle]") {
    auto o = tcp_options();
    o.keep_closed = false;
    TraceFlow<> t(o);
    std::size_t ended = 0;
    std::size_t opened = 0;
    t.register_callback([&](const Index& i) {
        ++ended;
        CHECK(i.index.size() == 3);
    });
    t.register_open_callback([&](const traceflow::Buffer& b) {
        ++opened;
        CHECK(b.index.empty());
    });
    std::uint64_t n = 0;
    for (std::uint16_t port = 1; port <= 2000; ++port) {
        // Client SYN, client FIN, server FIN: a complete (if odd) connection.
        const bool from_client[] = {true, true, false};
        const char* flags[] = {"S", "FA", "FA"};
        for (int k = 0; k < 3; ++k) {
            ++n;
            auto p = seg(n, from_client[k], flags[k], static_cast<std::int64_t>(n));
            (from_client[k] ? p.srcport : p.dstport) = port;
            t.trace(p);
        }
    }
    t.end_of_input();
    CHECK(opened == 2000);
    CHECK(ended == 2000);
    CHECK(t.closed().empty());
    CHECK(t.index().empty());
}

TEST_CASE("a throwing callback leaves the tracer consistent", "[lifecycle]") {
    traceflow::TraceFlowOptions o;
    o.warning = nullptr;
    TraceFlow<> t(o);
    t.register_callback([](const Index&) { throw std::runtime_error("callback failed"); });
    t.trace(testutil::make_packet(1, "1.1.1.1", 1, "2.2.2.2", 2));
    CHECK_THROWS_AS(t.trace(testutil::make_packet(2, "1.1.1.1", 1, "2.2.2.2", 2, false, true)), std::runtime_error);
    CHECK(t.open_count() == 0);
    REQUIRE(t.closed().size() == 1);
    CHECK(t.closed()[0].index == frames({1, 2}));
    t.trace(testutil::make_packet(3, "1.1.1.1", 1, "2.2.2.2", 2));
    CHECK(t.open_count() == 1);
}

TEST_CASE("Community ID v1 matches the published vectors", "[lifecycle][community_id]") {
    using traceflow::IpAddress;
    // From the Community ID spec's baseline, as used by Zeek's tests.
    CHECK(traceflow::community_id(*IpAddress::parse("1.2.3.4"), 1122, *IpAddress::parse("5.6.7.8"), 3344) ==
          "1:wCb3OG7yAFWelaUydu0D+125CLM=");
    CHECK(traceflow::community_id(*IpAddress::parse("5.6.7.8"), 3344, *IpAddress::parse("1.2.3.4"), 1122) ==
          "1:wCb3OG7yAFWelaUydu0D+125CLM=");
    CHECK(traceflow::community_id(*IpAddress::parse("1.2.3.4"), 1122, *IpAddress::parse("5.6.7.8"), 3344, 17) ==
          "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=");
    CHECK(traceflow::community_id(*IpAddress::parse("1.2.3.4"), 1, *IpAddress::parse("::1"), 2).empty());
}

TEST_CASE("SHA-1 under Community ID matches FIPS 180 and Python's hashlib", "[lifecycle][community_id]") {
    const auto hex_sha1 = [](const std::string& message) {
        const auto digest =
            traceflow::detail::bits::sha1(reinterpret_cast<const std::uint8_t*>(message.data()), message.size());
        std::string hex;
        for (const std::uint8_t byte : digest)
            hex += "0123456789abcdef"[byte >> 4], hex += "0123456789abcdef"[byte & 15];
        return hex;
    };
    // Lengths around the block edges: the padding fits the last block (55),
    // spills into a second (56), or follows a whole block (64); and many blocks.
    CHECK(hex_sha1("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(hex_sha1("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(hex_sha1(std::string(55, 'a')) == "c1c8bbdc22796e28c0e15163d20899b65621d65a");
    CHECK(hex_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(hex_sha1(std::string(64, 'a')) == "0098ba824b5c16427bd7a1122a5a442a25ec644d");
    CHECK(hex_sha1(std::string(1000000, 'a')) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    const std::uint8_t bytes[] = {0, 1, 2, 3, 0xff, 0xfe};
    CHECK(traceflow::detail::bits::base64(bytes, 4) == "AAECAw==");
    CHECK(traceflow::detail::bits::base64(bytes + 4, 2) == "//4=");
    CHECK(traceflow::detail::bits::base64(bytes, 0).empty());
}

TEST_CASE("directional tcp mode: a self-connection replaced by a new SYN ends once, other flows stay", "[lifecycle]") {
    // 10.0.0.9:7000 -> 10.0.0.9:7000 is its own reverse direction.
    auto self = [](std::uint64_t index, bool syn, bool fin, std::int64_t ms, std::uint32_t seq) {
        auto p = testutil::make_packet(index, "10.0.0.9", 7000, "10.0.0.9", 7000, syn, fin,
                                       traceflow::Timestamp::from_nanoseconds(ms * 1'000'000), 60);
        p.tcp.seq = seq;
        return p;
    };
    auto o = tcp_options();
    o.keying = traceflow::FlowKeying::directional;
    TraceFlow<> t(o);
    t.trace(seg(1, true, "S", 0));  // another connection, open throughout
    t.trace(self(2, true, false, 1, 100));
    t.trace(self(3, false, true, 2, 101));  // its FIN: lingering
    t.trace(self(4, true, false, 3, 500));  // a new connection on the same tuple
    t.trace(seg(5, true, "A", 4));
    CHECK(t.open_count() == 2);
    const auto index = t.index();
    REQUIRE(index.size() == 3);
    CHECK(index[0].index == frames({1, 5}));
    CHECK(index[1].index == frames({4}));
    CHECK(index[1].reason == EndReason::open);
    CHECK(index[2].index == frames({2, 3}));
    CHECK(index[2].reason == EndReason::fin);
    std::size_t opened = 0;
    for (const auto& flow : t.open_flows()) opened += flow.index.size();
    CHECK(opened == 3);
}

TEST_CASE("timeouts end flows lingers first, then idle ones, then active ones, also when time steps back",
          "[lifecycle]") {
    // idle 10 s, active 12 s. L opens at 0 s, M at 1 s; L is seen at 6 s, M at 2 s
    // (time stepped back). At 15 s both are open too long: both end as
    // active, in opening order, though M is idle by then too once L is gone.
    auto at = [](std::uint64_t index, std::uint16_t port, std::int64_t s) {
        return testutil::make_packet(index, "10.0.0.1", port, "10.0.0.2", 80, false, false, {s, 0});
    };
    traceflow::TraceFlowOptions o;
    o.warning = nullptr;
    o.idle_timeout = std::chrono::seconds(10);
    o.active_timeout = std::chrono::seconds(12);
    TraceFlow<> t(o);
    t.trace(at(1, 1000, 0));
    t.trace(at(2, 2000, 1));
    t.trace(at(3, 1000, 6));
    t.trace(at(4, 2000, 2));
    t.trace(at(5, 3000, 15));
    const auto index = t.index();
    REQUIRE(index.size() == 3);
    CHECK(index[0].index == frames({5}));
    CHECK(index[1].index == frames({1, 3}));
    CHECK(index[1].reason == EndReason::active);
    CHECK(index[2].index == frames({2, 4}));
    CHECK(index[2].reason == EndReason::active);
}
