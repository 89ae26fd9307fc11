// SPDX-License-Identifier: MIT
// traceflow: the command-line tool. Reads captures, prints every TCP flow,
// optionally writes each flow to its own file.
#include <traceflow/filter/filtered_tracer.hpp>
#include <traceflow/threaded_feed.hpp>
#include <traceflow/traceflow.hpp>

#include "cli/ended_listing.hpp"
#include "cli/listing.hpp"
#include "cli/options.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <unistd.h>
#define TRACEFLOW_CLI_POSIX 1
#endif

namespace {

using namespace cli;

// Set by the signal handler (SIGINT, SIGTERM, SIGHUP) and by a broken stdout:
// reading stops at the next record. Lock-free, so safe in a handler.
std::atomic<bool> stop_reading{false};
volatile std::sig_atomic_t stop_signal = 0;
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag is set from a signal handler");

extern "C" void on_stop_signal(int sig) {
    stop_signal = sig;
    stop_reading.store(true);
}

constexpr int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

// The handler runs once (SA_RESETHAND: a second Ctrl-C ends at once) and
// without SA_RESTART, so a read waiting on a pipe returns. A signal ignored
// when we started (nohup) stays ignored. SIGPIPE is ignored: EPIPE is seen on write.
void install_signal_handlers() {
#if defined(TRACEFLOW_CLI_POSIX)
    for (int sig : stop_signals) {
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        ::sigaction(sig, &sa, nullptr);
    }
    std::signal(SIGPIPE, SIG_IGN);
#else
    for (int sig : stop_signals) std::signal(sig, on_stop_signal);
#endif
}

// Ends the process by `sig` with its default action (the shell sees 128 + sig).
[[noreturn]] void die_by(int sig) {
    std::signal(sig, SIG_DFL);
#if defined(TRACEFLOW_CLI_POSIX)
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
#endif
    std::raise(sig);
    std::_Exit(128 + sig);
}

const char* signal_name(int sig) {
    switch (sig) {
        case SIGINT: return "SIGINT";
        case SIGTERM: return "SIGTERM";
#if defined(SIGHUP)
        case SIGHUP: return "SIGHUP";
#endif
        default: return "a signal";
    }
}

bool stderr_is_terminal() {
#if defined(TRACEFLOW_CLI_POSIX)
    return ::isatty(2) != 0;
#else
    return false;
#endif
}

// Standard output's health: a closed pipe (EPIPE) stops reading quietly;
// any other failure is an error (exit 2). Both keep the files complete.
// Reading stops on a closed pipe; on another failure only when no files are
// written (with files, reading goes on so that they are all written).
struct OutputState {
    bool closed_at_start = false;
    bool writes_files = false;
    bool broken_pipe = false;
    int error = 0;  // errno of the first failure other than EPIPE (-1: unknown)

    [[nodiscard]] bool failed() const noexcept { return broken_pipe || error != 0; }

    // Flushes stdout; on failure records why, says so (not for EPIPE), and may stop reading.
    bool flush() {
        if (failed()) return false;
        errno = 0;
        if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return true;
        fail(errno);
        return false;
    }
    void fail(int err) {
        if (err == EPIPE) {
            broken_pipe = true;
            stop_reading.store(true);
            return;
        }
        error = err != 0 ? err : -1;
        std::fprintf(stderr, "traceflow: error: writing standard output: %s\n",
                     error > 0 ? std::strerror(error) : "write failed");
        if (!writes_files) stop_reading.store(true);
    }
};

// A closed fd 1 would be taken by the first file we open, and the listing
// would land in it: hold fd 1 with /dev/null and report the closed stdout.
bool stdout_is_closed() {
#if defined(TRACEFLOW_CLI_POSIX)
    if (::fcntl(1, F_GETFD) != -1 || errno != EBADF) return false;
    const int fd = ::open("/dev/null", O_WRONLY);
    if (fd >= 0 && fd != 1) ::close(fd);
    return true;
#else
    return false;
#endif
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse_arguments(argc, argv);
    OutputState out;
    out.closed_at_start = stdout_is_closed();
    install_signal_handlers();
    traceflow::TraceFlowOptions trace_options = options.trace;
    // Streaming: flows are printed as they end, so ended flows need not be kept.
    if (options.stream) trace_options.keep_closed = false;
    const auto start = std::chrono::steady_clock::now();
    traceflow::ExtractStats stats;
    int status = exit_ok;
    ReasonCounts flow_count{};  // flows by end reason
    std::uint64_t filtered_out = 0;
    try {
        traceflow::TraceFlow<traceflow::CapturePacket> tracer(trace_options);
        out.writes_files = tracer.writes_files();
        const bool show_progress = !options.quiet && stderr_is_terminal();
        const bool threaded =
            options.threads == 2 || (options.threads == 0 && std::thread::hardware_concurrency() >= 2);
        const bool stats_on = options.stats;  // JSON/CSV collect statistics for first/last; --stats prints them
        if (options.stream) {
            print_listing_header(options.listing, stats_on);
            out.flush();
            tracer.register_callback([&](const traceflow::Index& flow) {
                count_reason(flow_count, flow);
                if (out.failed()) return;
                print_flow(flow, options.listing, stats_on);
                out.flush();
            });
        }
        traceflow::FeedOptions feed_options;
        feed_options.stop = &stop_reading;
        feed_options.live_clock = options.stream;  // used only on pipes, FIFOs, sockets, terminals
        feed_options.decode.decap = options.decap;
        feed_options.max_frames = options.max_frames;  // -c N
        // --filter: packets are matched before tracing; frame numbers still count every frame.
        traceflow::filter::FilteredTracer<traceflow::TraceFlow<traceflow::CapturePacket>> filtered(
            tracer, traceflow::filter::Filter(options.filter));
        feed_options.on_error = [&](const traceflow::Error& e) {
            // Keep what was traced; report the broken input and read the next.
            if (show_progress) std::fputs("\r\033[K", stderr);
            std::fprintf(stderr, "traceflow: error: %s\n", e.what());
            status = exit_io;
        };
        if (show_progress) {
            // Runs on the reading thread when threaded: it looks at the reader only.
            feed_options.progress = [](const traceflow::io::CaptureReader& reader) {
                std::fprintf(stderr, "\r%s: %llu frames, %.1f MB", reader.path().c_str(),
                             static_cast<unsigned long long>(reader.records_read()),
                             static_cast<double>(reader.bytes_read()) / 1e6);
            };
        }
        try {
            // Stopped or not, what was read is listed and every file completed.
            if (threaded) traceflow::feed_threaded(options.inputs, filtered, stats, feed_options);
            else traceflow::feed(options.inputs, filtered, stats, feed_options);
        } catch (const traceflow::Error& e) {  // the tracer could not write a file
            std::fprintf(stderr, "traceflow: error: %s\n", e.what());
            status = exit_io;
        }
        if (show_progress) std::fputs("\r\033[K", stderr);
        try {
            // In the tcp lifecycle every flow ends, so each carries its reason.
            if (trace_options.lifecycle == traceflow::Lifecycle::tcp) tracer.end_of_input();
            tracer.finish();
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
            print_listing_header(options.listing, stats_on, width);
        // Open flows, then the ended ones, read back and formatted on two threads when tracing used two.
        EndedListingPlan plan;
        plan.two_threads = threaded;
        list_ended_flows(
            [&] {
                tracer.for_each_open_index([&](const traceflow::Index& flow) {
                    print_flow(flow, options.listing, stats_on, width);
                    count_reason(flow_count, flow);
                });
            },
            tracer.closed(), options.listing, stats_on, width, flow_count, plan,
            [](const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); });
    } catch (const traceflow::Error& e) {
        std::fprintf(stderr, "traceflow: error: %s\n", e.what());
        return exit_io;
    }
    out.flush();
    errno = 0;
    if (std::fclose(stdout) != 0 && !out.failed()) out.fail(errno);
    if (out.closed_at_start) {
        std::fputs("traceflow: error: standard output is closed\n", stderr);
        status = exit_io;
    } else if (out.error != 0) {
        status = exit_io;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!options.quiet) {
        print_summary(stats, flow_count, seconds, filtered_out);
        if (stop_signal != 0)
            std::fprintf(stderr, "traceflow: interrupted by %s: reading stopped, files completed\n",
                         signal_name(stop_signal));
    }
    if (stop_signal != 0) die_by(stop_signal);
#if defined(TRACEFLOW_CLI_POSIX)
    if (out.broken_pipe) die_by(SIGPIPE);
#endif
    return status;
}
