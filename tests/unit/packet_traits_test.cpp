// SPDX-License-Identifier: MIT
// packet_traits: a decoded struct that cannot change, and one with member
// functions, trace exactly as Packet<> does, in every mode.
#include <traceflow/trace_flow.hpp>
#include <traceflow/traits/packet_traits.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <sys/time.h>

#include "test_catch.hpp"
#include "test_util.hpp"

namespace {

// What a hand-written decoder gives: no pcapkit name in sight.
struct Decoded {
    timeval ts{};
    std::uint8_t flags = 0;  // TCP flags byte
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    bool v6 = false;
    std::array<std::uint8_t, 16> saddr{};
    std::array<std::uint8_t, 16> daddr{};
    std::uint64_t number = 0;
    std::uint32_t sequence = 0;
    std::vector<std::uint8_t> bytes;
};

// Member functions of the seed's names (and no data members of them).
class Accessors {
public:
    explicit Accessors(traceflow::Packet<> p) : p_(std::move(p)) {}
    traceflow::LinkType protocol() const { return p_.protocol; }
    std::uint64_t index() const { return p_.index; }
    const traceflow::Frame& frame() const { return p_.frame; }
    bool syn() const { return p_.syn; }
    bool fin() const { return p_.fin; }
    bool rst() const { return p_.tcp.rst; }
    bool ack() const { return p_.tcp.ack; }
    std::uint32_t seq() const { return p_.tcp.seq; }
    const traceflow::IpAddress& src() const { return p_.src; }
    const traceflow::IpAddress& dst() const { return p_.dst; }
    int srcport() const { return p_.srcport; }  // int ports, as the README's own example
    int dstport() const { return p_.dstport; }
    traceflow::Timestamp timestamp() const { return p_.timestamp; }

private:
    traceflow::Packet<> p_;
};

}  // namespace

template <>
struct traceflow::packet_traits<Decoded> {
    static traceflow::LinkType protocol(const Decoded&) { return traceflow::LinkType::ethernet; }
    static std::uint64_t index(const Decoded& d) { return d.number; }
    static const std::vector<std::uint8_t>& frame(const Decoded& d) { return d.bytes; }
    static bool syn(const Decoded& d) { return (d.flags & 0x02) != 0; }
    static bool fin(const Decoded& d) { return (d.flags & 0x01) != 0; }
    static bool rst(const Decoded& d) { return (d.flags & 0x04) != 0; }
    static bool ack(const Decoded& d) { return (d.flags & 0x10) != 0; }
    static std::uint32_t seq(const Decoded& d) { return d.sequence; }
    static traceflow::IpAddress src(const Decoded& d) {
        return d.v6 ? traceflow::IpAddress::v6(d.saddr.data()) : traceflow::IpAddress::v4(d.saddr.data());
    }
    static traceflow::IpAddress dst(const Decoded& d) {
        return d.v6 ? traceflow::IpAddress::v6(d.daddr.data()) : traceflow::IpAddress::v4(d.daddr.data());
    }
    static std::uint16_t srcport(const Decoded& d) { return d.sport; }
    static std::uint16_t dstport(const Decoded& d) { return d.dport; }
    static std::chrono::microseconds timestamp(const Decoded& d) {
        return std::chrono::seconds(d.ts.tv_sec) + std::chrono::microseconds(d.ts.tv_usec);
    }
};

namespace {

static_assert(traceflow::detail::meta::packet_has_rst<Decoded> && traceflow::detail::meta::packet_has_seq<Decoded>);
static_assert(!traceflow::detail::meta::packet_has_vlan<Decoded>);
static_assert(traceflow::detail::meta::packet_has_ack<Accessors>);

// Connections opening, talking, ending by FIN or RST, ports reused, v4 and v6.
std::vector<traceflow::Packet<>> traffic(std::mt19937& rng) {
    std::vector<traceflow::Packet<>> out;
    std::uniform_int_distribution<int> percent(0, 99);
    const char* const hosts[] = {"10.0.0.1", "10.0.0.2", "2001:db8::1", "2001:db8::2"};
    for (std::uint64_t i = 1; i <= 600; ++i) {
        const int c = percent(rng) % 6;
        const bool v6 = c >= 3;
        const bool reply = percent(rng) < 50;
        const auto cport = static_cast<std::uint16_t>(40000 + c);
        const traceflow::Timestamp ts{1'700'000'000 + static_cast<std::int64_t>(i / 10),
                                      static_cast<std::uint32_t>(i % 10) * 100'000'000u};
        const char* client = hosts[v6 ? 2 : 0];
        const char* server = hosts[v6 ? 3 : 1];
        auto p = reply ? testutil::make_packet(i, server, 443, client, cport, false, false, ts)
                       : testutil::make_packet(i, client, cport, server, 443, false, false, ts);
        const int kind = percent(rng);
        p.syn = kind < 8;
        p.fin = kind >= 8 && kind < 14;
        p.tcp.rst = kind >= 14 && kind < 17;
        p.tcp.ack = !(p.syn && !reply);
        p.tcp.seq = static_cast<std::uint32_t>(rng());
        out.push_back(std::move(p));
    }
    return out;
}

Decoded decoded(const traceflow::Packet<>& p) {
    Decoded d;
    d.ts.tv_sec = static_cast<time_t>(p.timestamp.sec);
    d.ts.tv_usec = static_cast<suseconds_t>(p.timestamp.nsec / 1000);
    d.flags = static_cast<std::uint8_t>((p.fin ? 0x01 : 0) | (p.syn ? 0x02 : 0) | (p.tcp.rst ? 0x04 : 0) |
                                        (p.tcp.ack ? 0x10 : 0));
    d.sport = p.srcport;
    d.dport = p.dstport;
    d.v6 = !p.src.is_v4();
    std::copy(p.src.data(), p.src.data() + (d.v6 ? 16 : 4), d.saddr.begin());
    std::copy(p.dst.data(), p.dst.data() + (d.v6 ? 16 : 4), d.daddr.begin());
    d.number = p.index;
    d.sequence = p.tcp.seq;
    d.bytes.assign(p.frame.bytes.begin(), p.frame.bytes.end());
    return d;
}

template <typename P>
std::vector<std::string> traced(const std::vector<P>& packets, const traceflow::TraceFlowOptions& options) {
    traceflow::TraceFlow<P> tracer(options);
    for (const P& p : packets) tracer.dump(p);
    if (options.lifecycle == traceflow::Lifecycle::tcp) tracer.end_of_input();
    std::vector<std::string> out;
    for (const auto& f : tracer.index()) {
        std::string line = std::to_string(f.number) + " " + f.label + " " + traceflow::to_string(f.reason) + " [";
        for (const auto n : f.index) line += std::to_string(n) + ",";
        line += "]";
        if (f.stats) line += " " + f.stats->history + " " + f.stats->community_id;
        out.push_back(line);
    }
    return out;
}

}  // namespace

TEST_CASE("packet_traits: a struct read through a specialisation traces as Packet<> in every mode", "[traits]") {
    std::mt19937 rng(28);
    const auto packets = traffic(rng);
    std::vector<Decoded> mine;
    std::vector<Accessors> with_functions;
    for (const auto& p : packets) {
        mine.push_back(decoded(p));
        with_functions.emplace_back(p);
    }
    traceflow::TraceFlowOptions o;
    o.warning = nullptr;
    for (int mode = 0; mode < 3; ++mode) {
        INFO("mode " << mode);
        if (mode >= 1) {
            o.keying = traceflow::FlowKeying::bidirectional;
            o.lifecycle = traceflow::Lifecycle::tcp;
            o.statistics = true;
        }
        if (mode == 2) o.idle_timeout = std::chrono::seconds(5);
        const auto want = traced(packets, o);
        REQUIRE(want.size() > 10);
        CHECK(traced(mine, o) == want);
        CHECK(traced(with_functions, o) == want);
    }
}
