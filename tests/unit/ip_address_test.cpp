// SPDX-License-Identifier: MIT
// IpAddress: parsing, Python-compatible printing, ordering and hashing.
#include <traceflow/ip_address.hpp>

#include <unordered_set>

#include "test_catch.hpp"

using traceflow::IpAddress;

namespace {
std::string reprint(const char* text) { return IpAddress::parse(text).value().to_string(); }
}  // namespace

TEST_CASE("IPv4 parse and print", "[ip_address]") {
    CHECK(reprint("192.168.1.100") == "192.168.1.100");
    CHECK(reprint("0.0.0.0") == "0.0.0.0");
    CHECK(IpAddress::v4(0xC0A80001u).to_string() == "192.168.0.1");
    CHECK_FALSE(IpAddress::parse("256.1.1.1").has_value());
    CHECK_FALSE(IpAddress::parse("1.2.3").has_value());
    CHECK_FALSE(IpAddress::parse("1.2.3.4.5").has_value());
    CHECK_FALSE(IpAddress::parse("").has_value());
}

TEST_CASE("IPv6 prints as Python's ipaddress", "[ip_address]") {
    // Expected strings are what CPython 3.11 prints for the same input.
    CHECK(reprint("::") == "::");
    CHECK(reprint("::1") == "::1");
    CHECK(reprint("2001:0:0:1::1") == "2001:0:0:1::1");
    CHECK(reprint("::ffff:1.2.3.4") == "::ffff:102:304");
    CHECK(reprint("fe80::1:0:0:0:1") == "fe80:0:0:1::1");
    CHECK(reprint("1:0:0:2:0:0:3:4") == "1::2:0:0:3:4");
    CHECK(reprint("2001:DB8::") == "2001:db8::");
    CHECK(reprint("1::2:3:4:5:6:7") == "1:0:2:3:4:5:6:7");
    CHECK(reprint("2001:0db8:0000:0000:0000:ff00:0042:8329") == "2001:db8::ff00:42:8329");
    CHECK_FALSE(IpAddress::parse(":::").has_value());
    CHECK_FALSE(IpAddress::parse("1:2").has_value());
    CHECK_FALSE(IpAddress::parse("1::2::3").has_value());
    CHECK_FALSE(IpAddress::parse("12345::").has_value());
    CHECK_FALSE(IpAddress::parse("1:2:3:4:5:6:7:8:9").has_value());
}

TEST_CASE("addresses compare by family and bytes and hash apart", "[ip_address]") {
    const IpAddress a = IpAddress::parse("10.0.0.1").value();
    const IpAddress b = IpAddress::parse("10.0.0.2").value();
    const IpAddress v6 = IpAddress::parse("::a00:1").value();  // same low bytes, other family
    CHECK(a != b);
    CHECK(a < b);
    CHECK(a != v6);
    CHECK(a == IpAddress::parse("10.0.0.1").value());
    std::unordered_set<IpAddress> set{a, b, v6};
    CHECK(set.size() == 3);
    CHECK(a.hash() != v6.hash());
}

TEST_CASE("assign_v4 and assign_v6 make in place what v4() and v6() return", "[ip_address]") {
    const std::uint8_t v4_bytes[4] = {192, 168, 7, 1};
    std::uint8_t v6_bytes[16];
    for (std::uint8_t i = 0; i < 16; ++i) v6_bytes[i] = static_cast<std::uint8_t>(0xF0 + i);
    IpAddress a;
    a.assign_v6(v6_bytes);
    CHECK(a == IpAddress::v6(v6_bytes));
    CHECK(a.to_string() == "f0f1:f2f3:f4f5:f6f7:f8f9:fafb:fcfd:feff");
    a.assign_v4(v4_bytes);  // over an IPv6 address: no byte of it may stay
    CHECK(a == IpAddress::v4(v4_bytes));
    CHECK(a.hash() == IpAddress::v4(v4_bytes).hash());
    CHECK(a.to_string() == "192.168.7.1");
    a.assign_v6(v6_bytes);
    CHECK(a == IpAddress::v6(v6_bytes));
    CHECK(a != IpAddress::v4(v4_bytes));
}
