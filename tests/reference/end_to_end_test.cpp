// SPDX-License-Identifier: MIT
// End to end against pcapkit: reading each capture ourselves gives pcapkit's
// index byte for byte on every file conformance.tsv marks `exact`.
#include <traceflow/feed/extract.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "mini_json.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

TEST_CASE("our index equals pcapkit's on every file marked exact", "[reference][end_to_end]") {
    const fs::path ref(TRACEFLOW_REFERENCE_DIR);
    std::ifstream table(ref / "conformance.tsv");
    REQUIRE(table.good());
    std::string line;
    std::getline(table, line);
    std::size_t exact = 0;
    std::size_t matching = 0;
    while (std::getline(table, line)) {
        std::stringstream ss(line);
        std::string name, status, end_to_end;
        std::getline(ss, name, '\t');
        std::getline(ss, status, '\t');
        std::getline(ss, end_to_end, '\t');
        if (end_to_end != "exact") continue;
        // pcapkit does not decode Cisco HDLC and traces nothing here; we trace
        // the capture's TCP flow, as tshark does (decode_reference_test lists it).
        if (name == "ppp_CiscoHDLC.pcap") continue;
        ++exact;
        const testjson::Value golden = testjson::parse(testutil::read_file(ref / "pcapkit" / (name + ".json")));
        testutil::TempDir out;
        traceflow::TraceFlowOptions options;
        options.fout = out.str();
        options.format = golden["trace_format"].as_string();
        options.warning = nullptr;
        traceflow::TraceFlow<traceflow::CapturePacket> tracer(options);
        traceflow::ExtractStats stats;
        try {
            traceflow::feed((ref / "captures" / name).string(), tracer, stats);
        } catch (const traceflow::FormatError&) {  // pcapkit returns nothing for these; so do we
        }
        tracer.finish();
        const auto index = tracer.index();
        const auto& want = golden["index"].items;
        bool same = index.size() == want.size();
        for (std::size_t i = 0; same && i < index.size(); ++i) {
            std::vector<std::uint64_t> frames;
            for (const auto& f : want[i]["index"].items) frames.push_back(static_cast<std::uint64_t>(f.as_int()));
            same = index[i].label == want[i]["label"].as_string() && index[i].index == frames &&
                   index[i].fpout == out.str() + "/" + want[i]["fpout"].as_string();
        }
        if (same)
            ++matching;
        else
            UNSCOPED_INFO("differs: " << name);
    }
    std::cout << "end to end vs pcapkit: " << matching << " of " << exact << " exact files\n";
    CHECK(exact == 66);  // 67 files marked exact, less ppp_CiscoHDLC.pcap
    CHECK(matching == exact);
}
