// SPDX-License-Identifier: MIT
// --filter with byte tests (tcp[tcpflags] & (tcp-syn|tcp-fin) != 0, tcp[12])
// and service names (port http-alt): the frames traced equal what the library
// decoder says of the capture (runs the built binary).
#include <traceflow/decode/decoder.hpp>
#include <traceflow/io/capture_reader.hpp>

#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "cli_run.hpp"
#include "mini_json.hpp"
#include "test_catch.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace {

using testcli::json_lines;
using testcli::Run;
using testcli::run;
using testcli::sample;

std::string data(const char* name) { return std::string(TRACEFLOW_TEST_DATA_DIR) + "/" + name; }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// Frame numbers of the traced frames, over every flow of a --json listing.
std::set<std::int64_t> traced_frames(const std::string& json) {
    std::set<std::int64_t> frames;
    for (const auto& flow : json_lines(json))
        for (const auto& i : flow["index"].items) frames.insert(i.as_int());
    return frames;
}

/// Frame numbers of the TCP frames of `path` for which `keep(segment, frame)` holds,
/// and the number of TCP frames.
std::set<std::int64_t> decoded_frames(
    const std::string& path, const std::function<bool(const traceflow::decode::TcpSegment&, traceflow::ByteView)>& keep,
    std::size_t* tcp_frames = nullptr) {
    traceflow::io::CaptureReader reader(path);
    traceflow::io::Record record;
    traceflow::decode::TcpSegment seg;
    std::set<std::int64_t> frames;
    std::int64_t number = 0;
    std::size_t tcp = 0;
    while (reader.next(record)) {
        ++number;
        if (traceflow::decode::decode_tcp(record.linktype, record.frame.bytes, seg) != traceflow::decode::Outcome::tcp)
            continue;
        ++tcp;
        if (keep(seg, record.frame.bytes)) frames.insert(number);
    }
    if (tcp_frames != nullptr) *tcp_frames = tcp;
    return frames;
}

}  // namespace

TEST_CASE("cli filter bytes: tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 traces the SYN and FIN frames",
          "[cli][filter][bytes]") {
    std::size_t tcp_frames = 0;
    const auto expected = decoded_frames(
        sample(), [](const traceflow::decode::TcpSegment& s, traceflow::ByteView) { return s.syn() || s.fin(); },
        &tcp_frames);
    REQUIRE(!expected.empty());
    REQUIRE(expected.size() < tcp_frames);
    const Run r = run("--json -q --filter 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0' " + sample());
    REQUIRE(r.status == 0);
    CHECK(traced_frames(r.out) == expected);
    // The same in other spellings: tcp[13], hex masks, == and the bits by number.
    for (const char* other :
         {"'tcp[13] & 3 != 0'", "'tcp[13]&0x03!=0'", "'(tcp[tcpflags] & 0x1) = 1 or tcp[13] & 2 == 2'",
          "'not tcp[13] & (tcp-syn|tcp-fin) = 0'"}) {
        INFO(other);
        const Run o = run("--json -q --filter " + std::string(other) + " " + sample());
        REQUIRE(o.status == 0);
        CHECK(o.out == r.out);
    }
    // With -r, the words are the filter.
    const Run words = run("--json -q -r " + sample() + " 'tcp[tcpflags]' '&' '(tcp-syn|tcp-fin)' '!=' 0");
    REQUIRE(words.status == 0);
    CHECK(words.out == r.out);
    // The summary counts the rest as filtered out.
    const Run summary = run("--filter 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0' " + sample());
    REQUIRE(summary.status == 0);
    CHECK(has(summary.err, "filtered out " + std::to_string(tcp_frames - expected.size()) + " TCP frames"));
}

TEST_CASE("cli filter bytes: tcp[N] past the fields reads the frame, through tunnels with --decap",
          "[cli][filter][bytes]") {
    // Data offset 8 words (options, e.g. timestamps) and a window below 0x1000: bytes only the frame holds.
    const auto keep = [](const traceflow::decode::TcpSegment& s, traceflow::ByteView frame) {
        const std::size_t at = s.tcp_offset;
        return frame[at + 12] == 0x80 && ((frame[at + 14] << 8) | frame[at + 15]) < 0x1000;
    };
    const auto expected = decoded_frames(sample(), keep);
    REQUIRE(!expected.empty());
    const std::string filter = " --filter 'tcp[12] = 0x80 and tcp[14:2] < 0x1000' ";
    const Run plain = run("--json -q" + filter + sample());
    REQUIRE(plain.status == 0);
    CHECK(traced_frames(plain.out) == expected);
    for (const char* tunnel : {"tunnels/vxlan.pcap", "tunnels/gre_ip.pcap"}) {
        INFO(tunnel);
        const Run wrapped = run("--json -q --decap" + filter + data(tunnel));
        REQUIRE(wrapped.status == 0);
        CHECK(wrapped.out == plain.out);
    }
    // tcpdump's HTTP request idiom, on the payload: the sample's requests are not GETs.
    const Run get = run("--json -q --filter 'tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420' " + sample());
    REQUIRE(get.status == 0);
    const auto gets = decoded_frames(sample(), [](const traceflow::decode::TcpSegment& s, traceflow::ByteView f) {
        const std::size_t at = s.payload_offset;
        return at + 4 <= f.size && f[at] == 'G' && f[at + 1] == 'E' && f[at + 2] == 'T' && f[at + 3] == ' ';
    });
    CHECK(traced_frames(get.out) == gets);
}

TEST_CASE("cli filter bytes: port http-alt is port 8080, service names in ranges", "[cli][filter][services]") {
    const Run by_name = run("--json -q --filter 'port http-alt' " + sample());
    const Run by_number = run("--json -q --filter 'port 8080' " + sample());
    REQUIRE(by_name.status == 0);
    CHECK(by_name.out == by_number.out);
    const Run range_name = run("--json -q --filter 'portrange 8000-http-alt' " + sample());
    const Run range_number = run("--json -q --filter 'portrange 8000-8080' " + sample());
    REQUIRE(range_name.status == 0);
    CHECK(range_name.out == range_number.out);
    CHECK(json_lines(range_name.out).size() == 15);  // the sample's port-8000 flows; 8081 is out
    const Run either = run("--json -q --filter 'port 8000 or http-alt' " + sample());
    CHECK(either.out == run("--json -q --filter 'port 8000 or 8080' " + sample()).out);

    const Run bad = run("--filter 'port nosuchservice' " + sample());
    CHECK(bad.status == 1);
    CHECK(has(bad.err, "unknown service name"));
    CHECK(has(bad.err, "'nosuchservice'"));
    const Run bad_bytes = run("--filter 'tcp[13:3] = 1' " + sample());
    CHECK(bad_bytes.status == 1);
    CHECK(has(bad_bytes.err, "1, 2 or 4"));
}

#endif
