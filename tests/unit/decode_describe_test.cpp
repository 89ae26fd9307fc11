// SPDX-License-Identifier: MIT
// describe(): the per-frame header view used by the human-readable dumpers.
#include <traceflow/decode/describe.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "test_catch.hpp"

using traceflow::ByteView;
using traceflow::LinkType;
using traceflow::decode::describe;
using traceflow::decode::Layer;

namespace {

std::vector<std::uint8_t> from_hex(const std::string& hex) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

std::string field(const Layer& layer, const std::string& name) {
    for (const auto& f : layer.fields) {
        if (f.name == name) return f.value;
    }
    return "<missing " + name + ">";
}

// Ethernet / IPv4 (DF) / TCP SYN with a 4-byte MSS option, 10.0.0.6:44147 -> 212.199.202.9:80.
const char* const syn_frame =
    "00907f3e02d0d4bed94b2479"
    "0800"
    "4500002c4b8f40004006a5b10a000006d4c7ca09"
    "ac7300502e50b66d0000000060027210c2a10000020405b4";

}  // namespace

TEST_CASE("describe an Ethernet / IPv4 / TCP frame", "[decode]") {
    const auto bytes = from_hex(syn_frame);
    const std::vector<Layer> layers = describe(LinkType::ethernet, ByteView{bytes.data(), bytes.size()});
    REQUIRE(layers.size() == 3);

    CHECK(layers[0].name == "Ethernet");
    REQUIRE(layers[0].fields.size() == 3);
    CHECK(layers[0].fields[0].name == "src");
    CHECK(layers[0].fields[0].value == "d4:be:d9:4b:24:79");
    CHECK(field(layers[0], "dst") == "00:90:7f:3e:02:d0");
    CHECK(field(layers[0], "type") == "0x0800");

    CHECK(layers[1].name == "IPv4");
    CHECK(field(layers[1], "version") == "4");
    CHECK(field(layers[1], "header_length") == "20");
    CHECK(field(layers[1], "total_length") == "44");
    CHECK(field(layers[1], "id") == "0x4b8f");
    CHECK(field(layers[1], "flags") == "0x2 (DF)");
    CHECK(field(layers[1], "fragment_offset") == "0");
    CHECK(field(layers[1], "ttl") == "64");
    CHECK(field(layers[1], "protocol") == "6 (TCP)");
    CHECK(field(layers[1], "checksum") == "0xa5b1");
    CHECK(field(layers[1], "src") == "10.0.0.6");
    CHECK(field(layers[1], "dst") == "212.199.202.9");

    CHECK(layers[2].name == "TCP");
    CHECK(field(layers[2], "srcport") == "44147");
    CHECK(field(layers[2], "dstport") == "80");
    CHECK(field(layers[2], "seq") == "777041517");
    CHECK(field(layers[2], "ack") == "0");
    CHECK(field(layers[2], "header_length") == "24");
    CHECK(field(layers[2], "flags") == "0x002 (SYN)");
    CHECK(field(layers[2], "window") == "29200");
    CHECK(field(layers[2], "options_length") == "4");
    CHECK(field(layers[2], "payload_length") == "0");
}

TEST_CASE("describe shows VLAN tags and where decoding stopped", "[decode]") {
    // 802.1Q tag id 100 carrying IPv4 / UDP.
    const auto bytes = from_hex(
        "0011223344556677889900118100206408004500001c00000000401100000a0000010a000002"
        "00350035000800000000");
    const std::vector<Layer> layers = describe(LinkType::ethernet, ByteView{bytes.data(), bytes.size()});
    REQUIRE(layers.size() == 4);
    CHECK(layers[0].name == "Ethernet");
    CHECK(field(layers[0], "type") == "0x8100");
    CHECK(layers[1].name == "VLAN");
    CHECK(field(layers[1], "id") == "100");
    CHECK(field(layers[1], "pcp") == "1");
    CHECK(field(layers[1], "type") == "0x0800");
    CHECK(layers[2].name == "IPv4");
    CHECK(field(layers[2], "protocol") == "17 (UDP)");
    CHECK(layers[3].name == "Undecoded");
    CHECK(field(layers[3], "outcome") == "not-tcp");
    CHECK(field(layers[3], "length") == "10");  // the captured bytes after the IPv4 header

    const std::vector<Layer> none = describe(static_cast<LinkType>(105), ByteView{bytes.data(), bytes.size()});
    REQUIRE(none.size() == 1);
    CHECK(field(none[0], "outcome") == "unsupported-link");
    CHECK(field(none[0], "length") == std::to_string(bytes.size()));
}
