// SPDX-License-Identifier: MIT
// Cisco HDLC and GTP-U captures (tests/data/tunnels/README.md) through the
// built tool: the same flows as the sample they were made from, and the
// --decap hint for GTP-U.
#include <string>

#include "cli_run.hpp"
#include "test_catch.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace {

using testcli::Run;
using testcli::run;
using testcli::sample;

std::string tunnel(const char* name) { return std::string(TRACEFLOW_TEST_DATA_DIR) + "/tunnels/" + name; }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("cli: c_hdlc.pcap lists the sample's flows", "[cli][decode][c_hdlc]") {
    const Run plain = run("--json -q " + sample());
    const Run hdlc = run("--json -q " + tunnel("c_hdlc.pcap"));
    REQUIRE(plain.status == 0);
    REQUIRE(hdlc.status == 0);
    CHECK(hdlc.out == plain.out);
    CHECK(hdlc.err.empty());
}

TEST_CASE("cli: gtp_u.pcap lists the sample's flows with --decap, hints without", "[cli][decap][gtp]") {
    const Run plain = run("--json -q " + sample());
    const Run decap = run("--decap --json -q " + tunnel("gtp_u.pcap"));
    REQUIRE(decap.status == 0);
    CHECK(decap.out == plain.out);
    CHECK(decap.err.empty());
    const Run summary = run("--decap " + tunnel("gtp_u.pcap"));
    CHECK(has(summary.err, "93 TCP frames"));
    CHECK(has(summary.err, "gtp-not-tcp 8"));
    const Run off = run("-q " + tunnel("gtp_u.pcap"));
    CHECK(off.status == 0);
    CHECK(has(off.err, "101 frames are"));
    CHECK(has(off.err, "(93 with TCP inside)"));
    CHECK(has(off.err, "try --decap"));
}

#endif  // TRACEFLOW_CLI_PATH
