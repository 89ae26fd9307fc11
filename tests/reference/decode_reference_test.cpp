// SPDX-License-Identifier: MIT
// Reference conformance of decode_tcp: per capture, the frames it finds TCP in equal expected/<file>.tsv.
//
// expected/<capture>.tsv lists the frames a correct decoder traces, with
// (src, srcport, dst, dstport, syn, fin, rst) of the first TCP header and the
// IP header directly before it, as tshark 4.0 sees them. Every capture must
// match it exactly, except for the frames listed in `known_deviations` below,
// each with its reason; the test also fails when a listed deviation goes away.
#include <traceflow/decode/decoder.hpp>
#include <traceflow/errors.hpp>
#include <traceflow/io/capture_reader.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_catch.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using traceflow::decode::Outcome;
using traceflow::decode::TcpSegment;

namespace {

/// A frame where decode_tcp knowingly differs from tshark's view.
struct Deviation {
    const char* file;
    const char* missing;  ///< expected row we do not produce ("" for none)
    const char* extra;    ///< row we produce that is not expected ("" for none)
    const char* why;
};

const Deviation known_deviations[] = {
    // IPv4 fragments 1-11 of one TCP segment. tshark reassembles them and
    // reports TCP at the last fragment (frame 11). decode_tcp is stateless, so
    // it cannot reassemble; it decodes the TCP header where it is, in the
    // first fragment (offset 0, MF set), and reports the non-first ones as
    // Outcome::fragment. Same tuple and flags, traced once, one frame earlier.
    {"ppp_frag_http_req.pcap", "11\t172.16.133.54\t64415\t216.137.33.81\t80\t0\t0\t0",
     "1\t172.16.133.54\t64415\t216.137.33.81\t80\t0\t0\t0", "no IP reassembly: traced at the first fragment"},
    // Only 12 of the 20 fixed TCP header bytes are captured. tshark shows the
    // ports but no flags (the expected row has empty syn/fin/rst); decode_tcp
    // needs the 20 fixed bytes (flags, seq, ack) and says Outcome::truncated.
    // Cisco HDLC (link type 104): the reference lists no TCP, as pcapkit does
    // not decode that link type; tshark does (its tsv has this row), and so
    // does decode_tcp now (issue 27).
    {"ppp_CiscoHDLC.pcap", "", "2\t2402:f000:1:8e01::5555\t1234\t2607:fcd0:100:2300::b108:2a6b\t80\t0\t0\t0",
     "Cisco HDLC decoded, as tshark does; the reference's expected list follows pcapkit"},
    {"td_tcp_header_heapoverflow.pcap", "1\t48.48.48.48\t12336\t48.48.48.48\t12336\t\t\t", "",
     "TCP header cut after 12 bytes: no flags to trace with"},
};

std::string row(std::uint64_t frame, const TcpSegment& s) {
    std::ostringstream out;
    out << frame << '\t' << s.src.to_string() << '\t' << s.srcport << '\t' << s.dst.to_string() << '\t' << s.dstport
        << '\t' << s.syn() << '\t' << s.fin() << '\t' << s.rst();
    return out.str();
}

std::uint64_t frame_of(const std::string& row) { return std::stoull(row.substr(0, row.find('\t'))); }

std::set<std::string> read_expected(const fs::path& path) {
    std::ifstream in(path);
    std::set<std::string> rows;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) rows.insert(line);
    }
    return rows;
}

}  // namespace

TEST_CASE("decode_tcp finds TCP in exactly the frames the reference expects", "[decode][reference]") {
    const fs::path root = TRACEFLOW_REFERENCE_DIR;
    REQUIRE(fs::is_directory(root / "captures"));
    REQUIRE(fs::is_directory(root / "expected"));

    const std::vector<fs::path> captures = testutil::files_in(root / "captures");
    REQUIRE(!captures.empty());

    std::size_t files_exact = 0;
    std::size_t frames_expected = 0;
    std::size_t frames_matched = 0;
    std::size_t deviations_seen = 0;
    std::vector<std::string> damaged;
    for (const fs::path& capture : captures) {
        const std::string name = capture.filename().string();
        const fs::path expected_path = root / "expected" / (name + ".tsv");
        INFO("capture " << name);
        REQUIRE(fs::exists(expected_path));
        std::set<std::string> expected = read_expected(expected_path);

        std::set<std::string> got;
        std::uint64_t last_frame = 0;
        bool complete = true;
        try {
            traceflow::io::CaptureReader reader(capture.string());
            traceflow::io::Record r;
            TcpSegment segment;
            while (reader.next(r)) {
                last_frame = r.number;
                if (traceflow::decode::decode_tcp(r.linktype, r.frame.bytes, segment) == Outcome::tcp) {
                    got.insert(row(r.number, segment));
                }
            }
        } catch (const traceflow::FormatError&) {
            // A damaged file: compare only the frames delivered before the damage.
            complete = false;
            damaged.push_back(name);
            for (auto it = expected.begin(); it != expected.end();) {
                it = frame_of(*it) > last_frame ? expected.erase(it) : std::next(it);
            }
        }

        std::set<std::string> missing;
        std::set<std::string> extra;
        std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(),
                            std::inserter(missing, missing.end()));
        std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(),
                            std::inserter(extra, extra.end()));
        frames_expected += expected.size();
        frames_matched += expected.size() - missing.size();
        if (missing.empty() && extra.empty()) ++files_exact;

        // Take away the listed deviations; what is left is a failure.
        for (const Deviation& d : known_deviations) {
            if (name != d.file) continue;
            ++deviations_seen;
            if (*d.missing != '\0') CHECK(missing.erase(d.missing) == 1);
            if (*d.extra != '\0') CHECK(extra.erase(d.extra) == 1);
        }

        std::ostringstream report;
        report << name << (complete ? "" : " (damaged, compared up to frame " + std::to_string(last_frame) + ")")
               << ": " << expected.size() << " expected, " << got.size() << " decoded as TCP\n";
        int shown = 0;
        for (const std::string& m : missing) {
            if (shown++ < 10) report << "  missing: " << m << '\n';
        }
        shown = 0;
        for (const std::string& e : extra) {
            if (shown++ < 10) report << "  extra:   " << e << '\n';
        }
        INFO(report.str());
        CHECK(missing.empty());
        CHECK(extra.empty());
    }

    INFO("files exact: " << files_exact << "/" << captures.size() << ", expected frames matched: " << frames_matched
                         << "/" << frames_expected);
    CHECK(deviations_seen == std::size(known_deviations));
    CHECK(files_exact + std::size(known_deviations) == captures.size());
    // Only the 12-byte capture with a cut global header is damaged.
    CHECK(damaged == std::vector<std::string>{"drv_trunc_global_header.pcap"});
}
