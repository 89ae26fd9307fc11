// SPDX-License-Identifier: MIT
// traceflow: the command-line tool. Reads captures, prints every TCP flow,
// optionally writes each flow to its own file.
#include <traceflow/traceflow.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#define TRACEFLOW_CLI_HAVE_ISATTY 1
#endif

namespace {

constexpr int exit_ok = 0;
constexpr int exit_usage = 1;
constexpr int exit_io = 2;

enum class Listing { table, json, csv };

struct Options {
    std::vector<std::string> inputs;
    traceflow::TraceFlowOptions trace;
    Listing listing = Listing::table;
    bool quiet = false;
    unsigned threads = 0;  // 0: 2 when the machine has a second core, else 1
};

// Seconds as given on the command line ("2", "0.5") to capture-time nanoseconds.
std::optional<std::chrono::nanoseconds> parse_seconds(const std::string& text) {
    const auto t = traceflow::Timestamp::parse(text);
    if (!t || t->sec < 0) return std::nullopt;
    return std::chrono::nanoseconds(t->total_nanoseconds());
}

void print_help(std::FILE* out) {
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
        "  -j, --threads N         1, or 2 to read and decode on a second thread (default:\n"
        "                          2 when there are 2 or more cores; same output either way)\n"
        "  -q, --quiet             no summary on stderr\n"
        "  -h, --help              this help\n"
        "      --version           print the version\n"
        "\n"
        "Exit status: 0 ok, 1 usage error, 2 input or output error (flows traced\n"
        "before the error are still listed and written).\n",
        out);
}

[[noreturn]] void usage_error(const std::string& message) {
    std::fprintf(stderr, "traceflow: %s\ntry 'traceflow --help'\n", message.c_str());
    std::exit(exit_usage);
}

std::optional<unsigned long long> parse_count(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    unsigned long long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
}

Options parse_arguments(int argc, char** argv) {
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
    return o;
}

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\n") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

void append_pair(std::string& line, const char* key, std::uint64_t a, std::uint64_t b) {
    line += ", \"";
    line += key;
    line += "\": [" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

// The statistics of one flow as JSON members (after the required ones).
void append_json_stats(std::string& line, const traceflow::FlowStats& s) {
    append_pair(line, "packets", s.packets[0], s.packets[1]);
    append_pair(line, "bytes", s.bytes[0], s.bytes[1]);
    append_pair(line, "payload", s.payload[0], s.payload[1]);
    line += ", \"first\": " + s.first.to_decimal() + ", \"last\": " + s.last.to_decimal();
    line += ", \"duration\": " + traceflow::Timestamp::from_nanoseconds(s.duration_ns()).to_decimal();
    line += ", \"syn\": " + std::to_string(s.syn) + ", \"synack\": " + std::to_string(s.synack) +
            ", \"fin\": " + std::to_string(s.fin) + ", \"rst\": " + std::to_string(s.rst);
    line += ", \"conn_state\": \"" + s.conn_state + "\", \"history\": \"" + s.history + "\"";
    line += ", \"community_id\": ";
    traceflow::formats::detail::append_json_string(line, s.community_id);
}

void print_flows(const std::vector<traceflow::Index>& flows, Listing listing, bool stats) {
    std::string line;
    if (listing == Listing::csv) {
        std::fputs("label,packets,index,fpout,end_reason", stdout);
        if (stats)
            std::fputs(",packets_orig,packets_resp,bytes_orig,bytes_resp,payload_orig,payload_resp,first,last,"
                       "conn_state,history,community_id",
                       stdout);
        std::fputs("\n", stdout);
    }
    if (listing == Listing::table && !flows.empty()) {
        std::printf("%-64s %8s  %-14s", "FLOW", "PACKETS", "END");
        if (stats) std::printf(" %-7s %-12s %12s", "STATE", "HISTORY", "BYTES");
        std::printf(" %s\n", "FRAMES");
    }
    static const traceflow::FlowStats no_stats;
    for (const traceflow::Index& flow : flows) {
        const traceflow::FlowStats& s = flow.stats ? *flow.stats : no_stats;  // present with --stats
        line.clear();
        if (listing == Listing::json) {
            line += "{\"label\": ";
            traceflow::formats::detail::append_json_string(line, flow.label);
            line += ", \"index\": [";
            for (std::size_t i = 0; i < flow.index.size(); ++i) {
                if (i != 0) line += ", ";
                line += std::to_string(flow.index[i]);
            }
            line += "], \"fpout\": ";
            if (flow.fpout) traceflow::formats::detail::append_json_string(line, *flow.fpout);
            else line += "null";
            line += ", \"end_reason\": \"";
            line += traceflow::to_string(flow.reason);
            line += "\"";
            if (stats) append_json_stats(line, s);
            line += "}\n";
        } else if (listing == Listing::csv) {
            line += csv_field(flow.label) + "," + std::to_string(flow.index.size()) + ",";
            for (std::size_t i = 0; i < flow.index.size(); ++i) {
                if (i != 0) line += ' ';
                line += std::to_string(flow.index[i]);
            }
            line += "," + csv_field(flow.fpout.value_or("")) + "," + traceflow::to_string(flow.reason);
            if (stats) {
                for (std::size_t d = 0; d < 2; ++d) line += "," + std::to_string(s.packets[d]);
                for (std::size_t d = 0; d < 2; ++d) line += "," + std::to_string(s.bytes[d]);
                for (std::size_t d = 0; d < 2; ++d) line += "," + std::to_string(s.payload[d]);
                line += "," + s.first.to_decimal() + "," + s.last.to_decimal() + "," + s.conn_state + "," +
                        s.history + "," + s.community_id;
            }
            line += "\n";
        } else {
            std::string frames;
            for (std::size_t i = 0; i < flow.index.size() && i < 8; ++i) {
                if (i != 0) frames += ',';
                frames += std::to_string(flow.index[i]);
            }
            if (flow.index.size() > 8) frames += ",...";
            char buf[256];
            std::snprintf(buf, sizeof buf, "%-64s %8zu  %-14s", flow.label.c_str(), flow.index.size(),
                          traceflow::to_string(flow.reason));
            line = buf;
            if (stats) {
                std::snprintf(buf, sizeof buf, " %-7s %-12s %12llu", s.conn_state.c_str(), s.history.c_str(),
                              static_cast<unsigned long long>(s.bytes[0] + s.bytes[1]));
                line += buf;
            }
            line += " " + frames + "\n";
        }
        std::fwrite(line.data(), 1, line.size(), stdout);
    }
}

bool stderr_is_terminal() {
#if defined(TRACEFLOW_CLI_HAVE_ISATTY)
    return ::isatty(2) != 0;
#else
    return false;
#endif
}

void print_summary(const traceflow::ExtractStats& stats, std::size_t flows, double seconds) {
    std::fprintf(stderr, "traceflow: %llu frames, %llu TCP frames, %zu flows",
                 static_cast<unsigned long long>(stats.frames), static_cast<unsigned long long>(stats.tcp_frames),
                 flows);
    std::fprintf(stderr, "; skipped %llu", static_cast<unsigned long long>(stats.skipped()));
    const char* sep = " (";
    for (std::size_t i = 1; i < traceflow::decode::outcome_count; ++i) {
        if (stats.outcomes[i] == 0) continue;
        std::fprintf(stderr, "%s%s %llu", sep, traceflow::decode::to_string(static_cast<traceflow::decode::Outcome>(i)),
                     static_cast<unsigned long long>(stats.outcomes[i]));
        sep = ", ";
    }
    if (sep[0] == ',') std::fputs(")", stderr);
    const double rate = seconds > 0 ? static_cast<double>(stats.frames) / seconds : 0.0;
    std::fprintf(stderr, "; %.3f s, %.0f packets/s\n", seconds, rate);
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse_arguments(argc, argv);
    traceflow::TraceFlowOptions trace_options = options.trace;
    const auto start = std::chrono::steady_clock::now();
    traceflow::ExtractStats stats;
    int status = exit_ok;
    std::vector<traceflow::Index> flows;
    try {
        traceflow::TraceFlow<traceflow::CapturePacket> tracer(trace_options);
        const bool show_progress = !options.quiet && stderr_is_terminal();
        const bool threaded =
            options.threads == 2 || (options.threads == 0 && std::thread::hardware_concurrency() >= 2);
        // Runs on the reading thread when threaded: it looks at the reader only.
        auto progress = [](const traceflow::io::CaptureReader& reader) {
            std::fprintf(stderr, "\r%s: %llu frames, %.1f MB", reader.path().c_str(),
                         static_cast<unsigned long long>(reader.records_read()),
                         static_cast<double>(reader.bytes_read()) / 1e6);
        };
        for (const std::string& input : options.inputs) {
            try {
                const std::function<void(const traceflow::io::CaptureReader&)> report =
                    show_progress ? progress : std::function<void(const traceflow::io::CaptureReader&)>();
                if (threaded) traceflow::feed_threaded(input, tracer, stats, report);
                else traceflow::feed(input, tracer, stats, report);
            } catch (const traceflow::Error& e) {
                // Keep what was traced; report the broken input and go on to list.
                if (show_progress) std::fputs("\r\033[K", stderr);
                std::fprintf(stderr, "traceflow: error: %s\n", e.what());
                status = exit_io;
                break;
            }
            if (show_progress) std::fputs("\r\033[K", stderr);
        }
        try {
            // In the tcp lifecycle every flow ends, so each carries its reason.
            if (trace_options.lifecycle == traceflow::Lifecycle::tcp) tracer.end_of_input();
            tracer.finish();
        } catch (const traceflow::Error& e) {
            std::fprintf(stderr, "traceflow: error: %s\n", e.what());
            status = exit_io;
        }
        flows = tracer.index();
    } catch (const traceflow::Error& e) {
        std::fprintf(stderr, "traceflow: error: %s\n", e.what());
        return exit_io;
    }
    print_flows(flows, options.listing, options.trace.statistics);
    std::fflush(stdout);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!options.quiet) print_summary(stats, flows.size(), seconds);
    return status;
}
