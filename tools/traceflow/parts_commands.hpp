// SPDX-License-Identifier: MIT
// traceflow map and traceflow merge: one byte range traced into a part; parts merged into one run's output.
#pragma once

#include <traceflow/parts/join_parts.hpp>
#include <traceflow/parts/map_range.hpp>
#include <traceflow/parts/merge_parts.hpp>
#include <traceflow/parts/part_file.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "input_metadata.hpp"
#include "options.hpp"
#include "process.hpp"
#include "run.hpp"

namespace cli {

/// traceflow map [OPTIONS] [--range BEGIN:END] CAPTURE PART: writes the part.
/// Exit 0; 2 when the range met damage (the part, written, records it) or
/// the capture cannot be read (no part is written).
inline int run_map(const Options& options) {
    install_signal_handlers();
    const std::string& capture = options.inputs[0];
    const std::string& part_path = options.inputs[1];
    traceflow::MapOptions how;
    how.decode.decap = options.decap;
    how.decode.join_fragments = options.defrag;
    how.carry_frames = options.files;
    how.stop = &stop_reading;
    const traceflow::io::ByteRange range = options.range.value_or(traceflow::io::ByteRange{});
    traceflow::Part part;
    try {
        part = traceflow::map_range(capture, range, how);
        if (part.cut_short) {
            std::fprintf(stderr, "traceflow: interrupted by %s: no part written\n", signal_name(stop_signal));
            die_by(stop_signal);
        }
        part.options = recorded_options(options);
        traceflow::write_part(part, part_path);
    } catch (const traceflow::Error& e) {
        std::fprintf(stderr, "traceflow: error: %s\n", e.what());
        return exit_io;
    }
    static const char* const how_found[] = {"file start", "resync", "walk"};
    if (!options.quiet) {
        std::fprintf(stderr,
                     "traceflow: map %s bytes %llu..%llu: %s, %llu TCP; records %llu..%llu (first found by "
                     "%s)%s\n",
                     capture.c_str(), static_cast<unsigned long long>(part.range.begin),
                     static_cast<unsigned long long>(part.range.end), count_of(part.stats.frames, "frame").c_str(),
                     static_cast<unsigned long long>(part.stats.tcp_frames),
                     static_cast<unsigned long long>(part.start), static_cast<unsigned long long>(part.stop),
                     how_found[static_cast<int>(part.how)],
                     part.unreachable ? "; after damage earlier in the file: no record of it is traced" : "");
    }
    if (part.damage) {
        const traceflow::PartDamage& d = *part.damage;
        if (d.record_known)
            std::fprintf(stderr, "traceflow: error: %s\n",
                         traceflow::FormatError(capture, d.record, d.offset, d.what).what());
        else
            std::fprintf(stderr, "traceflow: error: %s: the %llu%s record of the range, at byte offset %llu: %s\n",
                         capture.c_str(), static_cast<unsigned long long>(d.record),
                         d.record == 1   ? "st"
                         : d.record == 2 ? "nd"
                         : d.record == 3 ? "rd"
                                         : "th",
                         static_cast<unsigned long long>(d.offset), d.what.c_str());
        return exit_io;
    }
    return exit_ok;
}

/// traceflow merge --join JOINED PART...: the parts, consecutive ranges of
/// one capture, written as one part. Exit 0; 2 when they are not such a run
/// (nothing written) or the joined part records damage (written).
inline int run_join(const std::vector<const traceflow::Part*>& parts, const Options& options) {
    const traceflow::Part joined = traceflow::join_parts(parts, options.inputs);
    traceflow::write_part(joined, options.join);
    if (!options.quiet)
        std::fprintf(stderr, "traceflow: joined %s of %s: bytes %llu..%llu, %s, %llu TCP\n",
                     count_of(parts.size(), "part").c_str(), joined.capture.c_str(),
                     static_cast<unsigned long long>(joined.range.begin),
                     static_cast<unsigned long long>(joined.range.end), count_of(joined.stats.frames, "frame").c_str(),
                     static_cast<unsigned long long>(joined.stats.tcp_frames));
    if (joined.damage) {
        std::fprintf(stderr, "traceflow: error: %s: damaged at byte offset %llu: %s (merge reports it)\n",
                     joined.capture.c_str(), static_cast<unsigned long long>(joined.damage->offset),
                     joined.damage->what.c_str());
        return exit_io;
    }
    return exit_ok;
}

/// The captures the parts were mapped from, each once, when every one is
/// still there unchanged (its fingerprint, Part::capture_id); else none.
inline std::vector<std::string> unchanged_captures(const std::vector<traceflow::Part>& parts) {
    std::vector<std::string> captures;
    for (const traceflow::Part& p : parts) {
        if (std::find(captures.begin(), captures.end(), p.capture) != captures.end()) continue;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(p.capture, ec)) return {};
        try {
            traceflow::io::ByteSource source(p.capture);
            if (traceflow::capture_fingerprint(source) != p.capture_id) return {};
        } catch (const traceflow::Error&) {
            return {};
        }
        captures.push_back(p.capture);
    }
    return captures;
}

/// traceflow merge [LISTING OPTIONS] [-o DIR [--force]] [-q] PART...: checks
/// every part (every byte, the tiling, the options) before anything is
/// printed or written, then lists and writes as one run over the captures.
inline int run_merge(const Options& merge_options) {
    std::vector<traceflow::Part> parts;
    parts.reserve(merge_options.inputs.size());
    try {
        for (const std::string& path : merge_options.inputs) parts.push_back(traceflow::read_part(path));
        std::vector<const traceflow::Part*> order;
        for (const traceflow::Part& p : parts) order.push_back(&p);
        if (!merge_options.join.empty()) return run_join(order, merge_options);
        traceflow::check_parts(order, merge_options.inputs);
        if (!merge_options.trace.fout.empty() && !parts[0].frames_carried)
            throw traceflow::PartsError("the parts carry no frames, so -o has nothing to write: map with --files");
    } catch (const traceflow::Error& e) {
        std::fprintf(stderr, "traceflow: error: %s\n", e.what());
        return exit_io;
    }
    // What was traced comes from the parts; how it is listed, from this command.
    Options options;
    options.trace.format = "pcap";
    checks::Given recorded;
    parse_words(parts[0].options, options, recorded);
    options.frame_files = !options.payload || recorded.frame_format;
    options.command = Command::merge;
    options.inputs = merge_options.inputs;
    options.listing = merge_options.listing;
    options.stream = merge_options.stream;
    options.quiet = merge_options.quiet;
    options.threads = merge_options.threads;
    options.force = merge_options.force;
    options.trace.fout = merge_options.trace.fout;
    options.trace.max_open_files = merge_options.trace.max_open_files;
    if (options.trace.fout.empty()) options.payload = false;  // no folder: no stream files to write
    options.flows = merge_options.flows;
    options.sort = merge_options.sort;
    options.fields = merge_options.fields;
    if (merge_options.stats && !options.stats) {
        std::fprintf(stderr,
                     "traceflow: error: --fields names statistics, but the parts were mapped without --stats\n");
        return exit_usage;
    }
    options.trace.statistics = options.stats || options.sort == SortKey::bytes || options.sort == SortKey::duration;
    options.trace.flow_times =
        options.listing != Listing::table || options.sort == SortKey::first || options.sort == SortKey::last;
    // The captures' pcapng interface names and section options go on into the files, when they are at hand.
    if (!options.trace.fout.empty())
        options.trace.format = format_keeping_metadata(options.trace.format, unchanged_captures(parts));
    std::vector<const traceflow::Part*> order;
    for (const traceflow::Part& p : parts) order.push_back(&p);
    return run(options, [&](FilteredTracer& tracer, traceflow::ExtractStats& stats, const traceflow::FeedOptions& how) {
        traceflow::replay_parts(order, tracer, stats, how.on_error, how.decode);
    });
}

}  // namespace cli
