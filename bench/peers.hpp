// SPDX-License-Identifier: MIT
// bench/peers.hpp: one file per flow on tmpfs, traceflow's CLI against PcapSplitter and tcpflow and their floors.
#pragma once

#include "common.hpp"

#include <cinttypes>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace bench {

struct Tool {
    std::string name;
    std::vector<std::string> argv;  // {OUT} stands for the output folder
};

struct ToolRun {
    bool ok = false;
    double seconds = 0;
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
    long maxrss_kb = 0;
};

// Runs `tool` with its output in a fresh `dir`; stdout and stderr to /dev/null.
inline ToolRun run_tool(const Tool& tool, const fs::path& dir) {
    ToolRun r;
    fs::remove_all(dir);
    fs::create_directories(dir);
    ::sync();
    std::vector<std::string> args;
    for (const std::string& a : tool.argv) args.push_back(a == "{OUT}" ? dir.string() : a);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const std::int64_t t0 = now_ns();
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) return r;
    int status = 0;
    struct rusage usage {};
    wait4(pid, &status, 0, &usage);
    r.seconds = double(now_ns() - t0) / 1e9;
    r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    r.maxrss_kb = usage.ru_maxrss;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        ++r.files;
        r.bytes += e.file_size();
    }
    fs::remove_all(dir);
    ::sync();
    return r;
}

inline std::string sibling_cli() {
    // traceflow_modes lives in BUILD/bench, the CLI in BUILD/tools.
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return (self.parent_path().parent_path() / "tools" / "traceflow").string();
}

// One file per flow: each tool, then its floor (walk + creating as many
// files + writing as many bytes), interleaved, medians of `repeat`.
inline int run_dump_peers(const std::string& capture, int repeat, const std::string& pcapsplitter,
                          const std::string& out) {
    const fs::path root = fs::path(out) / ("traceflow_modes." + std::to_string(getpid()));
    fs::create_directories(root);
    g_work_dir = root.string();
    const std::string cli = sibling_cli();
    std::vector<Tool> tools = {
        {"traceflow (default: pcapkit, directional)", {cli, "-q", "--csv", "-o", "{OUT}", capture}},
        {"traceflow -j1 (one thread)", {cli, "-q", "--csv", "-j", "1", "-o", "{OUT}", capture}},
        {"traceflow --bidirectional --lifecycle tcp",
         {cli, "-q", "--csv", "--bidirectional", "--lifecycle", "tcp", "-o", "{OUT}", capture}},
        {"PcapSplitter -m connection", {pcapsplitter, "-f", capture, "-o", "{OUT}", "-m", "connection"}},
        {"tcpflow 1.6.1 (reassembles; one file per direction)", {"tcpflow", "-r", capture, "-o", "{OUT}"}},
    };
    std::vector<std::uint8_t> chunk(std::size_t{4} << 20, 0x5A);
    std::vector<std::vector<double>> t_tool(tools.size()), t_create(tools.size()), t_write(tools.size());
    std::vector<ToolRun> last(tools.size());
    std::vector<double> t_walk;
    const WalkResult info = record_walk(capture, std::size_t{4} << 20);  // warms the page cache
    for (int rep = 0; rep < repeat; ++rep) {
        const std::int64_t w0 = now_ns();
        record_walk(capture, std::size_t{4} << 20);
        t_walk.push_back(double(now_ns() - w0) / 1e9);
        for (std::size_t t = 0; t < tools.size(); ++t) {
            last[t] = run_tool(tools[t], root / "out");
            t_tool[t].push_back(last[t].seconds);
            t_create[t].push_back(create_files(root / "floor", last[t].files).wall);
            t_write[t].push_back(sequential_write(root / "floor", last[t].bytes, chunk).wall);
            std::fprintf(stderr, "%d/%d %s: %.3f s, %" PRIu64 " files%s\n", rep + 1, repeat, tools[t].name.c_str(),
                         last[t].seconds, last[t].files, last[t].ok ? "" : " (FAILED)");
        }
    }
    fs::remove_all(root);
    const double walk = median(t_walk);
    std::printf("- `%s`: %" PRIu64 " records, %s; walk %.3f s; output on %s\n\n", capture.c_str(), info.records,
                human(double(info.file_bytes), "B").c_str(), walk, out.c_str());
    std::printf(
        "| one file per flow | wall | files | bytes | floor: walk + create + write | x floor | x traceflow "
        "bidirectional | peak RSS |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    const double bidir = median(t_tool[2]);
    for (std::size_t t = 0; t < tools.size(); ++t) {
        const double s = median(t_tool[t]);
        const double floor = walk + median(t_create[t]) + median(t_write[t]);
        std::printf("| %s%s | %.3f s | %" PRIu64 " | %s | %.3f s | %.2f | %.2f | %.0f MiB |\n", tools[t].name.c_str(),
                    last[t].ok ? "" : " (FAILED)", s, last[t].files, human(double(last[t].bytes), "B").c_str(), floor,
                    s / floor, s / bidir, double(last[t].maxrss_kb) / 1024);
    }
    return 0;
}

}  // namespace bench
