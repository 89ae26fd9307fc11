// SPDX-License-Identifier: MIT
// Filter: tcpdump syntax, precedence as pcap-filter(7), errors naming the word, the tracer adapter.
#include <traceflow/filter/filter.hpp>
#include <traceflow/filter/filtered_tracer.hpp>
#include <traceflow/trace_flow.hpp>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "filter_errors.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

using traceflow::IpAddress;
using traceflow::filter::Filter;
using traceflow::filter::FilterError;
using traceflow::filter::FilterFields;

namespace {

FilterFields fields(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport,
                    std::uint16_t vlan = 0) {
    return FilterFields{*IpAddress::parse(src), *IpAddress::parse(dst), sport, dport, vlan, vlan != 0};
}

bool match(const char* expr, const FilterFields& f) { return Filter(expr).matches(f); }

}  // namespace

TEST_CASE("filter: primitives", "[filter]") {
    const auto f = fields("10.0.0.1", 40000, "192.168.1.7", 80);
    CHECK(match("", f));
    CHECK(match("host 10.0.0.1", f));
    CHECK(match("host 192.168.1.7", f));
    CHECK_FALSE(match("host 10.0.0.2", f));
    CHECK(match("src host 10.0.0.1", f));
    CHECK_FALSE(match("dst host 10.0.0.1", f));
    CHECK(match("src 10.0.0.1", f));
    CHECK(match("10.0.0.1", f));
    CHECK(match("net 192.168.0.0/16", f));
    CHECK(match("net 192.168", f));
    CHECK(match("net 10", f));
    CHECK_FALSE(match("src net 192.168.0.0/16", f));
    CHECK(match("src and dst net 0.0.0.0/0", f));
    CHECK_FALSE(match("src and dst net 10.0.0.0/8", f));
    CHECK(match("src or dst net 10.0.0.0/8", f));
    CHECK(match("port 80", f));
    CHECK(match("tcp dst port 80", f));
    CHECK_FALSE(match("tcp src port 80", f));
    CHECK(match("portrange 39000-40000", f));
    CHECK(match("portrange 90-80", f));
    CHECK_FALSE(match("dst portrange 81-65535", f));
    CHECK(match("ip", f));
    CHECK_FALSE(match("ip6", f));
    CHECK(match("tcp", f));
    CHECK(match("ip host 10.0.0.1", f));
    CHECK_FALSE(match("vlan", f));
    CHECK(match("vlan 7", fields("10.0.0.1", 1, "10.0.0.2", 2, 7)));
    CHECK_FALSE(match("vlan 8", fields("10.0.0.1", 1, "10.0.0.2", 2, 7)));
    CHECK(match("vlan", fields("10.0.0.1", 1, "10.0.0.2", 2, 7)));
}

TEST_CASE("filter: IPv6 hosts and networks", "[filter]") {
    const auto f = fields("2001:db8::1", 443, "fe80::1", 5000);
    CHECK(match("ip6", f));
    CHECK_FALSE(match("ip", f));
    CHECK(match("host 2001:db8::1", f));
    CHECK(match("ip6 host fe80::1", f));
    CHECK(match("net 2001:db8::/32", f));
    CHECK(match("dst net fe80::/10", f));
    CHECK_FALSE(match("dst net fe80::/16 and src net 2001:db9::/32", f));
    CHECK_FALSE(match("net 10.0.0.0/8", f));  // an IPv4 network never holds an IPv6 address
    CHECK(match("::1 or port 443", f));
}

TEST_CASE("filter: not binds tightest, and/or are equal and left-associative", "[filter]") {
    const auto f = fields("10.0.0.1", 1, "10.0.0.2", 2);
    // pcap-filter(7): `a or b and c` is `(a or b) and c`, not `a or (b and c)`.
    CHECK_FALSE(match("port 1 or port 9 and port 8", f));
    CHECK(match("port 8 and port 9 or port 1", f));
    CHECK(match("not port 9 and port 1", f));
    CHECK_FALSE(match("not (port 1 and port 2)", f));
    CHECK(match("! port 9 && (port 7 || port 2)", f));
    CHECK(match("not not port 1", f));
    CHECK(match("port 9 or 1", f));  // the bare id repeats `port`
    CHECK_FALSE(match("host 10.0.0.9 or 10.0.0.8", f));
}

TEST_CASE("filter: the compiled program agrees with a direct evaluation of random expressions", "[filter][property]") {
    // Random trees of port tests; the reference is a recursive evaluation of
    // the same tree with pcap-filter precedence built in by construction
    // (fully parenthesised text).
    std::mt19937 rng(12345);
    std::function<std::pair<std::string, std::function<bool(std::uint16_t, std::uint16_t)>>(int)> gen =
        [&](int depth) -> std::pair<std::string, std::function<bool(std::uint16_t, std::uint16_t)>> {
        const int kind = depth > 3 ? 0 : static_cast<int>(rng() % 4);
        if (kind == 0) {
            const std::uint16_t p = static_cast<std::uint16_t>(rng() % 4);
            const int dir = static_cast<int>(rng() % 3);
            const char* d = dir == 0 ? "" : dir == 1 ? "src " : "dst ";
            return {std::string(d) + "port " + std::to_string(p), [p, dir](std::uint16_t s, std::uint16_t t) {
                        return dir == 0 ? (s == p || t == p) : dir == 1 ? s == p : t == p;
                    }};
        }
        if (kind == 1) {
            auto a = gen(depth + 1);
            return {"not (" + a.first + ")", [f = a.second](std::uint16_t s, std::uint16_t t) { return !f(s, t); }};
        }
        auto a = gen(depth + 1);
        auto b = gen(depth + 1);
        const bool conj = kind == 2;
        return {"(" + a.first + (conj ? ") and (" : ") or (") + b.first + ")",
                [conj, fa = a.second, fb = b.second](std::uint16_t s, std::uint16_t t) {
                    return conj ? fa(s, t) && fb(s, t) : fa(s, t) || fb(s, t);
                }};
    };
    for (int i = 0; i < 300; ++i) {
        const auto e = gen(0);
        const Filter f(e.first);
        for (std::uint16_t s = 0; s < 4; ++s)
            for (std::uint16_t t = 0; t < 4; ++t) {
                INFO(e.first << " on " << s << "->" << t);
                CHECK(f.matches(fields("10.0.0.1", s, "10.0.0.2", t)) == e.second(s, t));
            }
    }
}

TEST_CASE("filter: a bad expression names the offending word and its offset", "[filter]") {
    struct Case {
        const char* expr;
        const char* word;
        std::size_t position;
    };
    const Case cases[] = {
        {"host 10.0.0.1 and bogus", "bogus", 18},
        {"port 99999", "99999", 5},
        {"host 10.0.0.300", "10.0.0.300", 5},
        {"net 10.0.0.1/8", "10.0.0.1/8", 4},
        {"port 80 80", "80", 8},
        {"(port 80", "", 8},
        {"port 80)", ")", 7},
        {"host", "", 4},
        {"portrange 10", "10", 10},
        {"vlan 5000", "5000", 5},
        {"udp", "udp", 0},
        {"port 80 and", "", 11},
        {"host example.com", "example.com", 5},
        {"ip host ::1", "::1", 8},
    };
    for (const Case& c : cases) {
        INFO(c.expr);
        const FilterError e = testutil::filter_error_of(c.expr);
        CHECK(e.word() == c.word);
        CHECK(e.position() == c.position);
        if (*c.word != '\0') CHECK(std::string(e.what()).find(c.word) != std::string::npos);
    }
    // Deep nesting is refused, not a stack overflow.
    CHECK_THROWS_AS(Filter(std::string(100000, '(') + "tcp"), FilterError);
}

TEST_CASE("filter: FilteredTracer counts what it drops and keeps frame numbers", "[filter]") {
    traceflow::TraceFlow<traceflow::Packet<>> tracer;
    traceflow::filter::FilteredTracer<traceflow::TraceFlow<traceflow::Packet<>>> filtered(tracer, Filter("port 80"));
    filtered.dump(testutil::make_packet(1, "10.0.0.1", 1000, "10.0.0.2", 80));
    filtered.dump(testutil::make_packet(2, "10.0.0.1", 1001, "10.0.0.2", 443));
    filtered.dump(testutil::make_packet(3, "10.0.0.2", 80, "10.0.0.1", 1000));
    CHECK(filtered.filtered_out() == 1);
    const auto flows = tracer.index();
    REQUIRE(flows.size() == 2);
    CHECK(flows[0].index == std::vector<std::uint64_t>{1});
    CHECK(flows[1].index == std::vector<std::uint64_t>{3});
    CHECK_FALSE(filtered.writes_files());
}
