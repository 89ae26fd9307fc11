// SPDX-License-Identifier: MIT
// The command line as analysts use it: --filter, --decap, -f pcapng, --force,
// strict option combinations, clustered short options, strtod numbers, -r,
// -c, the table's width and the summary by end reason (runs the built binary).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "cli_run.hpp"
#include "mini_json.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_CLI_PATH)

namespace {

using testcli::json_lines;
using testcli::Run;
using testcli::run;
using testcli::sample;
std::string data(const char* name) { return std::string(TRACEFLOW_TEST_DATA_DIR) + "/" + name; }

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string line;
    while (std::getline(ss, line)) out.push_back(line);
    return out;
}

std::size_t files_in(const std::string& dir) {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("cli options: short options cluster and take attached values", "[cli][options]") {
    for (const char* form : {"-qo DIR", "-q -oDIR", "-qoDIR", "-q -o DIR -j1", "-qj 1 -o DIR", "-qj1 -oDIR"}) {
        INFO(form);
        testutil::TempDir dir;
        std::string args = form;
        args.replace(args.find("DIR"), 3, dir.str() + "/flows");
        const Run r = run(args + " " + sample());
        CHECK(r.status == 0);
        CHECK(r.err.empty());  // -q
        CHECK(files_in(dir.str() + "/flows") == 17);
    }
    CHECK(run("-qx " + sample()).status == 1);
    CHECK(run("-q -o").status == 1);
}

TEST_CASE("cli options: numbers read like strtod; bad ones are usage errors", "[cli][options]") {
    for (const char* ok : {"1e3", ".5", "0", "2", "0.000001", "1E-3"}) {
        INFO(ok);
        CHECK(run(std::string("-q --idle-timeout ") + ok + " " + sample()).status == 0);
    }
    for (const char* bad : {"-1", "nan", "inf", "1e400", "1x", "", "0x", "1e10"}) {
        INFO(bad);
        const Run r = run(std::string("-q --idle-timeout '") + bad + "' " + sample());
        CHECK(r.status == 1);
        CHECK(r.err.find("--idle-timeout") != std::string::npos);
    }
    CHECK(run("-q --max-flows 1e3 " + sample()).status == 0);
    CHECK(run("-q --max-flows 1.5 " + sample()).status == 1);
    CHECK(run("-q --max-flows 99999999999999999999999 " + sample()).status == 1);
    const Run help = run("--help");
    CHECK(help.out.find("default 0: off") != std::string::npos);
}

TEST_CASE("cli options: options without effect or contradicting are refused, saying why", "[cli][options]") {
    struct Case {
        const char* args;
        const char* says;
    };
    const Case cases[] = {
        {"-f json", "without -o"},
        {"--format pcap", "without -o"},
        {"--byteorder big", "without -o"},
        {"--nanosecond", "without -o"},
        {"--max-open-files 4", "without -o"},
        {"--force", "without -o"},
        {"--name {src}", "without -o"},
        {"-o OUT --name {bogus}", "--name"},
        {"--fin-linger 1", "--lifecycle tcp"},
        {"--rst-linger 1 --lifecycle pcapkit", "--lifecycle tcp"},
        {"--json --csv", "contradict"},
        {"-o OUT -f bogus", "unknown output format 'bogus'"},
        {"-o OUT -f json --nanosecond", "only applies to -f pcap"},
        {"-o OUT -f text --byteorder big", "only applies to -f pcap"},
    };
    for (const Case& c : cases) {
        INFO(c.args);
        testutil::TempDir dir;
        std::string args = c.args;
        if (args.find("OUT") != std::string::npos) args.replace(args.find("OUT"), 3, dir.str() + "/o");
        const Run r = run(args + " " + sample());
        CHECK(r.status == 1);
        CHECK(r.err.find(c.says) != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(dir.str() + "/o"));
    }
    // Fine combinations.
    CHECK(run("-q --stats " + sample()).status == 0);
    CHECK(run("-q --lifecycle tcp --fin-linger 1 --rst-linger .5 " + sample()).status == 0);
    testutil::TempDir dir;
    CHECK(run("-q -o " + dir.str() + "/o -f pcapng --byteorder big " + sample()).status == 0);
}

TEST_CASE("cli options: a folder that holds files is refused unless --force", "[cli][options]") {
    testutil::TempDir dir;
    const std::string out = dir.str() + "/flows";
    REQUIRE(run("-q -o " + out + " " + sample()).status == 0);
    REQUIRE(files_in(out) == 17);
    const Run again = run("-q -o " + out + " " + sample());
    CHECK(again.status == 1);
    CHECK(again.err.find("--force") != std::string::npos);
    CHECK(again.err.find(out) != std::string::npos);
    CHECK(run("-q --force -o " + out + " " + sample()).status == 0);
    CHECK(files_in(out) == 17);  // the same flows, rewritten
    std::filesystem::create_directories(dir.str() + "/empty");
    CHECK(run("-q -o " + dir.str() + "/empty " + sample()).status == 0);
}

TEST_CASE("cli options: -r names an input, -c stops after N frames of all inputs", "[cli][options]") {
    const Run all = run("--json -q -r " + sample());
    REQUIRE(all.status == 0);
    CHECK(json_lines(all.out).size() == 17);
    for (const unsigned n : {1u, 7u, 50u, 101u, 150u}) {
        for (const char* threads : {"-j1", "-j2"}) {
            INFO(n << " " << threads);
            const Run r =
                run(std::string(threads) + " -c " + std::to_string(n) + " --json -r " + sample() + " -r " + sample());
            CHECK(r.status == 0);
            CHECK(r.err.find("traceflow: " + std::to_string(n) + (n == 1 ? " frame," : " frames,")) == 0);
            std::uint64_t highest = 0;
            for (const auto& flow : json_lines(r.out))
                for (const auto& f : flow["index"].items) highest = std::max<std::uint64_t>(highest, f.as_int());
            CHECK(highest <= n);
        }
    }
    CHECK(run("-c 0 " + sample()).status == 1);
    CHECK(run("-c -3 " + sample()).status == 1);
}

TEST_CASE("cli options: --filter traces the matching packets, frame numbers unchanged", "[cli][options][filter]") {
    const Run all = run("--json -q " + sample());
    const Run some = run("--json \"--filter=src port 8000\" " + sample());
    REQUIRE(some.status == 0);
    const auto a = json_lines(all.out);
    const auto s = json_lines(some.out);
    std::size_t expected = 0;
    for (const auto& flow : a)
        if (flow["label"].as_string().find("_8000-10.77.0.1_") != std::string::npos) {
            ++expected;
            bool found = false;
            for (const auto& g : s)
                if (g["label"].as_string() == flow["label"].as_string()) {
                    found = true;
                    CHECK(g["index"].items.size() == flow["index"].items.size());
                    for (std::size_t i = 0; i < g["index"].items.size(); ++i)
                        CHECK(g["index"].items[i].as_int() == flow["index"].items[i].as_int());
                }
            CHECK(found);
        }
    CHECK(s.size() == expected);
    CHECK(some.err.find("101 frames") != std::string::npos);
    CHECK(some.err.find("filtered out") != std::string::npos);
    const Run bad = run("--filter 'port 80 and bogus' " + sample());
    CHECK(bad.status == 1);
    CHECK(bad.err.find("'bogus'") != std::string::npos);
    CHECK(bad.err.find("\n              ^^^^^\n") != std::string::npos);  // the caret under the word
}

TEST_CASE("cli options: --decap lists tunnelled flows as the unwrapped capture", "[cli][options][decap]") {
    const Run plain = run("--json -q " + sample());
    for (const char* file :
         {"tunnels/vxlan.pcap", "tunnels/geneve.pcap", "tunnels/gre_eth.pcap", "tunnels/gre_ip.pcap"}) {
        INFO(file);
        const Run off = run("--json " + data(file));
        CHECK(off.out.empty());
        const Run on = run("--json --decap " + data(file));
        REQUIRE(on.status == 0);
        CHECK(on.out == plain.out);
        const std::string tunnel = std::string(file).substr(8, std::string(file).find_first_of("_.", 8) - 8);
        CHECK(on.err.find(tunnel + "-not-tcp 8") != std::string::npos);
    }
}

TEST_CASE("cli options: -f pcapng writes .pcapng files", "[cli][options][pcapng]") {
    testutil::TempDir dir;
    const Run r = run("--json -q -o " + dir.str() + "/o -f pcapng " + data("pcapng/two_links.pcapng"));
    REQUIRE(r.status == 0);
    for (const auto& flow : json_lines(r.out)) {
        const std::string path = flow["fpout"].as_string();
        CHECK(path.substr(path.size() - 7) == ".pcapng");
        CHECK(testutil::read_file(path).substr(0, 4) == std::string("\x0A\x0D\x0D\x0A", 4));
    }
    const Run pcap = run("-q -o " + dir.str() + "/p " + data("pcapng/two_links.pcapng"));
    CHECK(pcap.status == 0);
    CHECK(pcap.err.find("mixes link types") != std::string::npos);
}

TEST_CASE("cli options: JSON and CSV carry the same fields; CSV names the pairs", "[cli][options]") {
    for (const char* stats : {"", "--stats "}) {
        INFO(stats);
        const Run j = run(std::string("--json -q ") + stats + sample());
        const Run c = run(std::string("--csv -q ") + stats + sample());
        const auto rows = lines(c.out);
        const auto objects = json_lines(j.out);
        REQUIRE(rows.size() == objects.size() + 1);
        std::vector<std::string> header;
        std::stringstream hs(rows[0]);
        for (std::string name; std::getline(hs, name, ',');) header.push_back(name);
        std::set<std::string> from_json;
        for (const auto& member : objects[0].members) {
            if (member.second.items.size() == 2 && member.first != "index") {
                from_json.insert(member.first + "_orig");
                from_json.insert(member.first + "_resp");
            } else {
                from_json.insert(member.first);
            }
        }
        CHECK(std::set<std::string>(header.begin(), header.end()) == from_json);
        CHECK(from_json.count("first") == 1);
        CHECK(from_json.count("last") == 1);
        CHECK(from_json.count("frames") == 1);
        CHECK(from_json.count("packets") == 0);  // never a total in one format and a pair in the other
        CHECK(objects[0]["frames"].as_int() == static_cast<long long>(objects[0]["index"].items.size()));
    }
}

TEST_CASE("cli options: endpoint fields, IPv6 in standard text", "[cli][options]") {
    const struct {
        std::string file;
        const char* client;
        const char* server;
    } cases[] = {
        {sample(), "10.77.0.1", "10.77.0.2"},
        {data("ipv6/wide6.pcap"), "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:2"},
        {data("ipv6/loopback6.pcap"), "::1", "::1"}};
    for (const auto& c : cases) {
        INFO(c.file);
        const Run r = run("--json -q " + c.file);
        REQUIRE(r.status == 0);
        const auto flows = json_lines(r.out);
        REQUIRE(flows.size() == 17);
        for (const auto& flow : flows) {
            // The client uses ephemeral ports; the servers listen on 8000 and 8081.
            const bool from_client = flow["srcport"].as_int() > 10000;
            CHECK(flow["src"].as_string() == (from_client ? c.client : c.server));
            CHECK(flow["dst"].as_string() == (from_client ? c.server : c.client));
            const long long server_port = flow[from_client ? "dstport" : "srcport"].as_int();
            CHECK((server_port == 8000 || server_port == 8081));
            CHECK(flow["label"].as_string().find("_" + std::to_string(flow["srcport"].as_int()) + "-") !=
                  std::string::npos);
        }
        const Run csv = run("--csv -q " + c.file);
        CHECK(lines(csv.out)[1].find(std::string(",") + c.client + ",") != std::string::npos);
    }
}

TEST_CASE("cli options: the table's FLOW column fits the longest label, IPv6 included", "[cli][options]") {
    const Run r = run("-q " + data("ipv6/wide6.pcap"));
    REQUIRE(r.status == 0);
    const auto rows = lines(r.out);
    REQUIRE(rows.size() > 1);
    const std::size_t packets_at = rows[0].find("PACKETS");
    std::size_t longest = 0;
    const std::size_t label_at = 7;  // after the NUMBER column (6 wide) and a space
    CHECK(rows[0].find("FLOW") == label_at);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const std::size_t label_end = rows[i].find(' ', label_at) - label_at;
        longest = std::max(longest, label_end);
        CHECK(rows[i][packets_at + 6] != ' ');  // the PACKETS column is right-aligned under its heading
        CHECK(rows[i][packets_at + 7] == ' ');
    }
    CHECK(longest > 64);
    CHECK(packets_at == label_at + longest + 2);  // label, a space, then the 8-wide right-aligned count
}

TEST_CASE("cli options: --name names the files; a hidden name warns once; no double slash", "[cli][options]") {
    testutil::TempDir dir;
    // ::1 to ::1: labels start with '.', but file names write the address 0..1: nothing hidden, no warning.
    const Run plain = run("--json -o " + dir.str() + "/p/ " + data("ipv6/loopback6.pcap"));
    REQUIRE(plain.status == 0);
    CHECK(plain.err.find("hidden") == std::string::npos);
    for (const auto& flow : json_lines(plain.out)) {
        const std::string path = flow["fpout"].as_string();
        CHECK(path.find("//") == std::string::npos);  // -o DIR/ joins with one slash
        CHECK(path == dir.str() + "/p/0" + flow["label"].as_string() + ".pcap");
    }
    // A template that asks for hidden names: one warning, naming --name, not one per flow.
    const Run hidden = run("--json --name .{label} -o " + dir.str() + "/h/ " + data("ipv6/loopback6.pcap"));
    REQUIRE(hidden.status == 0);
    std::size_t warnings = 0;
    for (std::size_t at = 0; (at = hidden.err.find("hidden", at)) != std::string::npos; ++at) ++warnings;
    CHECK(warnings == 1);
    CHECK(hidden.err.find("--name") != std::string::npos);
    for (const auto& flow : json_lines(hidden.out)) {
        const std::string path = flow["fpout"].as_string();
        CHECK(path.find("//") == std::string::npos);
        CHECK(path.rfind(dir.str() + "/h/.", 0) == 0);
    }
    const Run named = run("--json -q --name flow_{src}-{srcport}_{dst}-{dstport}_{first} -o " + dir.str() + "/n " +
                          data("ipv6/loopback6.pcap"));
    REQUIRE(named.status == 0);
    CHECK(named.err.empty());
    const auto flows = json_lines(named.out);
    REQUIRE(flows.size() == 17);
    for (const auto& flow : flows) {
        const std::string path = flow["fpout"].as_string();
        const std::string name = path.substr(path.rfind('/') + 1);
        CHECK(name.front() != '.');
        CHECK(name.rfind(std::to_string(flow["dstport"].as_int()), std::string::npos) != std::string::npos);
        CHECK(std::filesystem::exists(path));
    }
}

TEST_CASE("cli options: the summary counts flows by end reason", "[cli][options]") {
    const Run r = run("--lifecycle tcp --bidirectional " + sample());
    REQUIRE(r.status == 0);
    CHECK(r.err.find("6 flows (fin 5, rst 1)") != std::string::npos);
    const Run p = run(sample());
    CHECK(p.err.find("17 flows (open ") != std::string::npos);
}

#endif
