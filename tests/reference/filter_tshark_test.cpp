// SPDX-License-Identifier: MIT
// Filter against tshark: per reference capture and per expression, the TCP
// frames our filter passes equal the frames tshark's display filter matches.
//
// tests/data/filter/expressions.tsv pairs each expression with the tshark
// display filter meaning the same; tshark_counts.tsv holds tshark 4.0's counts
// of `tcp && (display filter)` per capture, made by make_tshark_counts.py
// (see the README there). Only captures whose tshark TCP frames are exactly
// the frames traceflow traces are listed, so the counts compare like with like.
#include <traceflow/decode/decoder.hpp>
#include <traceflow/filter/filter.hpp>
#include <traceflow/io/capture_reader.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_catch.hpp"

namespace {

/// A capture and expression where our count knowingly differs from tshark's.
struct Deviation {
    const char* file;
    const char* expression;  ///< nullptr: every expression that tshark matches there
    std::uint64_t ours;
    const char* why;
};

const Deviation known_deviations[] = {
    {"td_tcp_header_heapoverflow.pcap", nullptr, 0,
     "its one TCP header is cut after 12 bytes: not traced (see decode_reference_test)"},
    {"td_of13_ericsson.pcapng", "net 192.168.0.0/16 and not port 443", 0,
     "tshark's ip.addr also matches the IP header of the packet inside OpenFlow's payload; "
     "a filter looks at the IP header carrying TCP"},
};

const Deviation* deviation(const std::string& file, const std::string& expression) {
    for (const Deviation& d : known_deviations)
        if (file == d.file && (d.expression == nullptr || expression == d.expression)) return &d;
    return nullptr;
}

std::vector<std::vector<std::string>> read_tsv(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> cells;
        std::stringstream s(line);
        std::string cell;
        while (std::getline(s, cell, '\t')) cells.push_back(cell);
        rows.push_back(cells);
    }
    return rows;
}

}  // namespace

TEST_CASE("filter: frames matched per expression equal tshark's display filter", "[reference][filter]") {
    const std::string data = std::string(TRACEFLOW_TEST_DATA_DIR) + "/filter/";
    const auto expressions = read_tsv(data + "expressions.tsv");
    const auto counts = read_tsv(data + "tshark_counts.tsv");
    REQUIRE(expressions.size() == 16);
    REQUIRE(counts.size() > 80);  // header + one row per capture
    std::vector<traceflow::filter::Filter> filters;
    for (const auto& e : expressions) filters.emplace_back(e.at(0));
    std::vector<std::uint64_t> ours_total(filters.size()), theirs_total(filters.size());
    for (std::size_t r = 1; r < counts.size(); ++r) {
        const auto& row = counts[r];
        REQUIRE(row.size() == filters.size() + 1);
        INFO(row[0]);
        traceflow::io::CaptureReader reader(std::string(TRACEFLOW_REFERENCE_DIR) + "/captures/" + row[0]);
        std::vector<std::uint64_t> ours(filters.size());
        traceflow::io::Record record;
        traceflow::decode::TcpSegment seg;
        while (reader.next(record)) {
            if (traceflow::decode::decode_tcp(record.linktype, record.frame.bytes, seg) !=
                traceflow::decode::Outcome::tcp)
                continue;
            for (std::size_t i = 0; i < filters.size(); ++i) ours[i] += filters[i].matches(seg) ? 1 : 0;
        }
        for (std::size_t i = 0; i < filters.size(); ++i) {
            INFO(expressions[i][0] << "  vs tshark  " << expressions[i][1]);
            const std::uint64_t theirs = std::stoull(row[i + 1]);
            const Deviation* d = theirs != 0 ? deviation(row[0], expressions[i][0]) : nullptr;
            if (d != nullptr) {
                INFO("known deviation: " << d->why);
                CHECK(ours[i] == d->ours);
                CHECK(ours[i] != theirs);  // fails when the deviation goes away: then delete it
            } else {
                CHECK(ours[i] == theirs);
            }
            ours_total[i] += ours[i];
            theirs_total[i] += theirs;
        }
    }
    for (std::size_t i = 0; i < filters.size(); ++i) {
        INFO(expressions[i][0]);
        CHECK(theirs_total[i] > 0);  // every expression matches something somewhere
        CHECK(ours_total[i] > 0);
    }
}
