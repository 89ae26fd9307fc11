// SPDX-License-Identifier: MIT
// bench/common.hpp: timing, memory and I/O-floor tools shared by the traceflow benchmarks.
#pragma once

#include <traceflow/traceflow.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

namespace bench {

namespace fs = std::filesystem;
using traceflow::CapturePacket;

// ---------------------------------------------------------------------------
// Small tools
// ---------------------------------------------------------------------------
inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// CPU time and page faults of this process, to split wall time into user,
// kernel and the rest (on a VM: time the hypervisor took, e.g. per page fault).
struct Usage {
    double user = 0;
    double sys = 0;
    std::uint64_t minor_faults = 0;
    double wall = 0;
};

inline Usage usage_now() {
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    Usage u;
    u.user = double(ru.ru_utime.tv_sec) + double(ru.ru_utime.tv_usec) / 1e6;
    u.sys = double(ru.ru_stime.tv_sec) + double(ru.ru_stime.tv_usec) / 1e6;
    u.minor_faults = static_cast<std::uint64_t>(ru.ru_minflt);
    u.wall = double(now_ns()) / 1e9;
    return u;
}

inline Usage operator-(const Usage& a, const Usage& b) {
    return Usage{a.user - b.user, a.sys - b.sys, a.minor_faults - b.minor_faults, a.wall - b.wall};
}

struct MemStatus {
    std::uint64_t rss_kb = 0;  // VmRSS
    std::uint64_t hwm_kb = 0;  // VmHWM: peak RSS since start or the last reset_peak_rss()
};

inline MemStatus mem_status() {
    MemStatus m;
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr) return m;
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr) {
        unsigned long long v = 0;
        if (std::sscanf(line, "VmRSS: %llu", &v) == 1) m.rss_kb = v;
        if (std::sscanf(line, "VmHWM: %llu", &v) == 1) m.hwm_kb = v;
    }
    std::fclose(f);
    return m;
}

// Every timed figure starts from the same state: dirty pages written back,
// free heap pages returned to
// the kernel (so each run touches fresh pages, as a new process would) and
// VmHWM reset to the current RSS (Linux >= 4.0: "5" > clear_refs).
inline bool g_warm_heap = false;  // --heap warm: freed memory stays in the heap and is reused

inline void reset_peak_rss() {
    ::sync();  // no writeback of an earlier phase lands in the next timed one
    if (!g_warm_heap) malloc_trim(0);
    if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
        std::fputs("5", f);
        std::fclose(f);
    }
}

// Microseconds to first touch one fresh 4 KiB page (a page fault and, on a VM,
// whatever the hypervisor adds); calibrates the fault counts reported below.
inline double page_touch_us() {
    constexpr std::size_t bytes = std::size_t{32} << 20;
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return 0;
    auto* p = static_cast<volatile char*>(m);
    const std::int64_t t0 = now_ns();
    for (std::size_t i = 0; i < bytes; i += 4096) p[i] = 1;
    const double us = double(now_ns() - t0) / 1e3 / double(bytes / 4096);
    munmap(m, bytes);
    return us;
}

inline std::string human(double v, const char* unit) {
    char buf[64];
    if (v >= 1e9)
        std::snprintf(buf, sizeof buf, "%.2f G%s", v / 1e9, unit);
    else if (v >= 1e6)
        std::snprintf(buf, sizeof buf, "%.2f M%s", v / 1e6, unit);
    else if (v >= 1e3)
        std::snprintf(buf, sizeof buf, "%.1f k%s", v / 1e3, unit);
    else
        std::snprintf(buf, sizeof buf, "%.0f %s", v, unit);
    return buf;
}

inline std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

inline std::string g_work_dir;  // removed on every exit path

inline void remove_work_dir() {
    if (g_work_dir.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(g_work_dir, ec);
}

// a / b, or 0 when there is nothing to divide by (a capture without TCP).
inline double ratio(double a, std::uint64_t b) { return b == 0 ? 0.0 : a / double(b); }

[[noreturn]] inline void die(const std::string& what) {
    std::fprintf(stderr, "traceflow_bench: %s\n", what.c_str());
    remove_work_dir();
    std::exit(2);
}

inline std::uint32_t rd32(const std::uint8_t* p, bool be) {
    return be ? (std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3])
              : (std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 | p[0]);
}

// ---------------------------------------------------------------------------
// Floor 1: the record walk. fread into a buffer, parse record headers only.
// ---------------------------------------------------------------------------
struct WalkResult {
    std::uint64_t records = 0;   // packet records (pcapng: EPB, SPB, PB)
    std::uint64_t captured = 0;  // captured bytes of those records
    std::uint64_t file_bytes = 0;
    bool pcapng = false;
};

class RawReader {
public:
    RawReader(const std::string& path, std::size_t capacity) : cap_(capacity), buf_(new std::uint8_t[capacity]) {
        f_ = std::fopen(path.c_str(), "rb");
        if (f_ == nullptr) die("cannot open " + path);
    }
    RawReader(const RawReader&) = delete;
    RawReader& operator=(const RawReader&) = delete;
    ~RawReader() { std::fclose(f_); }

    // At least n bytes at data(), else false (end of file).
    bool ensure(std::size_t n) {
        if (end_ - pos_ >= n) return true;
        const std::size_t avail = end_ - pos_;
        if (n > cap_) {
            std::unique_ptr<std::uint8_t[]> bigger(new std::uint8_t[n]);
            std::memcpy(bigger.get(), buf_.get() + pos_, avail);
            buf_ = std::move(bigger);
            cap_ = n;
        } else if (avail != 0) {
            std::memmove(buf_.get(), buf_.get() + pos_, avail);
        }
        pos_ = 0;
        end_ = avail;
        while (end_ < n) {
            const std::size_t got = std::fread(buf_.get() + end_, 1, cap_ - end_, f_);
            if (got == 0) return false;
            end_ += got;
        }
        return true;
    }
    const std::uint8_t* data() const { return buf_.get() + pos_; }
    void consume(std::size_t n) {
        pos_ += n;
        total_ += n;
    }
    std::uint64_t total() const { return total_; }

private:
    std::FILE* f_ = nullptr;
    std::size_t cap_;
    std::unique_ptr<std::uint8_t[]> buf_;
    std::size_t pos_ = 0;
    std::size_t end_ = 0;
    std::uint64_t total_ = 0;
};

inline WalkResult record_walk(const std::string& path, std::size_t capacity) {
    WalkResult w;
    RawReader in(path, capacity);
    if (!in.ensure(24)) die(path + ": not a capture");
    const std::uint32_t magic = rd32(in.data(), true);
    if (magic == 0x0A0D0D0A) {
        w.pcapng = true;
        bool be = false;
        while (in.ensure(12)) {
            const std::uint8_t* p = in.data();
            if (rd32(p, true) == 0x0A0D0D0A) be = rd32(p + 8, true) == 0x1A2B3C4D;
            const std::uint32_t type = rd32(p, be);
            const std::uint32_t len = rd32(p + 4, be);
            if (len < 12 || !in.ensure(len)) break;
            p = in.data();
            if (type == 6 || type == 2) {
                ++w.records;
                w.captured += rd32(p + 20, be);
            } else if (type == 3) {
                ++w.records;
                w.captured += len - 16;
            }
            in.consume(len);
        }
    } else {
        bool be = false;
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
            be = true;
        else if (magic != 0xd4c3b2a1 && magic != 0x4d3cb2a1)
            die(path + ": not a pcap or pcapng file");
        in.consume(24);
        while (in.ensure(16)) {
            const std::uint32_t caplen = rd32(in.data() + 8, be);
            if (!in.ensure(16 + std::size_t{caplen})) break;
            ++w.records;
            w.captured += caplen;
            in.consume(16 + std::size_t{caplen});
        }
    }
    w.file_bytes = in.total();
    return w;
}

// ---------------------------------------------------------------------------
// Floors 2 and 3: empty files, one sequential writer.
// ---------------------------------------------------------------------------
inline Usage create_files(const fs::path& dir, std::uint64_t count) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    reset_peak_rss();
    const std::string base = dir.string() + "/";
    char name[512];
    const Usage u0 = usage_now();
    for (std::uint64_t i = 0; i < count; ++i) {
        // about as long as a flow label: 10.a.b.c_port-10.78.0.2_8000-time.pcap
        std::snprintf(name, sizeof name, "%s10.%u.%u.%u_%u-10.78.0.2_8000-1764131088.%06u.pcap", base.c_str(),
                      unsigned((i >> 16) & 255), unsigned((i >> 8) & 255), unsigned(i & 255),
                      unsigned(10000 + i % 50000), unsigned(i % 1000000));
        std::FILE* f = std::fopen(name, "wb");
        if (f == nullptr) die(std::string("cannot create ") + name);
        std::fclose(f);
    }
    const Usage u = usage_now() - u0;
    fs::remove_all(dir);
    ::sync();  // untimed: the next timed phase does not inherit this one's writeback
    return u;
}

inline Usage sequential_write(const fs::path& dir, std::uint64_t bytes, const std::vector<std::uint8_t>& chunk) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    reset_peak_rss();
    const std::string path = (dir / "sequential.bin").string();
    const Usage u0 = usage_now();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) die("cannot create " + path);
    for (std::uint64_t left = bytes; left != 0;) {
        const std::size_t n = left < chunk.size() ? std::size_t(left) : chunk.size();
        if (std::fwrite(chunk.data(), 1, n, f) != n) die("write failed: " + path);
        left -= n;
    }
    if (std::fclose(f) != 0) die("close failed: " + path);
    const Usage u = usage_now() - u0;
    fs::remove_all(dir);
    ::sync();  // untimed: the next timed phase does not inherit this one's writeback
    return u;
}

}  // namespace bench
