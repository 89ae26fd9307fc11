// SPDX-License-Identifier: MIT
// tcpdump habits (issue 27): with -r the other words are the filter, -w points
// to -o, and a capture whose TCP is all inside tunnels suggests --decap (runs
// the built binary).
#include <string>
#include <vector>

#include "cli_run.hpp"
#include "mini_json.hpp"
#include "test_catch.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace {

using testcli::json_lines;
using testcli::Run;
using testcli::run;
using testcli::sample;

std::string tunnel(const char* name) { return std::string(TRACEFLOW_TEST_DATA_DIR) + "/tunnels/" + name; }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const char* const tunnel_hint = "tunnels (93 with TCP inside) and no TCP was found outside them: try --decap";

}  // namespace

TEST_CASE("cli habits: -r FILE port 8000 lists the port-8000 flows, as --filter 'port 8000'", "[cli][habits]") {
    const Run words = run("--json -q -r " + sample() + " port 8000");
    const Run filter = run("--json -q --filter 'port 8000' " + sample());
    REQUIRE(words.status == 0);
    REQUIRE(filter.status == 0);
    CHECK(words.out == filter.out);
    CHECK(words.err.empty());
    const auto flows = json_lines(words.out);
    CHECK(flows.size() == 15);  // of the sample's 17: all but the two on port 8081
    for (const auto& flow : flows) CHECK((flow["srcport"].as_int() == 8000 || flow["dstport"].as_int() == 8000));
    // The summary counts what the filter left out, as with --filter.
    const Run summary = run("-r " + sample() + " port 8000");
    CHECK(summary.status == 0);
    CHECK(has(summary.err, "15 flows"));
    CHECK(has(summary.err, "filtered out 2 TCP frames"));  // frames 98 and 99, port 8081
}

TEST_CASE("cli habits: with -r, options may come before, between or after the filter words", "[cli][habits]") {
    const Run reference = run("--json -q --filter 'dst port 8081' " + sample());
    REQUIRE(reference.status == 0);
    REQUIRE(json_lines(reference.out).size() == 1);
    for (const std::string& args : {
             "--json -q -r " + sample() + " dst port 8081",
             "dst port 8081 --json -q -r " + sample(),
             "dst --json port -q 8081 -r " + sample(),
             "-r " + sample() + " dst port 8081 --json -q",
             "--json -qr" + sample() + " -- dst port 8081",
         }) {
        INFO(args);
        const Run r = run(args);
        CHECK(r.status == 0);
        CHECK(r.out == reference.out);
    }
}

TEST_CASE("cli habits: -r a -r b host X filters both captures", "[cli][habits]") {
    const Run r = run("--json -r " + sample() + " -r " + sample() + " host 10.77.0.1 and port 8081");
    REQUIRE(r.status == 0);
    CHECK(has(r.err, "202 frames, 186 TCP frames, 2 flows"));
    const auto flows = json_lines(r.out);
    REQUIRE(flows.size() == 2);
    // The second capture's frames continue the numbers: 98 and 99 again as 199 and 200.
    CHECK(flows[0]["index"].items.size() == 2);
    CHECK(flows[0]["index"].items[1].as_int() == 199);
    CHECK(flows[1]["index"].items[1].as_int() == 200);
    // Without words, every -r file is a capture and nothing is filtered: as the two named plainly.
    const Run all = run("--json -q -r " + sample() + " -r " + sample());
    CHECK(all.status == 0);
    CHECK(all.out == run("--json -q " + sample() + " " + sample()).out);
    CHECK(json_lines(all.out).size() == 27);  // 17, and the 10 ended flows again
}

TEST_CASE("cli habits: --filter and filter words after -r are a usage error naming both", "[cli][habits]") {
    const Run r = run("-r " + sample() + " --filter 'port 80' port 8081");
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(has(r.err, "--filter 'port 80'"));
    CHECK(has(r.err, "'port 8081'"));
    // Bad filter words are reported as a bad --filter is: quoted, a caret under the word.
    const Run bad = run("-r " + sample() + " port 80 and");
    CHECK(bad.status == 1);
    CHECK(has(bad.err, "  port 80 and\n"));
    CHECK(has(bad.err, "^"));
}

TEST_CASE("cli habits: without -r the words are captures, as before", "[cli][habits]") {
    const Run r = run(sample() + " port");
    CHECK(r.status == 2);  // an input that cannot be opened: the sample is still listed
    CHECK(has(r.err, "traceflow: error: port: cannot open"));
    CHECK(has(r.out, "10.77.0.1_55650-10.77.0.2_8000-"));
    // map keeps CAPTURE PART: -r does not make PART a filter there.
    const Run map = run("map -r " + sample());
    CHECK(map.status == 1);
    CHECK(has(map.err, "map needs a capture and the part file"));
}

TEST_CASE("cli habits: -w is refused, pointing to -o DIR", "[cli][habits]") {
    for (const std::string& args :
         {"-w out.pcap " + sample(), "-r " + sample() + " -w out.pcap", std::string("-qwout.pcap")}) {
        INFO(args);
        const Run r = run(args);
        CHECK(r.status == 1);
        CHECK(r.out.empty());
        CHECK(has(r.err, "-o DIR"));
        CHECK(has(r.err, "one file per flow"));
    }
}

TEST_CASE("cli habits: TCP only inside tunnels warns to try --decap, also with -q", "[cli][habits]") {
    for (const char* name : {"vxlan.pcap", "geneve.pcap", "gre_eth.pcap", "gre_ip.pcap"}) {
        INFO(name);
        const Run plain = run(tunnel(name));
        CHECK(plain.status == 0);
        CHECK(has(plain.err, "0 TCP frames"));
        CHECK(has(plain.err, "traceflow: warning: 101 frames are VXLAN/Geneve/GRE " + std::string(tunnel_hint)));
        const Run quiet = run("-q " + tunnel(name));
        CHECK(quiet.status == 0);
        CHECK(quiet.err == "traceflow: warning: 101 frames are VXLAN/Geneve/GRE " + std::string(tunnel_hint) + "\n");
        const Run decap = run("--decap " + tunnel(name));
        CHECK(decap.status == 0);
        CHECK(has(decap.err, "93 TCP frames"));
        CHECK_FALSE(has(decap.err, "warning"));
    }
    // -c: the hint counts the frames the run read.
    const Run some = run("-q -c 50 -j1 " + tunnel("vxlan.pcap"));
    CHECK(has(some.err, "warning: 50 frames are VXLAN/Geneve/GRE tunnels (44 with TCP inside)"));
}

TEST_CASE("cli habits: no tunnel warning where TCP was found or from standard input", "[cli][habits]") {
    // The sample has TCP outside tunnels; a filter that leaves none out is no reason either.
    CHECK_FALSE(has(run(sample()).err, "warning"));
    CHECK_FALSE(has(run("-r " + sample() + " host 192.0.2.9").err, "warning"));
    // Standard input cannot be read twice: no second look, no warning.
    const Run piped = run("-q - < " + tunnel("vxlan.pcap"));
    CHECK(piped.status == 0);
    CHECK(piped.err.empty());
}

#endif  // TRACEFLOW_CLI_PATH
