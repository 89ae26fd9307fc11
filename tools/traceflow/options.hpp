// SPDX-License-Identifier: MIT
// The command-line tool's options: what the user asked for, parsed and checked.
#pragma once

#include <traceflow/filter/filter.hpp>
#include <traceflow/io/range_reader.hpp>
#include <traceflow/output/name_template.hpp>
#include <traceflow/traceflow.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>

#include "choices.hpp"

namespace cli {

constexpr int exit_ok = 0;
constexpr int exit_usage = 1;
constexpr int exit_io = 2;

enum class Listing { table, json, csv };

// traceflow CAPTURE... (run), traceflow map ..., traceflow merge ...
enum class Command { run, map, merge };

struct Options {
    std::vector<std::string> inputs;
    traceflow::TraceFlowOptions trace;
    Listing listing = Listing::table;
    bool stats = false;  // print the per-flow statistics (--stats)
    bool quiet = false;
    bool stream = false;           // --stream: print each flow as it ends (JSON or CSV only)
    unsigned threads = 0;          // 0: 2 when the machine has a second core, else 1
    std::string filter;            // --filter: tcpdump syntax, empty for none
    bool decap = false;            // --decap: unwrap VXLAN, Geneve, GTP-U, GRE
    bool defrag = true;            // off with --no-defrag: IP fragments are not joined
    bool force = false;            // --force: write into a folder that is not empty
    std::uint64_t max_frames = 0;  // -c: stop after this many frames (0: no limit)
    Command command = Command::run;
    std::optional<traceflow::io::ByteRange> range;  // map --range BEGIN:END
    bool files = false;                             // map --files: carry the frames for merge -o
    std::string join;                               // merge --join PART: write the parts joined, no listing
    std::optional<FlowSet> flows;                   // --flows LIST: only these flow numbers, listed and written
    SortKey sort = SortKey::none;                   // --sort KEY: the listing's order
    std::vector<std::string> fields;                // --fields A,B,...: the JSON keys / CSV columns, in order
    std::vector<std::string> seen;                  // the options given, by their long names
    bool payload = false;                           // -f payload: each flow's streams to {name}.orig / .resp
    bool frame_files = true;                        // frames to per-flow files (-f FORMAT; not with -f payload alone)
    traceflow::OverlapPolicy overlap = traceflow::OverlapPolicy::first;  // --overlap
};

// The options map records in its part, as words the parser reads back (merge):
// everything that changes what is traced or what the per-flow files hold.
inline std::vector<std::string> recorded_options(const Options& o) {
    std::vector<std::string> words;
    const auto seconds = [](std::chrono::nanoseconds ns) {
        const long long n = ns.count();
        char text[48];
        std::snprintf(text, sizeof text, "%lld.%09lld", n / 1000000000, n % 1000000000);
        return std::string(text);
    };
    const traceflow::TraceFlowOptions& t = o.trace;
    if (t.keying == traceflow::FlowKeying::bidirectional) words.push_back("--bidirectional");
    if (t.lifecycle == traceflow::Lifecycle::tcp) {
        words.push_back("--lifecycle=tcp");
        words.push_back("--fin-linger=" + seconds(t.fin_linger));
        words.push_back("--rst-linger=" + seconds(t.rst_linger));
    }
    if (t.idle_timeout.count() != 0) words.push_back("--idle-timeout=" + seconds(t.idle_timeout));
    if (t.active_timeout.count() != 0) words.push_back("--active-timeout=" + seconds(t.active_timeout));
    if (t.max_flows != 0) words.push_back("--max-flows=" + std::to_string(t.max_flows));
    if (t.key_vlan) words.push_back("--key-vlan");
    if (t.key_interface) words.push_back("--key-interface");
    if (!o.filter.empty()) words.push_back("--filter=" + o.filter);
    if (o.decap) words.push_back("--decap");
    if (!o.defrag) words.push_back("--no-defrag");
    if (o.stats) words.push_back("--stats");
    if (o.files) {
        if (o.frame_files) words.push_back("--format=" + t.format);
        if (o.payload) words.push_back("--format=payload");
        if (o.overlap == traceflow::OverlapPolicy::last) words.push_back("--overlap=last");
        words.push_back("--name=" + t.name_template);
        if (t.byteorder == traceflow::ByteOrder::big) words.push_back("--byteorder=big");
        if (t.byteorder == traceflow::ByteOrder::little) words.push_back("--byteorder=little");
        if (t.nanosecond) words.push_back("--nanosecond");
    }
    return words;
}

[[noreturn]] inline void usage_error(const std::string& message) {
    std::fprintf(stderr, "traceflow: %s\ntry 'traceflow --help'\n", message.c_str());
    std::exit(exit_usage);
}

// A number as strtod reads it ("2", "0.5", ".5", "1e3"); nothing may follow it.
// Empty for text that is not a finite number.
inline std::optional<double> parse_number(const std::string& text) {
    if (text.empty() || text[0] == ' ' || text[0] == '\t' || text[0] == '\n') return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
    return v;
}

// Seconds as given on the command line ("2", "0.5", "1e3") to capture-time
// nanoseconds; empty when negative, not a number or too large.
inline std::optional<std::chrono::nanoseconds> parse_seconds(const std::string& text) {
    const auto v = parse_number(text);
    if (!v || *v < 0 || *v > 9.2e9) return std::nullopt;  // int64 nanoseconds hold ~292 years
    return std::chrono::nanoseconds(std::llround(*v * 1e9));
}

// A whole number as strtod reads it ("64", "1e3"); empty when negative,
// fractional, not a number or beyond 2^53.
inline std::optional<unsigned long long> parse_count(const std::string& text) {
    const auto v = parse_number(text);
    if (!v || *v < 0 || *v != std::floor(*v) || *v > 9007199254740992.0) return std::nullopt;
    return static_cast<unsigned long long>(*v);
}

inline void print_help(std::FILE* out) {
    std::fputs(
        "usage: traceflow [options] CAPTURE...    (- reads standard input)\n"
        "       traceflow [options] -r CAPTURE... [FILTER WORDS]   (as tcpdump -r f.pcap port 80)\n"
        "       traceflow map [tracing options] [--files] [--range BEGIN:END] CAPTURE PART\n"
        "       traceflow merge [--json|--csv] [--stream] [-o DIR [--force]] [-q] PART...\n"
        "       traceflow merge --join JOINED [-q] PART...\n"
        "\n"
        "Lists the TCP flows of pcap/pcapng captures; optionally writes each flow to a file.\n"
        "map traces the records starting in bytes [BEGIN, END) of CAPTURE into the file PART\n"
        "(with the options that change what is traced or written; --files carries the frames\n"
        "for merge -o); merge checks every byte of the parts and that they tile their\n"
        "captures, then lists and writes exactly as one run over the captures would.\n"
        "Parts are given in input order. Exit 2 when a part is damaged, missing, repeated,\n"
        "out of order, of another capture, version or options. merge --join writes consecutive\n"
        "parts of one capture as one part, to merge with the others: merges nest.\n"
        "\n"
        "  -r, --read FILE         read FILE (may repeat); with -r, the words that are not options\n"
        "                          are the filter, joined as one --filter expression\n"
        "  -c, --count N           stop after N frames (all inputs together)\n"
        "      --filter EXPR       trace only packets matching EXPR, tcpdump syntax: host, net,\n"
        "                          port, portrange (with src/dst, tcp), ip, ip6, vlan [N],\n"
        "                          and/or/not, parentheses, tcp[N:M] and tcp[tcpflags] tests,\n"
        "                          service names (port http-alt)\n"
        "      --decap             unwrap VXLAN (UDP 4789), Geneve (UDP 6081), GTP-U (UDP 2152)\n"
        "                          and GRE: flows of the inner TCP (default: tunnels are not\n"
        "                          TCP, as in pcapkit)\n"
        "      --no-defrag         do not join IP fragments: a first fragment is traced alone,\n"
        "                          the others counted as fragment, as in pcapkit (default:\n"
        "                          IPv4 and IPv6 fragments are joined, each frame in its flow)\n"
        "  -o, --output DIR        write per-flow files under DIR (default: no files); DIR must\n"
        "                          be empty or new unless --force\n"
        "      --force             write into DIR even when it holds files\n"
        "  -f, --format FMT        pcap|cap|pcapng|json|plist|xml|tree|txt|text (default pcap;\n"
        "                          a flow mixing link types is written as pcapng, with a warning)\n"
        "                          or payload: each flow's bytes, reassembled, to {name}.orig and\n"
        "                          {name}.resp (byte k at offset k; gaps are holes); -f payload\n"
        "                          may be given with one other format (-f pcap -f payload)\n"
        "      --overlap POLICY    first|last: which copy of a byte -f payload keeps when\n"
        "                          segments overlap (default first); differing ones are conflicts\n"
        "      --name TEMPLATE     file names from {label} {src} {srcport} {dst} {dstport} {first}\n"
        "                          (default {label}, as pcapkit); flows given one name share one\n"
        "                          file ('{dst}_{dstport}': one per server); '/' makes folders\n"
        "      --byteorder ORDER   little|big: byte order of pcap/pcapng output (default: this machine's)\n"
        "      --nanosecond        pcap output with nanosecond times (pcapng always has them)\n"
        "      --max-open-files N  output files held open at once (default 64, or the process's\n"
        "                          open-file limit less 16 when lower; fewer when files run out)\n"
        "\n"
        "Flows (defaults reproduce pcapkit's TraceFlow):\n"
        "      --bidirectional     one flow per connection, labelled from its initiator\n"
        "      --lifecycle L       pcapkit (a FIN ends its direction) or tcp (FIN from both\n"
        "                          sides or RST, plus a linger; new SYNs start new flows)\n"
        "      --fin-linger SEC    tcp: time kept after both FINs (default 2)\n"
        "      --rst-linger SEC    tcp: time kept after a RST (default 1)\n"
        "      --idle-timeout SEC  end flows idle this long (capture time; default 0: off)\n"
        "      --active-timeout SEC  end flows open this long (capture time; default 0: off)\n"
        "      --max-flows N       evict the least recently seen flow beyond N live flows\n"
        "      --key-vlan          the VLAN id is part of the flow key\n"
        "      --key-interface     the pcapng interface is part of the flow key\n"
        "\n"
        "Listing (on standard output):\n"
        "      --conn              connections: --bidirectional --lifecycle tcp\n"
        "      --flows LIST        only flows numbered in LIST (0,3,7-9): listed and written\n"
        "      --sort KEY          first|last (earliest first), packets|bytes|duration (largest first)\n"
        "      --fields A,B,...    the JSON keys / CSV columns to print, in that order\n"
        "      --stats             per-flow statistics in the listing; the table then reads as\n"
        "                          tshark -z conv,tcp (start, duration, packets and bytes each way)\n"
        "      --json              flows as JSON lines (see README: label, src, srcport, dst,\n"
        "                          dstport, first, last, frames, index, fpout, end_reason, ...)\n"
        "      --csv               flows as CSV, the same fields as --json\n"
        "      --stream            with --json or --csv: print each flow as it ends (ending\n"
        "                          order), open flows at the end; on a pipe, lingers and\n"
        "                          timeouts also run on the wall clock while it is quiet\n"
        "  -j, --threads N         N threads (default: one per core): a regular file is read\n"
        "                          in byte ranges by all of them and traced in order; a pipe\n"
        "                          is read ahead on a second thread. Same output for any N\n"
        "  -q, --quiet             no summary on stderr\n"
        "  -h, --help              this help\n"
        "      --version           print the version\n"
        "\n"
        "Numbers read like C's strtod (1e3, .5); SEC is seconds. Short options cluster:\n"
        "-qo DIR, -j1, -oDIR. Options that would have no effect are refused.\n"
        "\n"
        "Exit status: 0 ok, 1 usage error, 2 input or output error (flows traced\n"
        "before the error are still listed and written; later inputs still read).\n"
        "SIGINT/SIGTERM/SIGHUP: stop reading, complete files, list, then die by the\n"
        "signal (130/143/129). A closed pipe on stdout: stop quietly, die by SIGPIPE.\n",
        out);
}

// The names an option goes by in `Options::seen`, long first.
inline bool given_as(const std::string& seen, std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (seen == n) return true;
    return false;
}

// A filter expression that does not compile is a usage error quoting it, a caret under the bad word.
inline void check_filter(const std::string& expression) {
    try {
        (void)traceflow::filter::Filter(expression);
    } catch (const traceflow::filter::FilterError& e) {
        usage_error(std::string(e.what()) + "\n  " + expression + "\n  " + std::string(e.position(), ' ') +
                    std::string(e.word().empty() ? 1 : e.word().size(), '^'));
    }
}

namespace checks {

// Which options were given, for the checks made once all are read.
struct Given {
    bool format = false, byteorder = false, nanosecond = false, max_open_files = false, name = false;
    bool fin_linger = false, rst_linger = false, json = false, csv = false;
    bool frame_format = false, overlap = false;  // -f FORMAT other than payload; --overlap
    std::vector<std::string> read, words;        // -r files; the other words (with -r: the filter, as in tcpdump)
};

// --fields, --sort: what they need of the listing.
inline void check_listing_choices(const Options& o) {
    if (!o.fields.empty() && o.listing == Listing::table)
        usage_error("--fields chooses the JSON keys or CSV columns: give --json or --csv");
    if (o.sort != SortKey::none && o.stream)
        usage_error("--sort needs every flow before it lists one; --stream lists each as it ends");
}

// -f payload: names of their own for every flow; --overlap only with it.
inline void check_payload(Options& o, const Given& g) {
    if (g.overlap && !o.payload) usage_error("--overlap has no effect without -f payload (no streams are followed)");
    const auto chosen = [&o](const char* field) {
        return std::find(o.fields.begin(), o.fields.end(), field) != o.fields.end();
    };
    if (chosen("vlan") && !o.trace.key_vlan)
        usage_error("--fields vlan needs --key-vlan (flows are not keyed by VLAN)");
    if (chosen("interface") && !o.trace.key_interface)
        usage_error("--fields interface needs --key-interface (flows are not keyed by interface)");
    if (!o.payload && std::find(o.fields.begin(), o.fields.end(), "streams") != o.fields.end())
        usage_error("--fields streams needs -f payload (no streams are followed)");
    o.frame_files = !o.payload || g.frame_format;
    if (!o.payload) return;
    const std::string& name = o.trace.name_template;
    if (name.find("{label}") == std::string::npos)
        usage_error("--name '" + name +
                    "' can give several flows one name; with -f payload each flow's streams need their own "
                    "(put {label} in it)");
    if (name.find("{first}") != std::string::npos)
        usage_error("--name: {first} is not available with -f payload ({label} holds the first packet's time)");
    if (!o.frame_files && (g.byteorder || g.nanosecond))
        usage_error(std::string(g.byteorder ? "--byteorder" : "--nanosecond") +
                    " applies to frame files: give -f pcap with -f payload");
}

// Refuses option combinations where an option would do nothing or contradict another.
inline void check_combination(Options& o, const Given& g) {
    const bool writing = !o.trace.fout.empty();
    const auto needs_output = [&](bool given, const char* name) {
        if (given && !writing)
            usage_error(std::string(name) + " has no effect without -o/--output (no files are written)");
    };
    needs_output(g.format, "-f/--format");
    needs_output(g.byteorder, "--byteorder");
    needs_output(g.nanosecond, "--nanosecond");
    needs_output(g.max_open_files, "--max-open-files");
    needs_output(g.name, "--name");
    needs_output(o.force, "--force");
    if (o.trace.lifecycle != traceflow::Lifecycle::tcp) {
        if (g.fin_linger) usage_error("--fin-linger has no effect without --lifecycle tcp");
        if (g.rst_linger) usage_error("--rst-linger has no effect without --lifecycle tcp");
    }
    if (g.json && g.csv) usage_error("--json and --csv contradict each other: choose one listing");
    if (o.stream && o.listing == Listing::table) usage_error("--stream needs --json or --csv");
    check_listing_choices(o);
    check_payload(o, g);
    if (!writing) return;
    const std::string& format = o.trace.format;
    if (traceflow::format_registry().find(format) == nullptr) {
        std::string names;
        for (const auto& entry : traceflow::format_registry().all()) names += (names.empty() ? "" : "|") + entry.first;
        usage_error("unknown output format '" + format + "' (known: " + names + ")");
    }
    const bool pcap = format == "pcap" || format == "cap";
    if (g.nanosecond && !pcap) usage_error("--nanosecond only applies to -f pcap (pcapng always has nanosecond times)");
    if (g.byteorder && !pcap && format != "pcapng")
        usage_error("--byteorder only applies to -f pcap and -f pcapng, not '" + format + "'");
}

// map writes a part: listing and output options belong to merge, -c to a plain run.
inline void check_map(Options& o, const Given& g) {
    for (const std::string& seen : o.seen) {
        if (given_as(seen, {"-o", "--output", "--force", "--max-open-files", "--json", "--csv", "--stream", "-j",
                            "--threads", "--join", "--flows", "--sort", "--fields"}))
            usage_error(seen + " is for 'traceflow merge' (map writes a part, not a listing or files)");
        if (given_as(seen, {"-c", "--count"}))
            usage_error(seen + " cannot be used with map: a range does not know the frames before it");
    }
    if (o.inputs.size() != 2) usage_error("map needs a capture and the part file to write: map [OPTIONS] CAPTURE PART");
    if (o.inputs[0] == "-") usage_error("map reads a byte range of a regular file, not standard input");
    const auto needs_files = [&](bool given, const char* name) {
        if (given) usage_error(std::string(name) + " has no effect without --files (the part carries no frames)");
    };
    if (!o.files) {
        needs_files(g.format, "-f/--format");
        needs_files(g.byteorder, "--byteorder");
        needs_files(g.nanosecond, "--nanosecond");
        needs_files(g.name, "--name");
    }
    // The checks a plain run makes of these, as if its files were written.
    Options as_run = o;
    if (o.files) as_run.trace.fout = "part";
    check_combination(as_run, g);
    o.frame_files = as_run.frame_files;
}

// merge takes listing and output options; what is traced comes from the parts.
inline void check_merge(const Options& o, const Given& g) {
    for (const std::string& seen : o.seen)
        if (!given_as(seen, {"-o", "--output", "--force", "--max-open-files", "--json", "--csv", "--stream", "-j",
                             "--threads", "-q", "--quiet", "--join", "--flows", "--sort", "--fields"}))
            usage_error(seen + " is recorded in the parts when they are made: give it to 'traceflow map'");
    if (o.inputs.empty()) usage_error("merge needs the part files, in input order");
    if (!o.join.empty())
        for (const std::string& seen : o.seen)
            if (!given_as(seen, {"-q", "--quiet", "--join"}))
                usage_error(seen + " is for a listing: merge --join writes a part, not a listing");
    if (g.json && g.csv) usage_error("--json and --csv contradict each other: choose one listing");
    if (o.stream && o.listing == Listing::table) usage_error("--stream needs --json or --csv");
    check_listing_choices(o);
    if (o.force && o.trace.fout.empty())
        usage_error("--force has no effect without -o/--output (no files are written)");
    if (g.max_open_files && o.trace.fout.empty())
        usage_error("--max-open-files has no effect without -o/--output (no files are written)");
}

// With -r, the words that are not options are the filter, as in tcpdump
// (traceflow -r f.pcap port 80): the captures are the -r files only.
inline void take_filter_words(Options& o, const Given& g) {
    if (g.read.empty()) return;
    o.inputs = g.read;
    if (g.words.empty()) return;
    std::string expression;
    for (const std::string& word : g.words) expression += (expression.empty() ? "" : " ") + word;
    for (const std::string& seen : o.seen)
        if (seen == "--filter")
            usage_error("--filter '" + o.filter + "' and the filter words '" + expression +
                        "' (with -r, the words that are not options are the filter) both give a filter: use one");
    check_filter(expression);
    o.filter = expression;
}

// Refuses an output folder that already holds files, unless --force.
inline void check_output_folder(const Options& o) {
    if (o.trace.fout.empty() || o.force) return;
    std::error_code ec;
    const std::filesystem::path dir(o.trace.fout);
    if (!std::filesystem::is_directory(dir, ec)) return;  // created later, or an error reported then
    std::filesystem::directory_iterator it(dir, ec);
    if (!ec && it != std::filesystem::directory_iterator())
        usage_error("output folder '" + o.trace.fout +
                    "' is not empty: its files would mix with this run's (use --force to write into it anyway)");
}

}  // namespace checks

// Reads option and input words into `o`, noting what was given in `given` and `o.seen`.
inline void parse_words(const std::vector<std::string>& argv, Options& o, checks::Given& given) {
    const int argc = static_cast<int>(argv.size());
    bool only_inputs = false;
    for (int i = 0; i < argc; ++i) {
        const std::string word = argv[static_cast<std::size_t>(i)];
        if (only_inputs || word == "-" || word.empty() || word[0] != '-') {
            o.inputs.push_back(word);
            given.words.push_back(word);
            continue;
        }
        if (word == "--") {
            only_inputs = true;
            continue;
        }
        // Options to handle: one long option, or each letter of a short cluster.
        struct Item {
            std::string name;
            std::optional<std::string> inline_value;
        };
        std::vector<Item> items;
        if (word.rfind("--", 0) == 0) {
            const std::size_t eq = word.find('=');
            if (eq == std::string::npos)
                items.push_back({word, std::nullopt});
            else
                items.push_back({word.substr(0, eq), word.substr(eq + 1)});
        } else {
            // -qo DIR, -j1, -oDIR: letters until one that takes a value, which takes the rest.
            for (std::size_t k = 1; k < word.size(); ++k) {
                const char c = word[k];
                const bool takes_value = c == 'o' || c == 'f' || c == 'j' || c == 'r' || c == 'c';
                if (takes_value && k + 1 < word.size()) {
                    items.push_back({std::string("-") + c, word.substr(k + 1)});
                    break;
                }
                items.push_back({std::string("-") + c, std::nullopt});
            }
        }
        for (std::size_t n = 0; n < items.size(); ++n) {
            const std::string& arg = items[n].name;
            const auto take_value = [&]() -> std::string {
                if (items[n].inline_value) return *items[n].inline_value;
                if (n + 1 != items.size() || i + 1 >= argc) usage_error("option " + arg + " needs a value");
                return argv[static_cast<std::size_t>(++i)];
            };
            const auto flag = [&]() {
                if (items[n].inline_value) usage_error("option " + arg + " takes no value");
            };
            o.seen.push_back(arg);
            if (arg == "-o" || arg == "--output") {
                o.trace.fout = take_value();
                if (o.trace.fout.empty()) usage_error("--output needs a folder");
            } else if (arg == "-r" || arg == "--read") {
                const std::string v = take_value();
                if (v.empty()) usage_error("-r needs a file name");
                o.inputs.push_back(v);
                given.read.push_back(v);
            } else if (arg == "-c" || arg == "--count") {
                const std::string v = take_value();
                const auto count = parse_count(v);
                if (!count || *count == 0) usage_error("-c needs a positive whole number of frames, not '" + v + "'");
                o.max_frames = *count;
            } else if (arg == "--filter") {
                o.filter = take_value();
                check_filter(o.filter);
            } else if (arg == "--name") {
                o.trace.name_template = take_value();
                given.name = true;
                try {
                    (void)traceflow::NameTemplate(o.trace.name_template);
                } catch (const std::invalid_argument& e) {
                    usage_error(std::string("--name: ") + e.what());
                }
                if (o.trace.name_template.empty()) usage_error("--name needs a template, e.g. {label}");
            } else if (arg == "--decap") {
                flag();
                o.decap = true;
            } else if (arg == "--no-defrag") {
                flag();
                o.defrag = false;
            } else if (arg == "--force") {
                flag();
                o.force = true;
            } else if (arg == "-f" || arg == "--format") {
                const std::string v = take_value();
                given.format = true;
                if (v == "payload") {
                    o.payload = true;
                } else {
                    if (given.frame_format)
                        usage_error("-f given twice ('" + o.trace.format + "', '" + v +
                                    "'): only payload goes with another format (-f pcap -f payload)");
                    given.frame_format = true;
                    o.trace.format = v;
                }
            } else if (arg == "--overlap") {
                const std::string v = take_value();
                given.overlap = true;
                if (v == "first")
                    o.overlap = traceflow::OverlapPolicy::first;
                else if (v == "last")
                    o.overlap = traceflow::OverlapPolicy::last;
                else
                    usage_error("--overlap must be first or last, not '" + v + "'");
            } else if (arg == "--byteorder") {
                const std::string v = take_value();
                given.byteorder = true;
                if (v == "little")
                    o.trace.byteorder = traceflow::ByteOrder::little;
                else if (v == "big")
                    o.trace.byteorder = traceflow::ByteOrder::big;
                else
                    usage_error("--byteorder must be little or big, not '" + v + "'");
            } else if (arg == "--nanosecond") {
                flag();
                given.nanosecond = true;
                o.trace.nanosecond = true;
            } else if (arg == "--max-open-files") {
                const std::string v = take_value();
                const auto count = parse_count(v);
                if (!count || *count == 0 || *count > 1000000)
                    usage_error("--max-open-files needs a number from 1 to 1e6, not '" + v + "'");
                given.max_open_files = true;
                o.trace.max_open_files = static_cast<std::size_t>(*count);
            } else if (arg == "--bidirectional") {
                flag();
                o.trace.keying = traceflow::FlowKeying::bidirectional;
            } else if (arg == "--lifecycle") {
                const std::string v = take_value();
                if (v == "pcapkit")
                    o.trace.lifecycle = traceflow::Lifecycle::pcapkit;
                else if (v == "tcp")
                    o.trace.lifecycle = traceflow::Lifecycle::tcp;
                else
                    usage_error("--lifecycle must be pcapkit or tcp, not '" + v + "'");
            } else if (arg == "--fin-linger" || arg == "--rst-linger" || arg == "--idle-timeout" ||
                       arg == "--active-timeout") {
                const std::string v = take_value();
                const auto seconds = parse_seconds(v);
                if (!seconds) usage_error(arg + " needs a number of seconds (0 or more), not '" + v + "'");
                if (arg == "--fin-linger") {
                    o.trace.fin_linger = *seconds;
                    given.fin_linger = true;
                } else if (arg == "--rst-linger") {
                    o.trace.rst_linger = *seconds;
                    given.rst_linger = true;
                } else if (arg == "--idle-timeout") {
                    o.trace.idle_timeout = *seconds;
                } else {
                    o.trace.active_timeout = *seconds;
                }
            } else if (arg == "--max-flows") {
                const std::string v = take_value();
                const auto count = parse_count(v);
                if (!count || *count == 0) usage_error("--max-flows needs a positive whole number, not '" + v + "'");
                o.trace.max_flows = static_cast<std::size_t>(*count);
            } else if (arg == "--key-vlan") {
                flag();
                o.trace.key_vlan = true;
            } else if (arg == "--key-interface") {
                flag();
                o.trace.key_interface = true;
            } else if (arg == "--stats") {
                flag();
                o.stats = true;
            } else if (arg == "--json") {
                flag();
                o.listing = Listing::json;
                given.json = true;
            } else if (arg == "--csv") {
                flag();
                o.listing = Listing::csv;
                given.csv = true;
            } else if (arg == "--stream") {
                flag();
                o.stream = true;
            } else if (arg == "--conn") {
                flag();
                o.trace.keying = traceflow::FlowKeying::bidirectional;
                o.trace.lifecycle = traceflow::Lifecycle::tcp;
            } else if (arg == "--flows") {
                const std::string v = take_value();
                o.flows = FlowSet::parse(v);
                if (!o.flows) usage_error("--flows needs flow numbers and ranges such as 0,3,7-9, not '" + v + "'");
            } else if (arg == "--sort") {
                const std::string v = take_value();
                const std::optional<SortKey> key = sort_key(v);
                if (!key) usage_error("--sort needs first, last, packets, bytes or duration, not '" + v + "'");
                o.sort = *key;
            } else if (arg == "--fields") {
                const std::string v = take_value();
                o.fields.clear();
                for (std::size_t from = 0; from <= v.size();) {
                    const std::size_t comma = std::min(v.find(',', from), v.size());
                    const std::string name = v.substr(from, comma - from);
                    const auto known = [&](const std::vector<std::string_view>& list) {
                        return std::find(list.begin(), list.end(), name) != list.end();
                    };
                    if (!known(plain_fields()) && !known(stats_fields()) && !known(stream_fields()) &&
                        !known(key_fields()))
                        usage_error("--fields: unknown field '" + name + "' (known: " + known_fields() + ")");
                    if (known(stats_fields())) o.stats = true;  // a statistics field: they are kept
                    o.fields.push_back(name);
                    from = comma + 1;
                }
            } else if (arg == "-j" || arg == "--threads") {
                const std::string v = take_value();
                const auto count = parse_count(v);
                if (!count || *count < 1 || *count > 1024)
                    usage_error("--threads needs a whole number from 1 to 1024, not '" + v + "'");
                o.threads = static_cast<unsigned>(*count);
            } else if (arg == "--range") {
                const std::string v = take_value();
                const std::size_t colon = v.find(':');
                std::optional<unsigned long long> begin;
                std::optional<unsigned long long> end;
                if (colon != std::string::npos) {
                    begin = parse_count(v.substr(0, colon));
                    end = colon + 1 == v.size()
                              ? std::optional<unsigned long long>(std::numeric_limits<std::uint64_t>::max())
                              : parse_count(v.substr(colon + 1));
                }
                if (!begin.has_value() || !end.has_value() || begin.value() > end.value())
                    usage_error("--range needs BEGIN:END, byte offsets with BEGIN <= END (END may be left out), not '" +
                                v + "'");
                o.range = traceflow::io::ByteRange{begin.value(), end.value()};
            } else if (arg == "--files") {
                flag();
                o.files = true;
            } else if (arg == "--join") {
                o.join = take_value();
                if (o.join.empty()) usage_error("--join needs the name of the part file to write");
            } else if (arg == "-q" || arg == "--quiet") {
                flag();
                o.quiet = true;
            } else if (arg == "-w") {
                usage_error(
                    "-w (write one capture, as in tcpdump) is not a traceflow option: traceflow writes one "
                    "file per flow into a folder, use -o DIR");
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
    }
}

// Output files held open at once by default: 64 (more is not faster: closing
// a std::FILE walks the C library's list of streams), fewer when the
// process may open fewer (RLIMIT_NOFILE, less some for captures, standard streams and pipes).
inline std::size_t default_open_files() {
    constexpr rlim_t reserved = 16;
    constexpr rlim_t most = 64;
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return most;
    return static_cast<std::size_t>(limit.rlim_cur <= reserved + 1 ? 1 : std::min(limit.rlim_cur - reserved, most));
}

inline Options parse_arguments(int argc, char** argv) {
    Options o;
    o.trace.format = "pcap";
    o.trace.max_open_files = default_open_files();
    checks::Given given;
    std::vector<std::string> words(argv + 1, argv + argc);
    if (!words.empty() && (words[0] == "map" || words[0] == "merge")) {
        o.command = words[0] == "map" ? Command::map : Command::merge;
        words.erase(words.begin());
    }
    parse_words(words, o, given);
    if (o.command == Command::map) {
        checks::check_map(o, given);
    } else if (o.command == Command::merge) {
        checks::check_merge(o, given);
    } else {
        if (o.range) usage_error("--range is for 'traceflow map'");
        if (o.files) usage_error("--files is for 'traceflow map'");
        if (!o.join.empty()) usage_error("--join is for 'traceflow merge'");
        checks::take_filter_words(o, given);
        if (o.inputs.empty()) usage_error("no capture given");
        checks::check_combination(o, given);
    }
    checks::check_output_folder(o);
    // JSON and CSV carry each flow's first and last packet times: the tracer
    // keeps just those (not whole statistics) for them.
    o.trace.statistics = o.stats || o.sort == SortKey::bytes || o.sort == SortKey::duration;
    o.trace.flow_times = o.listing != Listing::table || o.sort == SortKey::first || o.sort == SortKey::last;
    return o;
}

}  // namespace cli
