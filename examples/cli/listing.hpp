// SPDX-License-Identifier: MIT
// The command-line tool's output: flows as a table, JSON lines or CSV, and the summary.
//
// JSON and CSV carry the same fields with the same meaning (README, "Listing
// fields"): label, src, srcport, dst, dstport (the flow's id), first, last (times of the flow's first and last packet),
// frames (how many frames the flow has), index, fpout, end_reason; with
// --stats also per-direction packets, bytes and payload (JSON: a pair
// [originator, responder]; CSV: two columns NAME_orig, NAME_resp), duration,
// syn, synack, fin, rst, conn_state, history, community_id.
#pragma once

#include <traceflow/traceflow.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"

namespace cli {

/// Width of the table's FLOW column when the labels are not known in advance.
constexpr std::size_t default_flow_width = 64;

// Appends `v` in decimal.
inline void append_number(std::string& out, std::uint64_t v) {
    char digits[20];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    out.append(digits, static_cast<std::size_t>(end - digits));
}

// Appends `text` padded with spaces to `width`: after it (left-aligned) or before it.
inline void append_padded(std::string& out, std::string_view text, std::size_t width, bool left_aligned) {
    const std::size_t pad = text.size() < width ? width - text.size() : 0;
    if (!left_aligned) out.append(pad, ' ');
    out.append(text);
    if (left_aligned) out.append(pad, ' ');
}

inline std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\n") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// One listing field: its name and its value in JSON and in CSV.
struct Field {
    const char* name;
    std::string json;
    std::string csv;
};

inline std::string json_string(std::string_view text) {
    std::string out;
    traceflow::detail::append_json_string(out, text);
    return out;
}

// The fields of one flow, in listing order. A per-direction pair is one JSON
// field (an array) and two CSV columns.
inline void flow_fields(const traceflow::Index& flow, bool stats, std::vector<Field>& out) {
    static const traceflow::FlowStats no_stats;
    const traceflow::FlowStats& s = flow.stats ? *flow.stats : no_stats;  // present for JSON/CSV and --stats
    const auto number = [](std::uint64_t v) { return std::to_string(v); };
    out.clear();
    out.push_back({"label", json_string(flow.label), csv_field(flow.label)});
    // The flow's key; bidirectional: as its initiator sent it (the label's order).
    const std::string src = flow.id.src.to_string();
    const std::string dst = flow.id.dst.to_string();
    out.push_back({"src", json_string(src), src});
    out.push_back({"srcport", number(flow.id.srcport), number(flow.id.srcport)});
    out.push_back({"dst", json_string(dst), dst});
    out.push_back({"dstport", number(flow.id.dstport), number(flow.id.dstport)});
    out.push_back({"first", s.first.to_decimal(), s.first.to_decimal()});
    out.push_back({"last", s.last.to_decimal(), s.last.to_decimal()});
    out.push_back({"frames", number(flow.index.size()), number(flow.index.size())});
    std::string json = "[", csv;
    for (std::size_t i = 0; i < flow.index.size(); ++i) {
        if (i != 0) {
            json += ", ";
            csv += ' ';
        }
        const std::size_t at = csv.size();
        append_number(csv, flow.index[i]);
        json.append(csv, at, std::string::npos);
    }
    out.push_back({"index", json + "]", csv});
    out.push_back({"fpout", flow.fpout ? json_string(*flow.fpout) : "null", csv_field(flow.fpout.value_or(""))});
    out.push_back({"end_reason", json_string(traceflow::to_string(flow.reason)), traceflow::to_string(flow.reason)});
    if (!stats) return;
    const auto pair = [&](const char* name, const std::array<std::uint64_t, 2>& v) {
        out.push_back({name, "[" + number(v[0]) + ", " + number(v[1]) + "]", number(v[0]) + "," + number(v[1])});
    };
    pair("packets", s.packets);
    pair("bytes", s.bytes);
    pair("payload", s.payload);
    const std::string duration = traceflow::Timestamp::from_nanoseconds(s.duration_ns()).to_decimal();
    out.push_back({"duration", duration, duration});
    out.push_back({"syn", number(s.syn), number(s.syn)});
    out.push_back({"synack", number(s.synack), number(s.synack)});
    out.push_back({"fin", number(s.fin), number(s.fin)});
    out.push_back({"rst", number(s.rst), number(s.rst)});
    out.push_back({"conn_state", json_string(s.conn_state), csv_field(s.conn_state)});
    out.push_back({"history", json_string(s.history), csv_field(s.history)});
    out.push_back({"community_id", json_string(s.community_id), csv_field(s.community_id)});
}

/// The CSV header names: a per-direction pair becomes NAME_orig,NAME_resp.
inline std::string csv_header(bool stats) {
    traceflow::Index probe;
    std::vector<Field> fields;
    flow_fields(probe, stats, fields);
    std::string line;
    for (const Field& f : fields) {
        if (!line.empty()) line += ',';
        const std::string name = f.name;
        if (name == "packets" || name == "bytes" || name == "payload") line += name + "_orig," + name + "_resp";
        else line += name;
    }
    return line + "\n";
}

/// The header line of a listing (CSV column names, the table's headings; nothing for JSON).
inline void print_listing_header(Listing listing, bool stats, std::size_t flow_width = default_flow_width) {
    if (listing == Listing::csv) {
        const std::string header = csv_header(stats);
        std::fwrite(header.data(), 1, header.size(), stdout);
    } else if (listing == Listing::table) {
        std::printf("%-*s %8s  %-14s", static_cast<int>(flow_width), "FLOW", "PACKETS", "END");
        if (stats) std::printf(" %-7s %-12s %12s", "STATE", "HISTORY", "BYTES");
        std::printf(" %s\n", "FRAMES");
    }
}

/// One flow as a line of the listing.
inline void print_flow(const traceflow::Index& flow, Listing listing, bool stats,
                       std::size_t flow_width = default_flow_width) {
    static thread_local std::string line;  // its room is reused line after line
    line.clear();
    if (listing == Listing::table) {
        append_padded(line, flow.label, flow_width, true);
        std::string count;
        append_number(count, flow.index.size());
        line += ' ';
        append_padded(line, count, 8, false);
        line += "  ";
        append_padded(line, traceflow::to_string(flow.reason), 14, true);
        if (stats) {
            static const traceflow::FlowStats no_stats;
            const traceflow::FlowStats& s = flow.stats ? *flow.stats : no_stats;
            char buf[256];
            std::snprintf(buf, sizeof buf, " %-7s %-12s %12llu", s.conn_state.c_str(), s.history.c_str(),
                          static_cast<unsigned long long>(s.bytes[0] + s.bytes[1]));
            line += buf;
        }
        line += ' ';
        for (std::size_t i = 0; i < flow.index.size() && i < 8; ++i) {
            if (i != 0) line += ',';
            append_number(line, flow.index[i]);
        }
        if (flow.index.size() > 8) line += ",...";
        line += '\n';
    } else {
        static thread_local std::vector<Field> fields;
        flow_fields(flow, stats, fields);
        for (const Field& f : fields) {
            if (listing == Listing::json) {
                line += line.empty() ? "{\"" : ", \"";
                line += f.name;
                line += "\": ";
                line += f.json;
            } else {
                if (!line.empty()) line += ',';
                line += f.csv;
            }
        }
        line += listing == Listing::json ? "}\n" : "\n";
    }
    std::fwrite(line.data(), 1, line.size(), stdout);
}

/// Flows per end reason, for the summary.
using ReasonCounts = std::array<std::size_t, static_cast<std::size_t>(traceflow::EndReason::reused) + 1>;

/// Counts `flow` under its end reason.
inline void count_reason(ReasonCounts& counts, const traceflow::Index& flow) {
    ++counts[static_cast<std::size_t>(flow.reason)];
}

/// The summary on stderr: frames, flows by end reason, packets filtered out, skipped frames by reason.
inline void print_summary(const traceflow::ExtractStats& stats, const ReasonCounts& by_reason, double seconds,
                          std::uint64_t filtered_out = 0) {
    std::size_t flows = 0;
    for (const std::size_t n : by_reason) flows += n;
    std::fprintf(stderr, "traceflow: %llu frames, %llu TCP frames, %zu flows",
                 static_cast<unsigned long long>(stats.frames), static_cast<unsigned long long>(stats.tcp_frames),
                 flows);
    const char* sep = " (";
    for (std::size_t r = 0; r < by_reason.size(); ++r) {
        if (by_reason[r] == 0) continue;
        std::fprintf(stderr, "%s%s %zu", sep, traceflow::to_string(static_cast<traceflow::EndReason>(r)), by_reason[r]);
        sep = ", ";
    }
    if (sep[0] == ',') std::fputs(")", stderr);
    if (filtered_out != 0)
        std::fprintf(stderr, "; filtered out %llu TCP frames", static_cast<unsigned long long>(filtered_out));
    std::fprintf(stderr, "; skipped %llu", static_cast<unsigned long long>(stats.skipped()));
    sep = " (";
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

}  // namespace cli
