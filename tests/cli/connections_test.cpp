// SPDX-License-Identifier: MIT
// traceflow --conn, each flow's number, --flows, --sort and --fields (runs the built binary).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "cli_run.hpp"
#include "mini_json.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace {

namespace fs = std::filesystem;
using testcli::json_lines;
using testcli::Run;
using testcli::run;
using testcli::sample;

}  // namespace

TEST_CASE("cli: --conn is --bidirectional --lifecycle tcp", "[cli][connections]") {
    const Run conn = run("-q --json --conn " + sample());
    const Run spelled = run("-q --json --bidirectional --lifecycle tcp " + sample());
    REQUIRE(conn.status == 0);
    CHECK(conn.out == spelled.out);
    CHECK(conn.out != run("-q --json " + sample()).out);
}

TEST_CASE("cli: each flow has a number: 0, 1, ... in order of its first frame", "[cli][connections]") {
    for (const char* mode : {"", "--conn "}) {
        INFO(mode);
        const Run r = run(std::string("-q --json ") + mode + testcli::many_short_flows());
        REQUIRE(r.status == 0);
        const auto flows = json_lines(r.out);
        REQUIRE(flows.size() > 100);
        std::vector<std::pair<long long, long long>> first_frames;  // (first frame, number)
        std::set<long long> numbers;
        for (const auto& flow : flows) {
            first_frames.emplace_back(flow["index"].items.front().as_int(), flow["number"].as_int());
            numbers.insert(flow["number"].as_int());
        }
        CHECK(numbers.size() == flows.size());
        CHECK(*numbers.rbegin() == static_cast<long long>(flows.size()) - 1);
        std::sort(first_frames.begin(), first_frames.end());
        for (std::size_t i = 0; i < first_frames.size(); ++i)
            CHECK(first_frames[i].second == static_cast<long long>(i));
    }
    // The table's first column, and CSV's.
    const Run table = run("-q --conn " + sample());
    CHECK(table.out.rfind("NUMBER FLOW", 0) == 0);
    CHECK(run("-q --csv " + sample()).out.rfind("number,label,", 0) == 0);
}

TEST_CASE("cli: --flows keeps those flows in the listing and the files", "[cli][connections]") {
    testutil::TempDir dir;
    const Run all = run("-q --json --conn " + sample());
    const Run some = run("-q --json --conn --flows 0,2-3,99 -o " + dir.str() + "/out " + sample());
    REQUIRE(some.status == 0);
    const auto chosen = json_lines(some.out);
    REQUIRE(chosen.size() == 3);
    std::set<std::string> files;
    for (const auto& flow : chosen) {
        const long long n = flow["number"].as_int();
        CHECK((n == 0 || n == 2 || n == 3));
        files.insert(fs::path(flow["fpout"].as_string()).filename().string());
    }
    std::set<std::string> written;
    for (const auto& entry : fs::directory_iterator(dir.path() / "out"))
        written.insert(entry.path().filename().string());
    CHECK(written == files);
    // The same flows as without --flows (numbers count every flow).
    for (const auto& flow : chosen) CHECK(all.out.find(flow["label"].as_string()) != std::string::npos);
    for (const char* bad : {"x", "3-1", "1,,2", "-4", ""}) {
        INFO(bad);
        CHECK(run(std::string("-q --flows '") + bad + "' " + sample()).status == 1);
    }
}

TEST_CASE("cli: --sort orders the listing; --fields chooses and orders the columns", "[cli][connections]") {
    const Run by_packets = run("-q --json --conn --sort packets " + sample());
    REQUIRE(by_packets.status == 0);
    const auto flows = json_lines(by_packets.out);
    REQUIRE(flows.size() > 3);
    for (std::size_t i = 1; i < flows.size(); ++i)
        CHECK(flows[i - 1]["frames"].as_int() >= flows[i]["frames"].as_int());
    const Run by_first = run("-q --csv --conn --sort first --fields first,number " + sample());
    REQUIRE(by_first.status == 0);
    CHECK(by_first.out.rfind("first,number\n", 0) == 0);
    const Run by_bytes = run("-q --json --conn --sort bytes --fields number,bytes " + sample());
    REQUIRE(by_bytes.status == 0);
    const auto b = json_lines(by_bytes.out);
    for (std::size_t i = 1; i < b.size(); ++i) {
        const auto total = [](const testjson::Value& f) {
            return f["bytes"].items[0].as_int() + f["bytes"].items[1].as_int();
        };
        CHECK(total(b[i - 1]) >= total(b[i]));
        CHECK(b[i].members.size() == 2);
        CHECK(b[i].members[0].first == "number");
    }
    CHECK(run("-q --json --fields nope " + sample()).err.find("known: number,label") != std::string::npos);
    CHECK(run("-q --fields label " + sample()).status == 1);                // the table has its own columns
    CHECK(run("-q --json --stream --sort first " + sample()).status == 1);  // streaming cannot sort
}

TEST_CASE("cli: with --stats the table reads as tshark -z conv,tcp: start, duration, packets and bytes each way",
          "[cli][connections]") {
    const Run table = run("--conn --stats " + sample());
    const Run json = run("-q --conn --stats --json " + sample());
    REQUIRE(table.status == 0);
    REQUIRE(json.status == 0);
    std::istringstream lines(table.out);
    std::string header;
    std::getline(lines, header);
    for (const char* column : {"START", "DURATION", "PKTS->", "BYTES->", "<-PKTS", "<-BYTES", "PACKETS", "BYTES"})
        CHECK(header.find(column) != std::string::npos);
    const auto flows = json_lines(json.out);
    std::size_t rows = 0;
    for (std::string row; std::getline(lines, row); ++rows) {
        std::istringstream cells(row);
        std::string number, label, start, duration;
        unsigned long long to_resp = 0, bytes_to_resp = 0, to_orig = 0, bytes_to_orig = 0, packets = 0, bytes = 0;
        cells >> number >> label >> start >> duration >> to_resp >> bytes_to_resp >> to_orig >> bytes_to_orig >>
            packets >> bytes;
        REQUIRE(rows < flows.size());
        const auto& flow = flows[rows];
        CHECK(number == flow["number"].text);
        CHECK(start == flow["first"].text.substr(0, flow["first"].text.size() - 3));
        CHECK(to_resp == static_cast<unsigned long long>(flow["packets"].items[0].as_int()));
        CHECK(to_orig == static_cast<unsigned long long>(flow["packets"].items[1].as_int()));
        CHECK(bytes_to_resp == static_cast<unsigned long long>(flow["bytes"].items[0].as_int()));
        CHECK(bytes_to_orig == static_cast<unsigned long long>(flow["bytes"].items[1].as_int()));
        CHECK(packets == to_resp + to_orig);
        CHECK(bytes == bytes_to_resp + bytes_to_orig);
        CHECK(std::abs(std::stod(duration) - std::stod(flow["duration"].text)) <= 0.00005);
    }
    CHECK(rows == flows.size());
}

TEST_CASE("cli: with --key-vlan / --key-interface each flow lists its vlan / interface", "[cli][connections]") {
    const std::string data = std::string(TRACEFLOW_SOURCE_DIR) + "/tests/data/dup/";
    for (const auto& [option, field, capture] :
         {std::tuple<std::string, std::string, std::string>{"--key-vlan", "vlan", data + "dup_vlan.pcap"},
          {"--key-interface", "interface", data + "dup_interfaces.pcapng"}}) {
        for (const std::string mode : {"", "--conn "}) {  // open flows and ended ones (kept compactly)
            const Run r = run("-q --json " + mode + option + " " + capture);
            REQUIRE(r.status == 0);
            const auto flows = json_lines(r.out);
            REQUIRE(!flows.empty());
            std::set<std::string> keys;  // (4-tuple, scope): each once
            std::set<long long> scopes;
            for (const auto& flow : flows) {
                REQUIRE(flow.has(field));
                scopes.insert(flow[field].as_int());
                keys.insert(flow["src"].text + flow["srcport"].text + flow["dst"].text + flow["dstport"].text + "/" +
                            flow[field].text + "/" + flow["first"].text);
            }
            CHECK(scopes.size() == 2);  // the duplicate copies are told apart by their scope
            CHECK(keys.size() == flows.size());
            const Run plain = run("-q --json " + mode + capture);
            CHECK(plain.out.find("\"" + field + "\"") == std::string::npos);
        }
    }
    CHECK(run("-q --json --fields vlan " + sample()).status == 1);
}

#endif
