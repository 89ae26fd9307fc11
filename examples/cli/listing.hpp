// SPDX-License-Identifier: MIT
// The command-line tool's output: flows as a table, JSON lines or CSV, and the summary.
#pragma once

#include <traceflow/traceflow.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"

namespace cli {

inline std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\n") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

inline void append_pair(std::string& line, const char* key, std::uint64_t a, std::uint64_t b) {
    line += ", \"";
    line += key;
    line += "\": [" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

// The statistics of one flow as JSON members (after the required ones).
inline void append_json_stats(std::string& line, const traceflow::FlowStats& s) {
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

// The CSV header line, or the table's header (nothing for JSON lines).
inline void print_listing_header(Listing listing, bool stats) {
    if (listing == Listing::csv) {
        std::fputs("label,packets,index,fpout,end_reason", stdout);
        if (stats)
            std::fputs(",packets_orig,packets_resp,bytes_orig,bytes_resp,payload_orig,payload_resp,first,last,"
                       "conn_state,history,community_id",
                       stdout);
        std::fputs("\n", stdout);
    }
    if (listing == Listing::table) {
        std::printf("%-64s %8s  %-14s", "FLOW", "PACKETS", "END");
        if (stats) std::printf(" %-7s %-12s %12s", "STATE", "HISTORY", "BYTES");
        std::printf(" %s\n", "FRAMES");
    }
}

// One flow as a table row, a JSON line or a CSV row.
inline void print_flow(const traceflow::Index& flow, Listing listing, bool stats) {
    static const traceflow::FlowStats no_stats;
    const traceflow::FlowStats& s = flow.stats ? *flow.stats : no_stats;  // present with --stats
    std::string line;
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

inline void print_summary(const traceflow::ExtractStats& stats, std::size_t flows, double seconds) {
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

}  // namespace cli
