// SPDX-License-Identifier: MIT
// The command-line tool's output: flows as a table, JSON lines or CSV, and the summary.
//
// JSON and CSV carry the same fields with the same meaning (README, "Listing
// fields"): number, label, src, srcport, dst, dstport (the flow's id), first, last (times of the flow's first and last packet),
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
#include <utility>
#include <vector>

#include "options.hpp"
#include "payload_files.hpp"

namespace cli {

/// Width of the table's FLOW column when the labels are not known in advance.
constexpr std::size_t default_flow_width = 64;

// Appends `v` in decimal.
inline void append_number(std::string& out, std::uint64_t v) {
    char digits[20];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    out.append(digits, static_cast<std::size_t>(end - digits));
}

/// `n` then `word`, made plural unless `n` is 1: "1 frame", "2 frames", "0 flows".
inline std::string count_of(std::uint64_t n, std::string_view word) {
    std::string out;
    append_number(out, n);
    out += ' ';
    out += word;
    if (n != 1) out += 's';
    return out;
}

/// The progress line of one input (stderr on a terminal, after a "\r"): of a
/// regular file of `size` bytes, how much of it was read, e.g.
/// "f.pcap: 12.3 MB of 100.0 MB (12%), 45000 frames"; of a stream (`size` 0:
/// not known), "f.pcap: 45000 frames, 12.3 MB".
inline std::string progress_line(std::string_view path, std::uint64_t bytes_read, std::uint64_t size,
                                 std::uint64_t frames) {
    std::string out(path);
    char text[96];
    const double mb = static_cast<double>(bytes_read) / 1e6;
    if (size != 0) {
        const std::uint64_t read = std::min(bytes_read, size);
        const auto percent = static_cast<unsigned>(static_cast<double>(read) * 100.0 / static_cast<double>(size));
        std::snprintf(text, sizeof text, ": %.1f MB of %.1f MB (%u%%), ", mb, static_cast<double>(size) / 1e6, percent);
        out += text;
        out += count_of(frames, "frame");
    } else {
        out += ": ";
        out += count_of(frames, "frame");
        std::snprintf(text, sizeof text, ", %.1f MB", mb);
        out += text;
    }
    return out;
}

// Appends `text` padded with spaces to `width`: after it (left-aligned) or before it.
inline void append_padded(std::string& out, std::string_view text, std::size_t width, bool left_aligned) {
    const std::size_t pad = text.size() < width ? width - text.size() : 0;
    if (!left_aligned) out.append(pad, ' ');
    out.append(text);
    if (left_aligned) out.append(pad, ' ');
}

// Writes one flow's listing fields, in listing order, into a line: as a JSON
// object's members, as a CSV row, or (for the CSV header) as their names. A
// per-direction pair is one JSON field (an array) and two CSV columns,
// NAME_orig and NAME_resp. Values go straight into the line: building each
// field as strings first made a JSON or CSV listing 3x slower than a table.
class FieldWriter {
public:
    enum class Kind { json, csv, names };
    /// `wanted`, when given and not empty (--fields), names the fields to write, in their order.
    FieldWriter(std::string& line, Kind kind, const std::vector<std::string>* wanted = nullptr)
        : line_(line), kind_(kind), wanted_(wanted != nullptr && !wanted->empty() ? wanted : nullptr) {
        if (wanted_ != nullptr) chosen_.assign(wanted_->size(), std::string());
    }

    /// Writes the chosen fields, in their order, into the line (nothing to do without a choice).
    void done() {
        if (wanted_ == nullptr) return;
        for (std::size_t k = 0; k < chosen_.size(); ++k) {
            if (kind_ == Kind::json)
                line_ += k == 0 ? "{" : ", ";
            else if (k != 0)
                line_ += ',';
            line_ += chosen_[k];
        }
    }

    void text(const char* name, std::string_view value) {
        start(name);
        if (kind_ == Kind::json)
            traceflow::formats::append_json_string(out(), value);
        else if (kind_ == Kind::csv)
            append_csv(value);
    }
    void number(const char* name, std::uint64_t value) {
        start(name);
        if (kind_ != Kind::names) append_number(out(), value);
    }
    // A value printed as it is in both (a decimal time, JSON null).
    void raw(const char* name, std::string_view json, std::string_view csv) {
        start(name);
        if (kind_ != Kind::names) out().append(kind_ == Kind::json ? json : csv);
    }
    void pair(const char* name, const std::array<std::uint64_t, 2>& v) {
        if (kind_ == Kind::names) {
            start(name);
            out().append("_orig,").append(name).append("_resp");
            return;
        }
        start(name);
        if (kind_ == Kind::json) out() += '[';
        append_number(out(), v[0]);
        out() += kind_ == Kind::json ? ", " : ",";
        append_number(out(), v[1]);
        if (kind_ == Kind::json) out() += ']';
    }
    void numbers(const char* name, const std::vector<std::uint64_t>& values) {
        start(name);
        if (kind_ == Kind::names) return;
        if (kind_ == Kind::json) out() += '[';
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i != 0) out() += kind_ == Kind::json ? ", " : " ";
            append_number(out(), values[i]);
        }
        if (kind_ == Kind::json) out() += ']';
    }

    // A flow's streams (-f payload): JSON {"orig": {...}, "resp": {...}}; CSV
    // columns streams_DIR_file, _length, _gaps, _conflicts (ranges as OFFSET:LENGTH, space-separated).
    void streams(const char* name, const FlowStreamFiles* flow, bool both) {
        static const char* const sides[2] = {"orig", "resp"};
        const int count = both ? 2 : 1;
        start(name);
        if (kind_ == Kind::names) {
            bool first = true;  // start() wrote the name: the first column goes on from it
            for (int d = 0; d < count; ++d)
                for (const char* column : {"file", "length", "gaps", "conflicts"}) {
                    if (!first) out().append(",").append(name);
                    out().append("_").append(sides[d]).append("_").append(column);
                    first = false;
                }
            return;
        }
        if (kind_ == Kind::json) out() += '{';
        for (int d = 0; d < count; ++d) {
            const bool ended = flow != nullptr && flow->ended[d];
            const std::string* file = ended && !flow->file[d].empty() ? &flow->file[d] : nullptr;
            static const traceflow::StreamSummary none;
            const traceflow::StreamSummary& s = ended ? flow->summary[d] : none;
            if (kind_ == Kind::json) {
                out().append(d == 0 ? "\"" : ", \"").append(sides[d]).append("\": {\"file\": ");
                if (file != nullptr)
                    traceflow::formats::append_json_string(out(), *file);
                else
                    out() += "null";
                out() += ", \"length\": ";
                append_number(out(), s.length);
                out() += ", \"gaps\": ";
                ranges_json(s.gaps);
                out() += ", \"conflicts\": ";
                ranges_json(s.conflicts);
                out() += '}';
            } else {
                if (d != 0) out() += ',';
                if (file != nullptr) append_csv(*file);
                out() += ',';
                append_number(out(), s.length);
                out() += ',';
                ranges_csv(s.gaps);
                out() += ',';
                ranges_csv(s.conflicts);
            }
        }
        if (kind_ == Kind::json) out() += '}';
    }

private:
    std::string& out() { return *to_; }

    void ranges_json(const std::vector<traceflow::ByteRange>& ranges) {
        out() += '[';
        for (std::size_t i = 0; i < ranges.size(); ++i) {
            out() += i == 0 ? "[" : ", [";
            append_number(out(), ranges[i].offset);
            out() += ", ";
            append_number(out(), ranges[i].length);
            out() += ']';
        }
        out() += ']';
    }
    void ranges_csv(const std::vector<traceflow::ByteRange>& ranges) {
        for (std::size_t i = 0; i < ranges.size(); ++i) {
            if (i != 0) out() += ' ';
            append_number(out(), ranges[i].offset);
            out() += ':';
            append_number(out(), ranges[i].length);
        }
    }

    // Starts field `name`: in the line, in its chosen place, or nowhere (into scratch room).
    void start(const char* name) {
        if (wanted_ != nullptr) {
            const auto at = std::find(wanted_->begin(), wanted_->end(), name);
            to_ = at == wanted_->end() ? &unwanted_ : &chosen_[static_cast<std::size_t>(at - wanted_->begin())];
            to_->clear();
            if (kind_ == Kind::json) to_->append("\"").append(name).append("\": ");
            if (kind_ == Kind::names) to_->append(name);
            return;
        }
        if (kind_ == Kind::json) {
            line_ += first_ ? "{\"" : ", \"";
            line_ += name;
            line_ += "\": ";
        } else {
            if (!first_) line_ += ',';
            if (kind_ == Kind::names) line_ += name;
        }
        first_ = false;
    }
    void append_csv(std::string_view value) {
        if (value.find_first_of(",\"\n") == std::string_view::npos) {
            out().append(value);
            return;
        }
        out() += '"';
        for (const char c : value) {
            if (c == '"') out() += '"';
            out() += c;
        }
        out() += '"';
    }

    std::string& line_;
    Kind kind_;
    const std::vector<std::string>* wanted_;
    std::vector<std::string> chosen_;  // each chosen field's text, in the chosen order
    std::string unwanted_;             // where a field not chosen goes
    std::string* to_ = &line_;         // where the field being written goes
    bool first_ = true;
};

/// What the listing shows beyond its kind: which flows (--flows) and fields (--fields); none: all.
struct ListingChoices {
    const FlowSet* flows = nullptr;
    const std::vector<std::string>* fields = nullptr;
    const PayloadFiles* streams = nullptr;  // -f payload: each flow's streams (JSON "streams")
    bool vlan = false;                      // --key-vlan: each flow's "vlan"
    bool interface = false;                 // --key-interface: each flow's "interface"
    bool both_directions = false;           // bidirectional flows: orig and resp streams
};

// The fields of one flow, in listing order (README, "Listing fields").
inline void write_flow_fields(const traceflow::Index& flow, bool stats, FieldWriter& out,
                              const ListingChoices& choices = {}) {
    static const traceflow::FlowStats no_stats;
    const traceflow::FlowStats& s = flow.stats ? *flow.stats : no_stats;  // present with --stats
    out.number("number", flow.number);
    out.text("label", flow.label);
    // The flow's key; bidirectional: as its initiator sent it (the label's order).
    static thread_local std::string address;
    address.clear();
    flow.id.src.append_to(address);
    out.text("src", address);
    out.number("srcport", flow.id.srcport);
    address.clear();
    flow.id.dst.append_to(address);
    out.text("dst", address);
    out.number("dstport", flow.id.dstport);
    if (choices.vlan) out.number("vlan", flow.vlan);
    if (choices.interface) out.number("interface", flow.interface);
    const std::string first = flow.first.to_decimal();
    const std::string last = flow.last.to_decimal();
    out.raw("first", first, first);
    out.raw("last", last, last);
    out.number("frames", flow.index.size());
    out.numbers("index", flow.index);
    if (flow.fpout)
        out.text("fpout", *flow.fpout);
    else
        out.raw("fpout", "null", "");
    out.text("end_reason", traceflow::to_string(flow.reason));
    if (choices.streams != nullptr) out.streams("streams", choices.streams->find(flow.number), choices.both_directions);
    if (!stats) return;
    out.pair("packets", s.packets);
    out.pair("bytes", s.bytes);
    out.pair("payload", s.payload);
    const std::string duration = traceflow::Timestamp::from_nanoseconds(s.duration_ns()).to_decimal();
    out.raw("duration", duration, duration);
    out.number("syn", s.syn);
    out.number("synack", s.synack);
    out.number("fin", s.fin);
    out.number("rst", s.rst);
    out.text("conn_state", s.conn_state);
    out.text("history", s.history);
    out.text("community_id", s.community_id);
}

/// The CSV header names: a per-direction pair becomes NAME_orig,NAME_resp.
inline std::string csv_header(bool stats, const ListingChoices& choices = {}) {
    std::string line;
    FieldWriter names(line, FieldWriter::Kind::names, choices.fields);
    write_flow_fields(traceflow::Index{}, stats, names, choices);
    names.done();
    return line + "\n";
}

/// Width of the table's NUMBER column.
constexpr std::size_t number_width = 6;

/// The table's --stats columns after FLOW (tshark -z conv,tcp's, one line):
/// START, DURATION, then packets and bytes from the originator (->), from
/// the other side (<-) and in all; with their widths.
inline constexpr std::array<std::pair<const char*, std::size_t>, 8> stats_columns{{{"START", 17},
                                                                                   {"DURATION", 9},
                                                                                   {"PKTS->", 7},
                                                                                   {"BYTES->", 11},
                                                                                   {"<-PKTS", 7},
                                                                                   {"<-BYTES", 11},
                                                                                   {"PACKETS", 8},
                                                                                   {"BYTES", 11}}};

/// The header line of a listing (CSV column names, the table's headings; nothing for JSON).
inline std::string listing_header(Listing listing, bool stats, std::size_t flow_width = default_flow_width,
                                  const ListingChoices& choices = {}) {
    if (listing == Listing::csv) return csv_header(stats, choices);
    std::string line;
    if (listing == Listing::table) {
        append_padded(line, "NUMBER", number_width, false);
        line += ' ';
        append_padded(line, "FLOW", flow_width, true);
        line += ' ';
        if (stats) {  // as tshark -z conv,tcp: start, duration, then packets and bytes each way and in all
            for (std::size_t k = 0; k < stats_columns.size(); ++k) {
                append_padded(line, stats_columns[k].first, stats_columns[k].second, k == 0);  // START: left
                line += ' ';
            }
            line += ' ';
        } else {
            append_padded(line, "PACKETS", 8, false);
            line += "  ";
        }
        append_padded(line, "END", 14, true);
        if (stats) {
            line += ' ';
            append_padded(line, "STATE", 7, true);
            line += ' ';
            append_padded(line, "HISTORY", 12, true);
        }
        line += " FRAMES\n";
    }
    return line;
}

/// Appends one flow's line of the listing to `line`.
inline void append_flow_line(std::string& line, const traceflow::Index& flow, Listing listing, bool stats,
                             std::size_t flow_width = default_flow_width, const ListingChoices& choices = {}) {
    if (choices.flows != nullptr && !choices.flows->contains(flow.number)) return;
    if (listing == Listing::table) {
        std::string number;
        append_number(number, flow.number);
        append_padded(line, number, number_width, false);
        line += ' ';
        append_padded(line, flow.label, flow_width, true);
        line += ' ';
        static const traceflow::FlowStats no_stats;
        const traceflow::FlowStats& s = flow.stats ? *flow.stats : no_stats;
        if (stats) {
            // START is the first packet's time (epoch seconds, as the label and JSON "first");
            // -> is from the originator (the label's first address), <- from the other side.
            char duration[32];
            std::snprintf(duration, sizeof duration, "%.4f", static_cast<double>(s.duration_ns()) / 1e9);
            std::array<std::string, stats_columns.size()> cells;
            cells[0] = flow.first.to_decimal();
            if (cells[0].size() > 3) cells[0].resize(cells[0].size() - 3);  // microseconds, as the label
            cells[1] = duration;
            const std::uint64_t values[] = {
                s.packets[0],           s.bytes[0], s.packets[1], s.bytes[1], s.packets[0] + s.packets[1],
                s.bytes[0] + s.bytes[1]};
            for (std::size_t k = 0; k < 6; ++k) append_number(cells[k + 2], values[k]);
            for (std::size_t k = 0; k < stats_columns.size(); ++k) {
                append_padded(line, cells[k], stats_columns[k].second, k == 0);
                line += ' ';
            }
            line += ' ';
        } else {
            std::string count;
            append_number(count, flow.index.size());
            append_padded(line, count, 8, false);
            line += "  ";
        }
        append_padded(line, traceflow::to_string(flow.reason), 14, true);
        if (stats) {
            line += ' ';
            append_padded(line, s.conn_state, 7, true);
            line += ' ';
            append_padded(line, s.history, 12, true);
        }
        line += ' ';
        for (std::size_t i = 0; i < flow.index.size() && i < 8; ++i) {
            if (i != 0) line += ',';
            append_number(line, flow.index[i]);
        }
        if (flow.index.size() > 8) line += ",...";
        line += '\n';
    } else {
        FieldWriter fields(line, listing == Listing::json ? FieldWriter::Kind::json : FieldWriter::Kind::csv,
                           choices.fields);
        write_flow_fields(flow, stats, fields, choices);
        fields.done();
        line += listing == Listing::json ? "}\n" : "\n";
    }
}

/// Flows per end reason, for the summary.
using ReasonCounts = std::array<std::size_t, static_cast<std::size_t>(traceflow::EndReason::reused) + 1>;

/// Counts `flow` under its end reason.
inline void count_reason(ReasonCounts& counts, const traceflow::Index& flow) {
    ++counts[static_cast<std::size_t>(flow.reason)];
}

/// The summary on stderr: frames, flows by end reason, packets filtered out, skipped frames by reason.
inline void print_summary(const traceflow::ExtractStats& stats, const ReasonCounts& by_reason, double seconds,
                          std::uint64_t filtered_out = 0, const StreamTotals* streams = nullptr) {
    std::size_t flows = 0;
    for (const std::size_t n : by_reason) flows += n;
    std::fprintf(stderr, "traceflow: %s, %s, %s", count_of(stats.frames, "frame").c_str(),
                 count_of(stats.tcp_frames, "TCP frame").c_str(), count_of(flows, "flow").c_str());
    const char* sep = " (";
    for (std::size_t r = 0; r < by_reason.size(); ++r) {
        if (by_reason[r] == 0) continue;
        std::fprintf(stderr, "%s%s %zu", sep, traceflow::to_string(static_cast<traceflow::EndReason>(r)), by_reason[r]);
        sep = ", ";
    }
    if (sep[0] == ',') std::fputs(")", stderr);
    if (filtered_out != 0) std::fprintf(stderr, "; filtered out %s", count_of(filtered_out, "TCP frame").c_str());
    std::fprintf(stderr, "; skipped %llu", static_cast<unsigned long long>(stats.skipped()));
    sep = " (";
    for (std::size_t i = 1; i < traceflow::decode::outcome_count; ++i) {
        if (stats.outcomes[i] == 0) continue;
        std::fprintf(stderr, "%s%s %llu", sep, traceflow::decode::to_string(static_cast<traceflow::decode::Outcome>(i)),
                     static_cast<unsigned long long>(stats.outcomes[i]));
        sep = ", ";
    }
    if (sep[0] == ',') std::fputs(")", stderr);
    if (stats.fragmented_joined != 0 || stats.fragmented_incomplete != 0)
        std::fprintf(stderr, "; IP fragments: %s joined, %llu incomplete",
                     count_of(stats.fragmented_joined, "packet").c_str(),
                     static_cast<unsigned long long>(stats.fragmented_incomplete));
    if (streams != nullptr)
        std::fprintf(stderr, "; %s, %llu bytes, %s, %s", count_of(streams->streams, "stream").c_str(),
                     static_cast<unsigned long long>(streams->bytes), count_of(streams->gaps, "gap").c_str(),
                     count_of(streams->conflicts, "conflict").c_str());
    const double rate = seconds > 0 ? static_cast<double>(stats.frames) / seconds : 0.0;
    std::fprintf(stderr, "; %.3f s, %.0f packets/s\n", seconds, rate);
}

}  // namespace cli
