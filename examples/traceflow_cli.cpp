// SPDX-License-Identifier: MIT
// traceflow: the command-line tool. Reads captures, prints every TCP flow,
// optionally writes each flow to its own file.
#include <traceflow/traceflow.hpp>
#include <traceflow/filter/filtered_tracer.hpp>

#include "cli/listing.hpp"
#include "cli/options.hpp"

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

using namespace cli;

bool stderr_is_terminal() {
#if defined(TRACEFLOW_CLI_HAVE_ISATTY)
    return ::isatty(2) != 0;
#else
    return false;
#endif
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse_arguments(argc, argv);
    traceflow::TraceFlowOptions trace_options = options.trace;
    const auto start = std::chrono::steady_clock::now();
    traceflow::ExtractStats stats;
    int status = exit_ok;
    std::vector<traceflow::Index> flows;
    std::uint64_t filtered_out = 0;
    try {
        traceflow::TraceFlow<traceflow::CapturePacket> tracer(trace_options);
        // --filter: packets are matched before tracing; frame numbers still count every frame.
        traceflow::filter::FilteredTracer<traceflow::TraceFlow<traceflow::CapturePacket>> filtered(
            tracer, traceflow::filter::Filter(options.filter));
        const traceflow::decode::DecodeOptions decode{options.decap};
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
                if (threaded) traceflow::feed_threaded(input, filtered, stats, report, decode, options.max_frames);
                else traceflow::feed(input, filtered, stats, report, decode, options.max_frames);
                if (options.max_frames != 0 && stats.frames >= options.max_frames) break;  // -c N
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
        filtered_out = filtered.filtered_out();
    } catch (const traceflow::Error& e) {
        std::fprintf(stderr, "traceflow: error: %s\n", e.what());
        return exit_io;
    }
    print_flows(flows, options.listing, options.stats);
    std::fflush(stdout);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!options.quiet) print_summary(stats, flows, seconds, filtered_out);
    return status;
}
