// SPDX-License-Identifier: MIT
// traceflow_modes: every lifecycle x keying x statistics x timeout mode, index only, as a ratio to the record walk.
//
//   traceflow_modes CAPTURE... [--repeat N] [--only TEXT] [--buffer BYTES] [--give-up X] [--threaded]
//   traceflow_modes --dump-peers CAPTURE [--repeat N] [--pcapsplitter PATH] [--out DIR]
//
// For each capture (e.g. one whose time steps back, its sorted and its
// shuffled variant; bench/make_capture.sh makes all three), the record walk
// (floor 1 of traceflow_bench) and every mode are timed, interleaved, medians
// of N repeats (default 3), page cache warm, cold heap. A mode slower than
// --give-up times the walk (default 8) in its first repeat is not repeated, and
// a run is stopped after --cap seconds (default 40; its figure is then the
// time so far scaled to the whole file, a lower bound). --threaded: every mode
// through feed_threaded(), as the CLI runs it on two or more cores.
// --dump-peers: one file per flow on tmpfs, traceflow against PcapSplitter
// and tcpflow and against the floor (walk + creating as many files + writing
// as many bytes). PcapSplitter is found through --pcapsplitter PATH or the
// environment variable PCAPSPLITTER; with neither it is not run. The files go
// under --out DIR, else $TRACEFLOW_BENCH_TMPFS, else the temporary folder
// ($TMPDIR): point it at a tmpfs. See docs/benchmarks.md.

#include "common.hpp"
#include "peers.hpp"

#include <atomic>
#include <cinttypes>
#include <functional>
#include <thread>

namespace bench {

struct Mode {
    traceflow::Lifecycle lifecycle = traceflow::Lifecycle::pcapkit;
    traceflow::FlowKeying keying = traceflow::FlowKeying::directional;
    bool statistics = false;
    int timeout = 0;  // 0 none, 1 idle 60 s, 2 active 300 s
    bool threaded = false;

    std::string name() const {
        static const char* const timeouts[] = {"none", "idle 60 s", "active 300 s"};
        std::string n = lifecycle == traceflow::Lifecycle::tcp ? "tcp" : "pcapkit";
        n += keying == traceflow::FlowKeying::bidirectional ? ", bidirectional" : ", directional";
        n += statistics ? ", stats on" : ", stats off";
        n += std::string(", ") + timeouts[timeout];
        if (threaded) n += ", feed_threaded";
        return n;
    }
    traceflow::TraceFlowOptions options() const {
        traceflow::TraceFlowOptions o;
        o.lifecycle = lifecycle;
        o.keying = keying;
        o.statistics = statistics;
        if (timeout == 1) o.idle_timeout = std::chrono::seconds(60);
        if (timeout == 2) o.active_timeout = std::chrono::seconds(300);
        return o;
    }
};

// Every mode through feed(), after the CLI's default; `threaded`: every mode
// through feed_threaded(), as the CLI runs them on two or more cores.
std::vector<Mode> all_modes(bool threaded) {
    std::vector<Mode> modes;
    if (!threaded) {
        Mode cli_default;
        cli_default.threaded = true;
        modes.push_back(cli_default);
    }
    for (auto lifecycle : {traceflow::Lifecycle::pcapkit, traceflow::Lifecycle::tcp})
        for (auto keying : {traceflow::FlowKeying::directional, traceflow::FlowKeying::bidirectional})
            for (bool statistics : {false, true})
                for (int timeout = 0; timeout < 3; ++timeout)
                    modes.push_back(Mode{lifecycle, keying, statistics, timeout, threaded});
    return modes;
}

struct ModeRun {
    double seconds = 0;
    std::uint64_t flows = 0;
    std::uint64_t packets = 0;
    double peak_growth_bytes = 0;  // VmHWM after - VmRSS before
    std::uint64_t stopped_at = 0;  // records read when the run was stopped at the cap; 0: ran to the end
};

ModeRun run_mode(const std::string& path, std::size_t buffer, const Mode& mode, double cap) {
    ModeRun r;
    reset_peak_rss();
    const MemStatus before = mem_status();
    const std::int64_t t0 = now_ns();
    {
        traceflow::TraceFlow<CapturePacket> tracer(mode.options());
        traceflow::io::CaptureReader reader(traceflow::io::ByteSource(path, buffer));
        traceflow::ExtractStats stats;
        // Stops a pathological run after `cap` seconds (then the figure is a lower bound).
        struct GiveUp {};
        const std::function<void(const traceflow::io::CaptureReader&)> progress =
            [t0, cap, &r](const traceflow::io::CaptureReader& rd) {
                if (double(now_ns() - t0) / 1e9 > cap) {
                    r.stopped_at = rd.records_read();
                    throw GiveUp{};
                }
            };
        try {
            if (mode.threaded)
                traceflow::feed_threaded(reader, tracer, stats, progress);
            else
                traceflow::feed(reader, tracer, stats, progress);
        } catch (const GiveUp&) {}
        r.seconds = double(now_ns() - t0) / 1e9;
        r.flows = tracer.closed().size() + tracer.open_count();
        r.packets = stats.tcp_frames;
        const MemStatus after = mem_status();
        r.peak_growth_bytes = double(after.hwm_kb - before.rss_kb) * 1024;
    }
    return r;
}

// The environment variable `name`, or `fallback` when it is unset or empty.
std::string env_or(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

struct Args {
    std::vector<std::string> captures;
    int repeat = 3;
    std::string only;
    std::size_t buffer = traceflow::io::ByteSource::default_capacity;
    double give_up = 8;
    double cap = 40;
    bool dump_peers = false;
    bool threaded = false;                                  // every mode through feed_threaded()
    std::string pcapsplitter = env_or("PCAPSPLITTER", "");  // empty: PcapSplitter is not run
    std::string out = env_or("TRACEFLOW_BENCH_TMPFS", "");  // empty: the temporary folder
};

[[noreturn]] void usage() {
    std::fprintf(
        stderr,
        "usage: traceflow_modes CAPTURE... [--repeat N] [--only TEXT] [--buffer BYTES] [--give-up X] [--cap S]\n"
        "                       [--threaded]  (every mode through feed_threaded(), as the CLI)\n"
        "       traceflow_modes --dump-peers CAPTURE [--repeat N] [--pcapsplitter PATH] [--out DIR]\n"
        "  --pcapsplitter PATH  PcapSplitter binary (default $PCAPSPLITTER; unset: not run)\n"
        "  --out DIR            folder for the files, on tmpfs (default $TRACEFLOW_BENCH_TMPFS, else $TMPDIR)\n");
    std::exit(2);
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage();
            return argv[++i];
        };
        if (s == "--repeat")
            a.repeat = std::max(1, std::atoi(value().c_str()));
        else if (s == "--only")
            a.only = value();
        else if (s == "--buffer")
            a.buffer = std::strtoull(value().c_str(), nullptr, 10);
        else if (s == "--give-up")
            a.give_up = std::atof(value().c_str());
        else if (s == "--cap")
            a.cap = std::atof(value().c_str());
        else if (s == "--dump-peers")
            a.dump_peers = true;
        else if (s == "--threaded")
            a.threaded = true;
        else if (s == "--pcapsplitter")
            a.pcapsplitter = value();
        else if (s == "--out")
            a.out = value();
        else if (!s.empty() && s[0] == '-')
            usage();
        else
            a.captures.push_back(s);
    }
    if (a.captures.empty()) usage();
    if (a.out.empty()) a.out = fs::temp_directory_path().string();
    return a;
}

// Two threads hand one atomic back and forth: what a cache line moving
// between the two cores costs, there and back. It sets the pace of the
// threaded feed and moves with the VM's placement of its vCPUs (540-580 ns
// one day, when the walk was 2.5x faster than the day before).
double thread_round_trip_ns() {
    if (std::thread::hardware_concurrency() < 2) return -1;  // one core: each hand-over waits for a time slice
    constexpr int rounds = 100000;
    alignas(64) std::atomic<int> ball{0};
    std::thread other([&ball] {
        for (int i = 0; i < rounds; ++i) {
            while (ball.load(std::memory_order_acquire) != 2 * i + 1) {}
            ball.store(2 * i + 2, std::memory_order_release);
        }
    });
    const std::int64_t t0 = now_ns();
    for (int i = 0; i < rounds; ++i) {
        ball.store(2 * i + 1, std::memory_order_release);
        while (ball.load(std::memory_order_acquire) != 2 * i + 2) {}
    }
    const std::int64_t t1 = now_ns();
    other.join();
    return double(t1 - t0) / rounds;
}

void print_header(const Args& args) {
#if defined(__clang__)
    const std::string compiler = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
    const std::string compiler = std::string("g++ ") + __VERSION__;
#else
    const std::string compiler = "unknown compiler";
#endif
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) != 3) load[0] = load[1] = load[2] = -1;
    std::printf(
        "# traceflow_modes %s (%s); repeats %d (medians), cold heap, page cache warm; load %.2f %.2f %.2f; "
        "a line between two threads: %.0f ns round trip\n\n",
        traceflow::version_string, compiler.c_str(), args.repeat, load[0], load[1], load[2], thread_round_trip_ns());
}

int run_modes(const Args& args) {
    print_header(args);
    std::vector<Mode> modes;
    for (const Mode& m : all_modes(args.threaded))
        if (args.only.empty() || m.name().find(args.only) != std::string::npos) modes.push_back(m);
    struct Figures {
        WalkResult info;
        std::vector<double> walk;
        std::vector<std::vector<double>> mode;  // by mode
        std::vector<ModeRun> last;
    };
    std::vector<Figures> figures(args.captures.size());
    for (std::size_t c = 0; c < args.captures.size(); ++c) {
        const std::string& path = args.captures[c];
        Figures& f = figures[c];
        f.info = record_walk(path, std::size_t{4} << 20);  // warms the page cache
        f.mode.resize(modes.size());
        f.last.resize(modes.size());
        for (int rep = 0; rep < args.repeat; ++rep) {
            const std::int64_t w0 = now_ns();
            record_walk(path, std::size_t{4} << 20);
            f.walk.push_back(double(now_ns() - w0) / 1e9);
            for (std::size_t m = 0; m < modes.size(); ++m) {
                if (rep > 0 && f.mode[m].front() > args.give_up * f.walk.front()) continue;
                f.last[m] = run_mode(path, args.buffer, modes[m], args.cap);
                f.mode[m].push_back(f.last[m].seconds);
                std::fprintf(stderr, "%s %d/%d: %s: %.3f s (walk %.3f s)\n", path.c_str(), rep + 1, args.repeat,
                             modes[m].name().c_str(), f.last[m].seconds, f.walk.back());
            }
        }
    }
    for (std::size_t c = 0; c < args.captures.size(); ++c) {
        const Figures& f = figures[c];
        std::printf("- `%s`: %" PRIu64 " records, %s; walk median %.3f s\n", args.captures[c].c_str(), f.info.records,
                    human(double(f.info.file_bytes), "B").c_str(), median(f.walk));
    }
    std::printf("\n| mode (index only, %s)", args.threaded ? "feed_threaded()" : "feed()");
    for (std::size_t c = 0; c < args.captures.size(); ++c)
        std::printf(" | %s: x walk (s) | flows | peak B/flow", fs::path(args.captures[c]).filename().c_str());
    std::printf(" |\n|---");
    for (std::size_t c = 0; c < args.captures.size(); ++c) std::printf("|---:|---:|---:");
    std::printf("|\n");
    for (std::size_t m = 0; m < modes.size(); ++m) {
        std::printf("| %s", modes[m].name().c_str());
        for (const Figures& f : figures) {
            const double s = median(f.mode[m]);
            const double x = s / median(f.walk);
            if (f.last[m].stopped_at != 0) {
                // Stopped at the cap: the whole file would take at least this long.
                const double whole = s * double(f.info.records) / double(f.last[m].stopped_at);
                std::printf(" | **> %.1f** (stopped at %.0f s, %.0f %% of the records)", whole / median(f.walk), s,
                            100.0 * double(f.last[m].stopped_at) / double(f.info.records));
            } else {
                std::printf(" | %s%.2f%s (%.2f%s)", x > 1.5 ? "**" : "", x, x > 1.5 ? "**" : "", s,
                            f.mode[m].size() < f.walk.size() ? ", 1 run" : "");
            }
            std::printf(" | %" PRIu64 " | %.0f", f.last[m].flows, ratio(f.last[m].peak_growth_bytes, f.last[m].flows));
        }
        std::printf(" |\n");
    }
    return 0;
}

int run(int argc, char** argv) {
    const Args args = parse(argc, argv);
    if (args.dump_peers) {
        if (args.pcapsplitter.empty())
            std::fprintf(stderr,
                         "traceflow_modes: PcapSplitter not run, its row reads FAILED (set PCAPSPLITTER or pass "
                         "--pcapsplitter PATH)\n");
        print_header(args);
        return run_dump_peers(args.captures.front(), args.repeat, args.pcapsplitter, args.out);
    }
    return run_modes(args);
}

}  // namespace bench

int main(int argc, char** argv) {
    try {
        return bench::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "traceflow_modes: %s\n", e.what());
        bench::remove_work_dir();
        return 1;
    }
}
