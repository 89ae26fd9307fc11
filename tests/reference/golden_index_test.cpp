// SPDX-License-Identifier: MIT
// Core conformance: every packet pcapkit fed to its TraceFlow, fed to ours,
// gives the same index (labels, frame tuples, order, fpout names).
#include <traceflow/trace_flow.hpp>

#include <filesystem>
#include <iostream>

#include "mini_json.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

fs::path reference_dir() { return fs::path(TRACEFLOW_REFERENCE_DIR); }

traceflow::Packet<> packet_from_fed(const testjson::Value& row) {
    traceflow::Packet<> p;
    p.index = static_cast<std::uint64_t>(row.items[0].as_int());
    p.src = traceflow::IpAddress::parse(row.items[1].as_string()).value();
    p.srcport = static_cast<std::uint16_t>(row.items[2].as_int());
    p.dst = traceflow::IpAddress::parse(row.items[3].as_string()).value();
    p.dstport = static_cast<std::uint16_t>(row.items[4].as_int());
    p.syn = row.items[5].boolean;
    p.fin = row.items[6].boolean;
    p.timestamp = traceflow::Timestamp::parse(row.items[7].as_string()).value();
    p.protocol = static_cast<traceflow::LinkType>(row.items[8].as_int());
    return p;
}

}  // namespace

TEST_CASE("reference folder is present when conformance is enabled", "[reference]") {
    INFO("TRACEFLOW_REFERENCE_DIR = " << TRACEFLOW_REFERENCE_DIR);
    REQUIRE(fs::is_directory(reference_dir() / "pcapkit"));
    REQUIRE(fs::is_directory(reference_dir() / "captures"));
}

TEST_CASE("fed packets reproduce pcapkit's index on every golden file", "[reference][core]") {
    REQUIRE(fs::is_directory(reference_dir() / "pcapkit"));
    std::size_t files = 0;
    std::size_t matching = 0;
    std::size_t packets = 0;
    for (const auto& entry : fs::directory_iterator(reference_dir() / "pcapkit")) {
        if (entry.path().extension() != ".json") continue;
        ++files;
        const testjson::Value golden = testjson::parse(testutil::read_file(entry.path()));
        testutil::TempDir out;
        std::vector<traceflow::Index> via_callback;
        bool same = true;
        {
            traceflow::TraceFlow<> tracer(out.str(), golden["trace_format"].as_string());
            tracer.register_callback([&](const traceflow::Index& i) { via_callback.push_back(i); });
            for (const testjson::Value& row : golden["fed"].items) {
                const traceflow::Packet<> packet = packet_from_fed(row);
                const traceflow::Buffer& buffer = tracer.trace(packet);
                ++packets;
                if (buffer.label != row.items[9].as_string()) {
                    same = false;
                    UNSCOPED_INFO(entry.path().filename() << " frame " << packet.index << ": label " << buffer.label
                                                          << " != " << row.items[9].as_string());
                }
            }
            const std::vector<traceflow::Index> index = tracer.index();
            const auto& expected = golden["index"].items;
            if (index.size() != expected.size()) same = false;
            for (std::size_t i = 0; same && i < index.size(); ++i) {
                const testjson::Value& want = expected[i];
                std::vector<std::uint64_t> frames;
                for (const auto& f : want["index"].items) frames.push_back(static_cast<std::uint64_t>(f.as_int()));
                const std::string want_path = out.str() + "/" + want["fpout"].as_string();
                if (index[i].label != want["label"].as_string() || index[i].index != frames ||
                    index[i].fpout != want_path) {
                    same = false;
                    UNSCOPED_INFO(entry.path().filename() << " flow " << i << ": " << index[i].label);
                }
            }
            // Callbacks saw exactly the finished flows, in order.
            if (via_callback.size() != tracer.closed().size()) same = false;
        }
        if (same)
            ++matching;
        else
            UNSCOPED_INFO("differs: " << entry.path().filename());
    }
    std::cout << "golden index conformance: " << matching << " of " << files << " files, " << packets << " packets\n";
    CHECK(files == 103);
    CHECK(packets == 21119);
    CHECK(matching == files);
}
