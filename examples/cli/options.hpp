// SPDX-License-Identifier: MIT
// The command-line tool's options: what the user asked for, parsed and checked.
#pragma once

#include <traceflow/traceflow.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

constexpr int exit_ok = 0;
constexpr int exit_usage = 1;
constexpr int exit_io = 2;

enum class Listing { table, json, csv };

struct Options {
    std::vector<std::string> inputs;
    traceflow::TraceFlowOptions trace;
    Listing listing = Listing::table;
    bool quiet = false;
    bool stream = false;  // --stream: print each flow as it ends (JSON or CSV only)
    unsigned threads = 0;  // 0: 2 when the machine has a second core, else 1
};

// Seconds as given on the command line ("2", "0.5") to capture-time nanoseconds.
inline std::optional<std::chrono::nanoseconds> parse_seconds(const std::string& text) {
    const auto t = traceflow::Timestamp::parse(text);
    if (!t || t->sec < 0) return std::nullopt;
    return std::chrono::nanoseconds(t->total_nanoseconds());
}

inline void print_help(std::FILE* out) {
    std::fputs(
        "usage: traceflow [options] CAPTURE...    (- reads standard input)\n"
        "\n"
        "Lists the TCP flows of pcap/pcapng captures; optionally writes each flow to a file.\n"
        "\n"
        "  -o, --output DIR        write per-flow files under DIR (default: no files)\n"
        "  -f, --format FMT        pcap|cap|json|plist|xml|tree|txt|text (default pcap)\n"
        "      --byteorder ORDER   little|big: byte order of pcap output (default: this machine's)\n"
        "      --nanosecond        pcap output with nanosecond times\n"
        "      --max-open-files N  output files held open at once (default 64)\n"
        "\n"
        "Flows (defaults reproduce pcapkit's TraceFlow):\n"
        "      --bidirectional     one flow per connection, labelled from its initiator\n"
        "      --lifecycle L       pcapkit (a FIN ends its direction) or tcp (FIN from both\n"
        "                          sides or RST, plus a linger; new SYNs start new flows)\n"
        "      --fin-linger SEC    tcp: time kept after both FINs (default 2)\n"
        "      --rst-linger SEC    tcp: time kept after a RST (default 1)\n"
        "      --idle-timeout SEC  end flows idle this long (capture time)\n"
        "      --active-timeout SEC  end flows open this long (capture time)\n"
        "      --max-flows N       evict the least recently seen flow beyond N live flows\n"
        "      --key-vlan          the VLAN id is part of the flow key\n"
        "      --key-interface     the pcapng interface is part of the flow key\n"
        "      --stats             per-flow statistics in the listing\n"
        "      --json              flows as JSON lines: label, index, fpout, end_reason\n"
        "      --csv               flows as CSV\n"
        "      --stream            with --json or --csv: print each flow as it ends (ending\n"
        "                          order), open flows at the end; on a pipe, lingers and\n"
        "                          timeouts also run on the wall clock while it is quiet\n"
        "  -j, --threads N         1, or 2 to read and decode on a second thread (default:\n"
        "                          2 when there are 2 or more cores; same output either way)\n"
        "  -q, --quiet             no summary on stderr\n"
        "  -h, --help              this help\n"
        "      --version           print the version\n"
        "\n"
        "Exit status: 0 ok, 1 usage error, 2 input or output error (flows traced\n"
        "before the error are still listed and written; later inputs still read).\n"
        "SIGINT/SIGTERM/SIGHUP: stop reading, complete files, list, then die by the\n"
        "signal (130/143/129). A closed pipe on stdout: stop quietly, die by SIGPIPE.\n",
        out);
}

[[noreturn]] inline void usage_error(const std::string& message) {
    std::fprintf(stderr, "traceflow: %s\ntry 'traceflow --help'\n", message.c_str());
    std::exit(exit_usage);
}

inline std::optional<unsigned long long> parse_count(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    unsigned long long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
}

inline Options parse_arguments(int argc, char** argv) {
    Options o;
    o.trace.format = "pcap";
    bool only_inputs = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string value;
        bool has_inline_value = false;
        if (!only_inputs && arg.rfind("--", 0) == 0) {
            const std::size_t eq = arg.find('=');
            if (eq != std::string::npos) {
                value = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
                has_inline_value = true;
            }
        }
        const auto take_value = [&]() -> std::string {
            if (has_inline_value) return value;
            if (i + 1 >= argc) usage_error("option " + arg + " needs a value");
            return argv[++i];
        };
        if (only_inputs || arg == "-" || arg.empty() || arg[0] != '-') {
            o.inputs.push_back(arg);
        } else if (arg == "--") {
            only_inputs = true;
        } else if (arg == "-o" || arg == "--output") {
            o.trace.fout = take_value();
            if (o.trace.fout.empty()) usage_error("--output needs a folder");
        } else if (arg == "-f" || arg == "--format") {
            o.trace.format = take_value();
        } else if (arg == "--byteorder") {
            const std::string v = take_value();
            if (v == "little") o.trace.byteorder = traceflow::ByteOrder::little;
            else if (v == "big") o.trace.byteorder = traceflow::ByteOrder::big;
            else usage_error("--byteorder must be little or big, not '" + v + "'");
        } else if (arg == "--nanosecond") {
            o.trace.nanosecond = true;
        } else if (arg == "--max-open-files") {
            const auto n = parse_count(take_value());
            if (!n || *n == 0) usage_error("--max-open-files needs a positive number");
            o.trace.max_open_files = static_cast<std::size_t>(*n);
        } else if (arg == "--bidirectional") {
            o.trace.keying = traceflow::FlowKeying::bidirectional;
        } else if (arg == "--lifecycle") {
            const std::string v = take_value();
            if (v == "pcapkit") o.trace.lifecycle = traceflow::Lifecycle::pcapkit;
            else if (v == "tcp") o.trace.lifecycle = traceflow::Lifecycle::tcp;
            else usage_error("--lifecycle must be pcapkit or tcp, not '" + v + "'");
        } else if (arg == "--fin-linger" || arg == "--rst-linger" || arg == "--idle-timeout" ||
                   arg == "--active-timeout") {
            const std::string v = take_value();
            const auto seconds = parse_seconds(v);
            if (!seconds) usage_error(arg + " needs a number of seconds, not '" + v + "'");
            if (arg == "--fin-linger") o.trace.fin_linger = *seconds;
            else if (arg == "--rst-linger") o.trace.rst_linger = *seconds;
            else if (arg == "--idle-timeout") o.trace.idle_timeout = *seconds;
            else o.trace.active_timeout = *seconds;
        } else if (arg == "--max-flows") {
            const auto n = parse_count(take_value());
            if (!n || *n == 0) usage_error("--max-flows needs a positive number");
            o.trace.max_flows = static_cast<std::size_t>(*n);
        } else if (arg == "--key-vlan") {
            o.trace.key_vlan = true;
        } else if (arg == "--key-interface") {
            o.trace.key_interface = true;
        } else if (arg == "--stats") {
            o.trace.statistics = true;
        } else if (arg == "--json") {
            o.listing = Listing::json;
        } else if (arg == "--csv") {
            o.listing = Listing::csv;
        } else if (arg == "--stream") {
            o.stream = true;
        } else if (arg == "-j" || arg == "--threads") {
            const auto n = parse_count(take_value());
            if (!n || (*n != 1 && *n != 2)) usage_error("--threads needs 1 or 2");
            o.threads = static_cast<unsigned>(*n);
        } else if (arg == "-q" || arg == "--quiet") {
            o.quiet = true;
        } else if (arg == "-h" || arg == "--help") {
            print_help(stdout);
            std::exit(exit_ok);
        } else if (arg == "--version") {
            std::printf("traceflow %s\n", traceflow::version_string);
            std::exit(exit_ok);
        } else {
            usage_error("unknown option " + arg);
        }
    }
    if (o.inputs.empty()) usage_error("no capture given");
    if (o.stream && o.listing == Listing::table) usage_error("--stream needs --json or --csv");
    return o;
}

}  // namespace cli
