// SPDX-License-Identifier: MIT
// libFuzzer target: decode_tcp() and describe() on one frame; the first 4 bytes pick the link type.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <traceflow/decode/decoder.hpp>
#include <traceflow/decode/describe.hpp>
#include <traceflow/detail/bits/endian.hpp>

#include "fuzz_util.hpp"

namespace {

using traceflow::LinkType;
using traceflow::decode::Outcome;

constexpr LinkType supported[] = {
    LinkType::null, LinkType::ethernet,  LinkType::raw_alt12, LinkType::raw_alt14, LinkType::raw,
    LinkType::loop, LinkType::linux_sll, LinkType::ipv4,      LinkType::ipv6,      LinkType::linux_sll2,
};
constexpr std::size_t supported_count = sizeof supported / sizeof supported[0];

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return -1;
    const LinkType link = supported[traceflow::detail::bits::load_be32(data) % supported_count];
    // The frame ends where libFuzzer's allocation ends, so ASan sees any read past it.
    const traceflow::ByteView frame(data + 4, size - 4);

    traceflow::decode::TcpSegment seg;
    const Outcome outcome = traceflow::decode::decode_tcp(link, frame, seg);
    FUZZ_CHECK(static_cast<std::size_t>(outcome) < traceflow::decode::outcome_count);
    if (outcome == Outcome::tcp) {
        // The 20 fixed TCP bytes were captured; the payload starts after them.
        FUZZ_CHECK(seg.tcp_offset + std::size_t{20} <= frame.size);
        FUZZ_CHECK(seg.payload_offset >= seg.tcp_offset + 20u);
        FUZZ_CHECK(seg.payload_offset <= seg.tcp_offset + 60u);
        FUZZ_CHECK(seg.ip_offset < seg.tcp_offset);
        FUZZ_CHECK(seg.ip_version == 4 || seg.ip_version == 6);
        FUZZ_CHECK(seg.src.is_v4() == (seg.ip_version == 4));
        FUZZ_CHECK(traceflow::detail::bits::load_be16(frame.data + seg.tcp_offset) == seg.srcport);
        FUZZ_CHECK(frame.data[seg.tcp_offset + 13] == seg.flags);
    }

    // describe() walks the same headers: same outcome, same layers.
    const std::vector<traceflow::decode::Layer> layers = traceflow::decode::describe(link, frame);
    FUZZ_CHECK(!layers.empty() || outcome == Outcome::tcp);
    std::size_t text = 0;
    for (const auto& layer : layers) {
        text += layer.name.size();
        for (const auto& field : layer.fields) text += field.name.size() + field.value.size();
    }
    fuzzutil::keep(text);
    if (outcome == Outcome::tcp) {
        FUZZ_CHECK(!layers.empty() && layers.back().name == "TCP");
    } else {
        FUZZ_CHECK(layers.back().name == "Undecoded");
        FUZZ_CHECK(layers.back().fields.at(0).value == traceflow::decode::to_string(outcome));
    }

    // Deterministic: a second decode gives the same answer.
    traceflow::decode::TcpSegment again;
    FUZZ_CHECK(traceflow::decode::decode_tcp(link, frame, again) == outcome);
    return 0;
}
