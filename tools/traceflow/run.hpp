// SPDX-License-Identifier: MIT
// run(): one invocation of the tool: read the inputs, trace, write files, list
// the flows and the summary; returns the exit status.
#pragma once

#include <traceflow/feed/parallel_feed.hpp>
#include <traceflow/feed/threaded_feed.hpp>
#include <traceflow/filter/filtered_tracer.hpp>
#include <traceflow/traceflow.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "ended_listing.hpp"
#include "hints.hpp"
#include "input_metadata.hpp"
#include "listing.hpp"
#include "options.hpp"
#include "payload_files.hpp"
#include "process.hpp"

namespace cli {

/// The tracer, and the follower that hands its flows' bytes to -f payload's files.
using Tracer = traceflow::TraceFlow<traceflow::CapturePacket>;
using Follower = traceflow::StreamFollower<Tracer, PayloadFiles>;
/// What run() traces: the follower (and tracer) behind the --filter.
using FilteredTracer = traceflow::filter::FilteredTracer<Follower>;
/// Feeds the tracer in place of reading `options.inputs` (merge replays parts).
using Feeder = std::function<void(FilteredTracer&, traceflow::ExtractStats&, const traceflow::FeedOptions&)>;

/// Orders flows for --sort: by first or last packet time (earliest first),
/// by packets, bytes or duration (largest first); ties by number.
inline void sort_flows(std::vector<traceflow::Index>& flows, SortKey key) {
    const auto value = [key](const traceflow::Index& f) -> std::int64_t {
        switch (key) {
            case SortKey::first: return f.first.total_nanoseconds();
            case SortKey::last: return f.last.total_nanoseconds();
            case SortKey::packets: return static_cast<std::int64_t>(f.index.size());
            case SortKey::bytes: return f.stats ? static_cast<std::int64_t>(f.stats->bytes[0] + f.stats->bytes[1]) : 0;
            case SortKey::duration: return f.stats ? f.stats->duration_ns() : 0;
            case SortKey::none: break;
        }
        return 0;
    };
    const bool largest_first = key == SortKey::packets || key == SortKey::bytes || key == SortKey::duration;
    std::sort(flows.begin(), flows.end(), [&](const traceflow::Index& a, const traceflow::Index& b) {
        const std::int64_t va = value(a);
        const std::int64_t vb = value(b);
        if (va != vb) return largest_first ? va > vb : va < vb;
        return a.number < b.number;
    });
}

/// The threads -j asks for; by default one per core.
inline unsigned thread_count(const Options& options) {
    if (options.threads != 0) return options.threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

/// Runs the tool as `options` say; returns the exit status (or ends the
/// process by the signal that stopped it, as tcpdump does). `feeder`, when
/// set, feeds the tracer instead of reading the inputs.
inline int run(const Options& options, const Feeder& feeder = {}) {
    OutputState out;
    out.closed_at_start = stdout_is_closed();
    install_signal_handlers();
    traceflow::TraceFlowOptions trace_options = options.trace;
    // Streaming: flows are printed as they end, so ended flows need not be kept.
    if (options.stream) trace_options.keep_closed = false;
    // --flows: the other flows are traced (their numbers count) but get no file and no line.
    ListingChoices choices;
    if (options.flows) {
        choices.flows = &*options.flows;
        trace_options.file_for = [&options](std::uint64_t number) { return options.flows->contains(number); };
    }
    if (!options.fields.empty()) choices.fields = &options.fields;
    choices.vlan = options.trace.key_vlan;
    choices.interface = options.trace.key_interface;
    // -f payload alone: the tracer writes no frame files; the follower writes streams.
    if (!options.frame_files) trace_options.fout.clear();
    // pcapng inputs' interface names and section options go on into the files (merge: its captures').
    if (!feeder && !trace_options.fout.empty())
        trace_options.format = format_keeping_metadata(trace_options.format, options.inputs);
    if (options.payload && options.frame_files)
        trace_options.max_open_files = std::max<std::size_t>(1, trace_options.max_open_files / 2);
    const auto start = std::chrono::steady_clock::now();
    traceflow::ExtractStats stats;
    int status = exit_ok;
    ReasonCounts flow_count{};  // flows by end reason
    std::uint64_t filtered_out = 0;
    std::string line;                           // one flow's line of the listing; its room is reused
    std::optional<StreamTotals> stream_totals;  // -f payload: for the summary
    try {
        Tracer tracer(trace_options);
        std::optional<PayloadFiles> payload;
        if (options.payload) {
            payload.emplace(options.trace.fout, options.trace.name_template,
                            options.frame_files ? trace_options.max_open_files : options.trace.max_open_files);
            payload->set_bidirectional(trace_options.keying == traceflow::FlowKeying::bidirectional);
            tracer.register_open_callback([&payload, &options](const Tracer::buffer_type& flow) {
                if (!options.flows || options.flows->contains(flow.number))  // --flows: only those get files
                    payload->opened(flow.number, flow.label, flow.id);
            });
            choices.streams = &*payload;
            choices.both_directions = trace_options.keying == traceflow::FlowKeying::bidirectional;
        }
        traceflow::ReassemblyOptions reassembly;
        reassembly.overlap = options.overlap;
        Follower follower(tracer, payload ? &*payload : nullptr, reassembly);
        out.writes_files = tracer.writes_files() || options.payload;
        const bool show_progress = !options.quiet && stderr_is_terminal();
        const unsigned threads = thread_count(options);
        const bool threaded = threads >= 2;
        const bool stats_on = options.stats;  // --stats: the listing prints each flow's statistics
        // Every line goes through `out`, which sees each failure of stdout
        // where it happens (its errno); after one, nothing more is written.
        if (options.stream) {
            out.write(listing_header(options.listing, stats_on, default_flow_width, choices));
            out.flush();
            follower.register_callback([&](const traceflow::Index& flow) {
                count_reason(flow_count, flow);
                if (out.failed()) return;
                line.clear();
                append_flow_line(line, flow, options.listing, stats_on, default_flow_width, choices);
                out.write(line);
                out.flush();
            });
        }
        traceflow::FeedOptions feed_options;
        feed_options.stop = &stop_reading;
        feed_options.live_clock = options.stream;  // used only on pipes, FIFOs, sockets, terminals
        feed_options.decode.decap = options.decap;
        feed_options.decode.join_fragments = options.defrag;
        feed_options.max_frames = options.max_frames;  // -c N
        // --filter: packets are matched before tracing; frame numbers still count every frame.
        FilteredTracer filtered(follower, traceflow::filter::Filter(options.filter));
        feed_options.on_error = [&](const traceflow::Error& e) {
            // Keep what was traced; report the broken input and read the next.
            if (show_progress) std::fputs("\r\033[K", stderr);
            std::fprintf(stderr, "traceflow: error: %s\n", e.what());
            status = exit_io;
        };
        if (show_progress) {
            // Runs on the reading thread when threaded: it looks at the reader only.
            // A regular file's size is looked up once per input (0: a stream, no size).
            feed_options.progress = [sized = std::string(),
                                     size = std::uint64_t{0}](const traceflow::io::CaptureReader& reader) mutable {
                if (sized != reader.path()) {
                    sized = reader.path();
                    std::error_code ec;
                    size = 0;
                    if (sized != "-" && std::filesystem::is_regular_file(sized, ec)) {
                        const std::uintmax_t bytes = std::filesystem::file_size(sized, ec);
                        if (!ec) size = bytes;
                    }
                }
                std::fprintf(stderr, "\r%s\033[K",
                             progress_line(reader.path(), reader.bytes_read(), size, reader.records_read()).c_str());
            };
        }
        try {
            // Stopped or not, what was read is listed and every file completed.
            if (feeder)
                feeder(filtered, stats, feed_options);
            else if (threaded)
                traceflow::feed_parallel(options.inputs, filtered, stats, feed_options, threads);
            else
                traceflow::feed(options.inputs, filtered, stats, feed_options);
        } catch (const traceflow::Error& e) {  // the tracer could not write a file
            std::fprintf(stderr, "traceflow: error: %s\n", e.what());
            status = exit_io;
        }
        if (show_progress) std::fputs("\r\033[K", stderr);
        try {
            // In the tcp lifecycle every flow ends, so each carries its reason.
            if (trace_options.lifecycle == traceflow::Lifecycle::tcp) follower.end_of_input();
            follower.finish();
        } catch (const traceflow::Error& e) {
            std::fprintf(stderr, "traceflow: error: %s\n", e.what());
            status = exit_io;
        }
        filtered_out = filtered.filtered_out();
        // One record at a time (streaming: the flows still open), so the
        // listing never holds every record at once; the table first sizes its
        // FLOW column to the longest label.
        std::size_t width = default_flow_width;
        if (options.listing == Listing::table) {
            width = std::max<std::size_t>(4, tracer.closed().longest_label());  // 4: "FLOW"
            for (const auto& flow : tracer.open_flows()) width = std::max(width, flow.label.size());
        }
        const std::size_t listed = tracer.open_count() + tracer.closed().size();
        if (!options.stream && (options.listing != Listing::table || listed != 0))
            out.write(listing_header(options.listing, stats_on, width, choices));
        if (options.sort != SortKey::none) {
            // Every record at once, in the order asked for (ties: by number).
            std::vector<traceflow::Index> all = tracer.index();
            sort_flows(all, options.sort);
            for (const traceflow::Index& flow : all) {
                count_reason(flow_count, flow);
                if (out.failed()) continue;
                line.clear();
                append_flow_line(line, flow, options.listing, stats_on, width, choices);
                out.write(line);
            }
        } else {
            // Open flows, then the ended ones, read back and formatted on two threads when tracing used two.
            EndedListingPlan plan;
            plan.two_threads = threaded;
            list_ended_flows(
                [&] {
                    tracer.for_each_open_index([&](const traceflow::Index& flow) {
                        count_reason(flow_count, flow);
                        if (out.failed()) return;
                        line.clear();
                        append_flow_line(line, flow, options.listing, stats_on, width, choices);
                        out.write(line);
                    });
                },
                tracer.closed(), options.listing, stats_on, width, flow_count, plan,
                [&](const std::string& text) { out.write(text); }, choices);
        }
        if (payload) stream_totals = payload->totals();
    } catch (const traceflow::Error& e) {
        std::fprintf(stderr, "traceflow: error: %s\n", e.what());
        return exit_io;
    }
    out.close();
    if (out.closed_at_start) {
        std::fputs("traceflow: error: standard output is closed\n", stderr);
        status = exit_io;
    } else if (out.error != 0) {
        status = exit_io;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!options.quiet) {
        print_summary(stats, flow_count, seconds, filtered_out, stream_totals ? &*stream_totals : nullptr);
        if (stop_signal != 0)
            std::fprintf(stderr, "traceflow: interrupted by %s: reading stopped, files completed\n",
                         signal_name(stop_signal));
    }
    hint_tunnels(options, stats);  // also under -q: no TCP outside tunnels, try --decap
    if (stop_signal != 0) die_by(stop_signal);
#if defined(TRACEFLOW_CLI_POSIX)
    if (out.broken_pipe) die_by(SIGPIPE);
#endif
    return status;
}

}  // namespace cli
