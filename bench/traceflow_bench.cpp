// SPDX-License-Identifier: MIT
// traceflow_bench: index-only, per-flow dump and core throughput of traceflow, each as a ratio to its I/O floor.
//
//   traceflow_bench CAPTURE [--out DIR] [--disk] [--repeat N] [--tshark] [--stream-copies N]
//                           [--flows N] [--synth-packets N] [--buffer BYTES] [--skip LIST]
//
// Every figure is the median of N repeats (default 5) with the page cache warm.
// The floors are measured in the same run on the same file: (1) a plain fread
// walk of the records reading only their headers, (2) creating as many empty
// files as the dump makes, in the same folder, (3) one sequential writer of as
// many bytes as the dump writes. See docs/benchmarks.md.

#include <traceflow/ended_flows.hpp>
#include <traceflow/traceflow.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

// ---------------------------------------------------------------------------
// Allocation counter: every global operator new / delete of the process.
// ---------------------------------------------------------------------------
namespace bench {
std::atomic<std::uint64_t> g_allocs{0};
std::atomic<std::int64_t> g_live_bytes{0};

inline void* counted_malloc(std::size_t n) noexcept {
    void* p = std::malloc(n == 0 ? 1 : n);
    if (p != nullptr) {
        g_allocs.fetch_add(1, std::memory_order_relaxed);
        g_live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
    }
    return p;
}
inline void* counted_aligned(std::size_t n, std::size_t align) noexcept {
    const std::size_t size = (n + align - 1) / align * align;
    void* p = std::aligned_alloc(align, size == 0 ? align : size);
    if (p != nullptr) {
        g_allocs.fetch_add(1, std::memory_order_relaxed);
        g_live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
    }
    return p;
}
// Not inlined: g++ would otherwise see free() of operator new's memory
// (-Wmismatched-new-delete) where a replaced operator delete is inlined.
#if defined(__GNUC__)
[[gnu::noinline]]
#endif
void counted_free(void* p) noexcept {
    if (p == nullptr) return;
    g_live_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
    std::free(p);
}
inline std::uint64_t allocs() noexcept { return g_allocs.load(std::memory_order_relaxed); }
inline std::int64_t live_bytes() noexcept { return g_live_bytes.load(std::memory_order_relaxed); }
}  // namespace bench

void* operator new(std::size_t n) {
    if (void* p = bench::counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = bench::counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return bench::counted_malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return bench::counted_malloc(n); }
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = bench::counted_aligned(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
    if (void* p = bench::counted_aligned(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return bench::counted_aligned(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return bench::counted_aligned(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { bench::counted_free(p); }
void operator delete[](void* p) noexcept { bench::counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { bench::counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { bench::counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { bench::counted_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { bench::counted_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { bench::counted_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { bench::counted_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { bench::counted_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { bench::counted_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { bench::counted_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { bench::counted_free(p); }

#include "common.hpp"
#include "latency_floor.hpp"

namespace bench {

// ---------------------------------------------------------------------------
// index-only and per-flow dump: feed() into TraceFlow<CapturePacket>.
// ---------------------------------------------------------------------------
struct Sample {
    std::uint64_t frames = 0;
    std::int64_t ns = 0;
    std::uint64_t allocs = 0;
};

struct FeedRun {
    double seconds = 0;  // feed + finish (destruction excluded)
    Usage usage;
    double destroy_seconds = 0;
    traceflow::ExtractStats stats;
    std::uint64_t flows = 0;
    std::uint64_t allocs = 0;
    std::int64_t live_bytes = 0;  // heap held by the tracer after the run
    std::vector<Sample> samples;  // every 65536 frames (feed's progress hook)
    MemStatus before, after;
    std::uint64_t files = 0;
    std::uint64_t out_bytes = 0;
    std::uint64_t closed = 0;         // ended flows kept (index only)
    std::uint64_t closed_frames = 0;  // their frame numbers
    std::uint64_t compact_bytes = 0;  // the same records in an EndedFlows
};

// Default settings (warnings to stderr): what a user of the library gets.
traceflow::TraceFlowOptions quiet_options() { return traceflow::TraceFlowOptions{}; }

std::uint64_t index_digest(const std::vector<traceflow::Index>& index) {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    };
    for (const traceflow::Index& x : index) {
        mix(x.label.data(), x.label.size());
        mix(x.index.data(), x.index.size() * sizeof(std::uint64_t));
        const auto reason = static_cast<unsigned char>(x.reason);
        mix(&reason, 1);
    }
    return h;
}

// A tracer that keeps nothing: feed() and feed_threaded() hand it packets
// exactly as they hand them to TraceFlow (batched, no frame bytes), so a run
// into it is the reading and decoding part of an index-only run.
struct DiscardingTracer {
    std::uint64_t packets = 0;
    std::uint64_t port_sum = 0;  // reads each packet, as a tracer would
    [[nodiscard]] bool writes_files() const { return false; }
    void dump(const CapturePacket& p) { ++packets, port_sum += p.srcport; }
    void trace_batch(const CapturePacket* p, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) dump(p[i]);
    }
};

// Wall seconds of reading and decoding every record into DiscardingTracer.
double read_decode_seconds(const std::string& path, std::size_t capacity, std::uint64_t tcp_frames, bool threaded) {
    DiscardingTracer tracer;
    traceflow::ExtractStats stats;
    traceflow::io::CaptureReader reader(traceflow::io::ByteSource(path, capacity));
    const std::int64_t t0 = now_ns();
    if (threaded)
        traceflow::feed_threaded(reader, tracer, stats);
    else
        traceflow::feed(reader, tracer, stats);
    const double seconds = double(now_ns() - t0) / 1e9;
    if (tracer.packets != tcp_frames) die("read + decode saw another number of TCP packets");
    return seconds;
}

template <typename Tracer = traceflow::TraceFlow<CapturePacket>>
FeedRun run_feed(const std::string& path, std::size_t capacity, const std::string& out_dir,
                 std::uint64_t expected_records, std::uint64_t* digest = nullptr, bool threaded = false) {
    FeedRun r;
    r.samples.reserve(expected_records / 65536 + 8);
    traceflow::TraceFlowOptions options = quiet_options();
    if (!out_dir.empty()) {
        fs::remove_all(out_dir);
        options.fout = out_dir;
        options.format = "pcap";
    }
    reset_peak_rss();
    r.before = mem_status();
    const std::int64_t live0 = live_bytes();
    const std::uint64_t a0 = allocs();
    const Usage u0 = usage_now();
    const std::int64_t t0 = now_ns();
    std::int64_t t1 = 0;
    {
        Tracer tracer(std::move(options));
        traceflow::io::CaptureReader reader(traceflow::io::ByteSource(path, capacity));
        const std::function<void(const traceflow::io::CaptureReader&)> progress =
            [&r, t0, a0](const traceflow::io::CaptureReader& rd) {
                r.samples.push_back(Sample{rd.records_read(), now_ns() - t0, allocs() - a0});
            };
        // feed_threaded runs `progress` on its reading thread; `r.samples` is
        // not touched by this one until the call returns.
        if (threaded)
            traceflow::feed_threaded(reader, tracer, r.stats, progress);
        else
            traceflow::feed(reader, tracer, r.stats, progress);
        if (!out_dir.empty()) tracer.finish();
        t1 = now_ns();
        r.usage = usage_now() - u0;
        r.samples.push_back(Sample{r.stats.frames, t1 - t0, allocs() - a0});
        r.allocs = allocs() - a0;
        r.live_bytes = live_bytes() - live0;
        r.flows = tracer.closed().size() + tracer.open_count();
        r.after = mem_status();
        if (digest != nullptr) *digest = index_digest(tracer.index());
        if (out_dir.empty()) {  // untimed: what the ended records take (kept compactly, EndedFlows)
            for (const traceflow::Index& x : tracer.closed()) r.closed_frames += x.index.size();
            r.closed = tracer.closed().size();
            r.compact_bytes = tracer.closed().memory_bytes();
        }
    }
    r.seconds = double(t1 - t0) / 1e9;
    r.destroy_seconds = double(now_ns() - t1) / 1e9;
    if (!out_dir.empty()) {
        for (const fs::directory_entry& e : fs::directory_iterator(out_dir)) {
            ++r.files;
            r.out_bytes += e.file_size();
        }
        fs::remove_all(out_dir);
        ::sync();
    }
    return r;
}

// Allocations per frame from `from_frames` on, and ns per frame of two segments.
struct Steady {
    double allocs_per_frame = 0;
    double ns_first = 0;  // ns per frame over the first `split` frames
    double ns_rest = 0;   // ns per frame after them
    std::uint64_t split = 0;
};

Steady steady_state(const FeedRun& r, std::uint64_t split) {
    Steady s;
    const Sample& last = r.samples.back();
    if (last.frames < 2 * split) split = last.frames / 2;  // a small file: halves
    const Sample* mid = &r.samples.front();
    for (const Sample& x : r.samples) {
        if (x.frames >= split) {
            mid = &x;
            break;
        }
    }
    s.split = mid->frames;
    if (last.frames > mid->frames) {
        s.allocs_per_frame = double(last.allocs - mid->allocs) / double(last.frames - mid->frames);
        s.ns_rest = double(last.ns - mid->ns) / double(last.frames - mid->frames);
    }
    if (mid->frames != 0) s.ns_first = double(mid->ns) / double(mid->frames);
    return s;
}

// ---------------------------------------------------------------------------
// Core: TraceFlow::trace() on packets decoded beforehand.
// ---------------------------------------------------------------------------
// The file's TCP packets, decoded once. trace() never reads frame bytes, so
// the frames are not kept (keeping a multi-GB file in memory would measure
// page faults, not tracing).
std::vector<CapturePacket> decode_all(const std::string& path, std::uint64_t expected) {
    std::vector<CapturePacket> packets;
    packets.reserve(expected);
    traceflow::io::CaptureReader reader(path);
    traceflow::io::Record record;
    traceflow::decode::TcpSegment seg;
    CapturePacket packet;
    while (reader.next(record)) {
        if (traceflow::decode::decode_tcp(record.linktype, record.frame.bytes, seg) != traceflow::decode::Outcome::tcp)
            continue;
        traceflow::make_capture_packet(record, seg, record.number, packet);
        packet.frame.bytes = traceflow::ByteView();
        packets.push_back(packet);
    }
    return packets;
}

// Allocations per packet by what the packet did to its flow (one untimed pass).
struct AllocSplit {
    std::uint64_t opening = 0, opening_allocs = 0;  // packets that opened a flow
    std::uint64_t ending = 0, ending_allocs = 0;    // packets that ended one (FIN), not opening
    std::uint64_t middle = 0, middle_allocs = 0;    // all others
};

AllocSplit alloc_split(const std::vector<CapturePacket>& packets) {
    AllocSplit a;
    traceflow::TraceFlow<CapturePacket> tracer(traceflow::TraceFlowOptions{});
    std::uint64_t flows = 0, ended = 0;
    for (const CapturePacket& p : packets) {
        const std::uint64_t before = allocs();
        tracer.trace(p);
        const std::uint64_t n = allocs() - before;
        const std::uint64_t flows_now = tracer.open_count() + tracer.closed().size();
        const std::uint64_t ended_now = tracer.closed().size();
        if (flows_now > flows) {
            ++a.opening;
            a.opening_allocs += n;
        } else if (ended_now > ended) {
            ++a.ending;
            a.ending_allocs += n;
        } else {
            ++a.middle;
            a.middle_allocs += n;
        }
        flows = flows_now;
        ended = ended_now;
    }
    return a;
}

struct CoreRun {
    double seconds = 0;                   // timed part
    std::uint64_t packets = 0;            // packets in the timed part
    double steady_allocs_per_packet = 0;  // second half of the timed part
    std::uint64_t flows = 0;
    double open_seconds = 0;  // synthetic: opening the flows (not in `seconds`)
    std::int64_t live_bytes = 0;
};

template <typename Tracer = traceflow::TraceFlow<CapturePacket>>
CoreRun core_file(const std::vector<CapturePacket>& packets) {
    CoreRun r;
    Tracer tracer(quiet_options());
    const std::size_t half = packets.size() / 2;
    const std::int64_t live0 = live_bytes();
    const std::int64_t t0 = now_ns();
    for (std::size_t i = 0; i < half; ++i) tracer.trace(packets[i]);
    const std::uint64_t a_mid = allocs();
    for (std::size_t i = half; i < packets.size(); ++i) tracer.trace(packets[i]);
    const std::uint64_t a_end = allocs();
    r.seconds = double(now_ns() - t0) / 1e9;
    r.packets = packets.size();
    r.steady_allocs_per_packet = ratio(double(a_end - a_mid), packets.size() - half);
    r.flows = tracer.closed().size() + tracer.open_count();
    r.live_bytes = live_bytes() - live0;
    return r;
}

struct SynthKey {
    traceflow::IpAddress src, dst;
    std::uint16_t srcport, dstport;
};

std::vector<SynthKey> synth_keys(std::uint64_t flows) {
    std::vector<SynthKey> keys(flows);
    for (std::uint64_t i = 0; i < flows; ++i) {
        // clients 10.0.0.0/8 (one per flow), 16 servers, port 443
        const auto client = static_cast<std::uint32_t>(0x0A000000u + (i * 2654435761u % 0x1000000u));
        keys[i] = SynthKey{traceflow::IpAddress::v4(client), traceflow::IpAddress::v4(0xC0000200u + (i % 16)),
                           static_cast<std::uint16_t>(1024 + i % 64000), 443};
    }
    return keys;
}

std::vector<std::uint32_t> synth_sequence(std::uint64_t flows, std::uint64_t packets) {
    std::vector<std::uint32_t> seq(packets);
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (std::uint64_t i = 0; i < packets; ++i) {  // xorshift64*: uniform over the flows
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        seq[i] = static_cast<std::uint32_t>(((x * 0x2545F4914F6CDD1Dull) >> 32) % flows);
    }
    return seq;
}

// Opens every flow of `keys` (SYN), then times seq.size() packets spread over
// them; `Batch` packets at a time through trace_batch() when Batch > 1.
template <typename Tracer = traceflow::TraceFlow<CapturePacket>, std::size_t Batch = 1>
CoreRun core_synthetic(const std::vector<SynthKey>& keys, const std::vector<std::uint32_t>& seq) {
    CoreRun r;
    Tracer tracer(quiet_options());
    static const std::uint8_t frame[64] = {};
    CapturePacket p;
    p.frame.bytes = traceflow::ByteView(frame, sizeof frame);
    p.frame.wirelen = sizeof frame;
    p.timestamp = traceflow::Timestamp{1764131088, 0};
    std::uint64_t number = 0;
    const std::int64_t live0 = live_bytes();
    const std::int64_t t_open = now_ns();
    auto address = [&number](CapturePacket& q, const SynthKey& k) {
        q.src = k.src;
        q.dst = k.dst;
        q.srcport = k.srcport;
        q.dstport = k.dstport;
        q.index = ++number;
    };
    p.syn = true;
    for (const SynthKey& k : keys) {
        address(p, k);
        tracer.trace(p);
    }
    p.syn = false;
    std::vector<CapturePacket> batch(Batch, p);
    auto run = [&](std::size_t from, std::size_t to) {
        if constexpr (Batch == 1) {
            for (std::size_t i = from; i < to; ++i) {
                address(p, keys[seq[i]]);
                tracer.trace(p);
            }
        } else {
            for (std::size_t i = from; i < to;) {
                const std::size_t n = std::min(Batch, to - i);
                for (std::size_t j = 0; j < n; ++j, ++i) address(batch[j], keys[seq[i]]);
                tracer.trace_batch(batch.data(), n);
            }
        }
    };
    const std::size_t half = seq.size() / 2;
    const std::int64_t t0 = now_ns();
    run(0, half);
    const std::uint64_t a_mid = allocs();
    run(half, seq.size());
    const std::uint64_t a_end = allocs();
    const std::int64_t t1 = now_ns();
    r.open_seconds = double(t0 - t_open) / 1e9;
    r.seconds = double(t1 - t0) / 1e9;
    r.packets = seq.size();
    r.steady_allocs_per_packet = ratio(double(a_end - a_mid), seq.size() - half);
    r.flows = tracer.open_count();
    r.live_bytes = live_bytes() - live0;
    return r;
}

// The memory-latency floor of core_synthetic<..., 256> on the same keys and packets.
double latency_floor(const std::vector<SynthKey>& keys, const std::vector<std::uint32_t>& seq) {
    std::vector<SynthKeyView> view(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const SynthKey& k = keys[i];
        std::uint32_t src = 0, dst = 0;
        std::memcpy(&src, k.src.data(), 4);
        std::memcpy(&dst, k.dst.data(), 4);
        view[i].words[0] = std::uint64_t{src} << 32 | dst;
        view[i].words[1] = std::uint64_t{k.srcport} << 16 | k.dstport;
        view[i].words[2] = i;
    }
    using Tracer = traceflow::TraceFlow<CapturePacket>;
    const std::size_t record = Tracer::bytes_per_flow_fixed() - 2 * 8 - 4;  // less two table slots, a free-list entry
    LatencyFloor floor(view, record, 2 * (seq.size() / std::max<std::size_t>(1, keys.size())) + 16);
    const std::int64_t t0 = now_ns();
    const std::uint64_t sum = floor.run(seq);
    const double seconds = double(now_ns() - t0) / 1e9;
    if (sum == 0) std::fprintf(stderr, "latency floor: empty run\n");
    return seconds;
}

// ---------------------------------------------------------------------------
// Streaming memory: the capture fed `copies` times, each copy moved later in
// time (past the idle timeout) and to other addresses (second byte of every
// address xor the copy number, so each copy's connections are new ones), into
// a bidirectional tcp-lifecycle tracer with keep_closed off. Run in a child
// process of its own so its peak RSS is the tracer's and the reader's only.
// ---------------------------------------------------------------------------
struct StreamRun {
    bool ok = false;
    std::uint64_t packets = 0;
    std::uint64_t ended = 0;
    std::uint64_t max_live = 0;
    long start_rss_kb = 0;  // the child's RSS before it traced anything
    long maxrss_kb = 0;
    double seconds = 0;
};

// First and last capture time (seconds) of the file's TCP packets.
std::pair<std::int64_t, std::int64_t> time_span(const std::string& path, std::size_t capacity) {
    std::int64_t lo = INT64_MAX, hi = INT64_MIN;
    traceflow::io::CaptureReader reader(traceflow::io::ByteSource(path, capacity));
    traceflow::io::Record record;
    while (reader.next(record)) {
        lo = std::min(lo, record.frame.timestamp.sec);
        hi = std::max(hi, record.frame.timestamp.sec);
    }
    return {lo, hi};
}

traceflow::IpAddress moved(const traceflow::IpAddress& a, unsigned copy) {
    std::uint8_t b[16];
    std::memcpy(b, a.data(), 16);
    b[1] = static_cast<std::uint8_t>(b[1] ^ copy);
    return a.is_v4() ? traceflow::IpAddress::v4(b) : traceflow::IpAddress::v6(b);
}

// The child's side (`--stream-child COPIES SHIFT`): trace, then print the
// figures on one line.
int stream_child_main(const std::string& path, std::size_t capacity, unsigned copies, std::int64_t shift_seconds) {
    StreamRun r;
    traceflow::TraceFlowOptions o;
    o.keying = traceflow::FlowKeying::bidirectional;
    o.lifecycle = traceflow::Lifecycle::tcp;
    o.idle_timeout = std::chrono::seconds(60);
    o.keep_closed = false;
    r.start_rss_kb = static_cast<long>(mem_status().rss_kb);
    const std::int64_t t0 = now_ns();
    {
        traceflow::TraceFlow<CapturePacket> tracer(o);
        tracer.register_callback([&r](const traceflow::Index&) { ++r.ended; });
        traceflow::io::Record record;
        traceflow::decode::TcpSegment seg;
        CapturePacket packet;
        std::uint64_t number = 0;
        for (unsigned copy = 0; copy < copies; ++copy) {
            traceflow::io::CaptureReader reader(traceflow::io::ByteSource(path, capacity));
            while (reader.next(record)) {
                ++number;
                if (traceflow::decode::decode_tcp(record.linktype, record.frame.bytes, seg) !=
                    traceflow::decode::Outcome::tcp)
                    continue;
                traceflow::make_capture_packet(record, seg, number, packet);
                packet.timestamp.sec += static_cast<std::int64_t>(copy) * shift_seconds;
                if (copy != 0) {
                    packet.src = moved(packet.src, copy);
                    packet.dst = moved(packet.dst, copy);
                }
                tracer.trace(packet);
                ++r.packets;
                if ((r.packets & 0xFFFF) == 0) r.max_live = std::max<std::uint64_t>(r.max_live, tracer.open_count());
            }
        }
        tracer.end_of_input();
    }
    r.seconds = double(now_ns() - t0) / 1e9;
    // VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the spawning
    // process across execve, VmHWM belongs to this process image alone.
    r.maxrss_kb = static_cast<long>(mem_status().hwm_kb);
    std::printf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %ld %ld %.6f\n", r.packets, r.ended, r.max_live, r.start_rss_kb,
                r.maxrss_kb, r.seconds);
    return 0;
}

// The parent's side: a fresh process (this program again), so that its peak
// RSS holds nothing of the bench's own memory.
StreamRun stream_in_child(const std::string& path, std::size_t capacity, unsigned copies, std::int64_t shift_seconds) {
    int fds[2];
    if (::pipe(fds) != 0) die("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::string a0 = "traceflow_bench", a1 = path, a2 = "--stream-child", a3 = std::to_string(copies),
                a4 = std::to_string(shift_seconds), a5 = "--buffer", a6 = std::to_string(capacity);
    char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(), a4.data(), a5.data(), a6.data(), nullptr};
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    StreamRun r;
    if (spawned != 0) {
        ::close(fds[0]);
        return r;
    }
    std::string line;
    char buf[256];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) line.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
           std::sscanf(line.c_str(), "%" SCNu64 " %" SCNu64 " %" SCNu64 " %ld %ld %lf", &r.packets, &r.ended,
                       &r.max_live, &r.start_rss_kb, &r.maxrss_kb, &r.seconds) == 6;
    return r;
}

// ---------------------------------------------------------------------------
// tshark -q -z conv,tcp -r FILE, side by side.
// ---------------------------------------------------------------------------
struct ExternalRun {
    bool ran = false;
    double seconds = 0;
    long maxrss_kb = 0;
    int status = 0;
};

bool on_path(const char* name) {
    const char* path = std::getenv("PATH");
    if (path == nullptr) return false;
    std::string all(path);
    std::size_t start = 0;
    while (start <= all.size()) {
        const std::size_t end = std::min(all.find(':', start), all.size());
        const std::string dir = all.substr(start, end - start);
        if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0) return true;
        start = end + 1;
    }
    return false;
}

ExternalRun run_tshark(const std::string& capture) {
    ExternalRun r;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::string a0 = "tshark", a1 = "-q", a2 = "-z", a3 = "conv,tcp", a4 = "-r", a5 = capture;
    char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(), a4.data(), a5.data(), nullptr};
    pid_t pid = 0;
    const std::int64_t t0 = now_ns();
    if (posix_spawnp(&pid, "tshark", &actions, nullptr, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return r;
    }
    struct rusage usage {};
    wait4(pid, &r.status, 0, &usage);
    r.seconds = double(now_ns() - t0) / 1e9;
    posix_spawn_file_actions_destroy(&actions);
    r.ran = true;
    r.maxrss_kb = usage.ru_maxrss;
    return r;
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------
struct Args {
    std::string capture;
    std::string out;
    bool disk = false;
    int repeat = 5;
    bool tshark = false;
    unsigned stream_copies = 10;
    unsigned stream_child = 0;  // internal: run as the streaming child with this many copies
    std::int64_t stream_shift = 0;
    std::uint64_t flows = 100000;
    std::uint64_t synth_packets = 20000000;
    std::size_t buffer = traceflow::io::ByteSource::default_capacity;  // the reader's (library default)
    std::size_t walk_buffer = std::size_t{4} << 20;                    // floor 1, as the issue defines it
    std::string skip;                                                  // comma list: dump,core,synth
    bool warm_heap = false;
    std::string profile;  // index or dump: run only that, --repeat times, for a profiler
};

void usage() {
    std::fprintf(
        stderr,
        "usage: traceflow_bench CAPTURE [--out DIR] [--disk] [--repeat N] [--tshark]\n"
        "                       [--flows N] [--synth-packets N] [--buffer BYTES] [--skip dump,core,synth,threaded]\n"
        "  --out DIR         folder for the dump and the file floors (default $TRACEFLOW_BENCH_TMPFS, else\n"
        "                    $TMPDIR or /tmp); the bench works in DIR/traceflow_bench.PID and removes it\n"
        "  --repeat N        repeats per figure, medians reported (default 5)\n"
        "  --tshark          also time `tshark -q -z conv,tcp -r CAPTURE` (once)\n"
        "  --stream-copies N streaming memory: the capture fed once and N times (default 10; 0 skips)\n"
        "  --flows N         live flows of the synthetic core run (default 100000)\n"
        "  --synth-packets N packets of the synthetic core run (default 20000000)\n"
        "  --buffer BYTES    read buffer of traceflow's reader (default: the library's)\n"
        "  --walk-buffer B   read buffer of the record walk, floor 1 (default 4 MiB)\n"
        "  --heap cold|warm  cold (default): free heap pages go back to the kernel before each\n"
        "                    timed run, as in a new process; warm: the heap keeps and reuses them\n"
        "  --skip LIST       leave out some of: dump,core,synth,threaded\n"
        "  --profile MODE    only run index or dump --repeat times (no floors, no report), for perf\n");
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
        if (s == "--out")
            a.out = value();
        else if (s == "--disk")
            a.disk = true;
        else if (s == "--repeat")
            a.repeat = std::max(1, std::atoi(value().c_str()));
        else if (s == "--tshark")
            a.tshark = true;
        else if (s == "--stream-child") {
            a.stream_child = static_cast<unsigned>(std::strtoul(value().c_str(), nullptr, 10));
            a.stream_shift = std::strtoll(value().c_str(), nullptr, 10);
        } else if (s == "--stream-copies")
            a.stream_copies = static_cast<unsigned>(std::strtoul(value().c_str(), nullptr, 10));
        else if (s == "--flows")
            a.flows = std::strtoull(value().c_str(), nullptr, 10);
        else if (s == "--synth-packets")
            a.synth_packets = std::strtoull(value().c_str(), nullptr, 10);
        else if (s == "--buffer")
            a.buffer = std::strtoull(value().c_str(), nullptr, 10);
        else if (s == "--walk-buffer")
            a.walk_buffer = std::strtoull(value().c_str(), nullptr, 10);
        else if (s == "--skip")
            a.skip = value();
        else if (s == "--profile") {
            a.profile = value();
            if (a.profile != "index" && a.profile != "dump") usage();
        } else if (s == "--heap") {
            const std::string v = value();
            if (v != "warm" && v != "cold") usage();
            a.warm_heap = v == "warm";
        } else if (s == "-h" || s == "--help")
            usage();
        else if (!s.empty() && s[0] == '-')
            usage();
        else if (a.capture.empty())
            a.capture = s;
        else
            usage();
    }
    if (a.capture.empty()) usage();
    if (a.out.empty()) {
        const char* tmpfs = std::getenv("TRACEFLOW_BENCH_TMPFS");
        const char* tmp = std::getenv("TMPDIR");
        a.out = !a.disk && tmpfs != nullptr && *tmpfs != '\0' ? tmpfs : tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
    if (a.flows == 0) a.flows = 1;
    return a;
}

bool skipped(const Args& a, const char* what) {
    const std::string list = "," + a.skip + ",";
    return list.find(std::string(",") + what + ",") != std::string::npos;
}

const char* verdict(bool met) { return met ? "**met**" : "**not met**"; }

int run(int argc, char** argv) {
    const Args args = parse(argc, argv);
    if (args.stream_child != 0)
        return stream_child_main(args.capture, args.buffer, args.stream_child, args.stream_shift);
    if (args.warm_heap) {
        // every allocation from the heap, none returned: runs after the first reuse touched pages
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_TRIM_THRESHOLD, 0x7FFFFFFF);
    }
    g_warm_heap = args.warm_heap;
    const double touch_us = page_touch_us();
    const std::uint64_t file_bytes = fs::file_size(args.capture);
    // Work in a folder of our own inside --out; only it is removed at the end.
    const fs::path out_root = fs::path(args.out) / ("traceflow_bench." + std::to_string(getpid()));
    fs::create_directories(out_root);
    g_work_dir = out_root.string();

#if defined(__OPTIMIZE__)
    const char* build = "optimised";
#else
    const char* build = "NOT OPTIMISED (configure with -DCMAKE_BUILD_TYPE=Release)";
#endif
#if defined(__clang__)
    const std::string compiler = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
    const std::string compiler = std::string("g++ ") + __VERSION__;
#else
    const std::string compiler = "unknown compiler";
#endif

    // Warm-up: one untimed read of the whole file, also the record count.
    const WalkResult info = record_walk(args.capture, args.walk_buffer);
    std::printf("# traceflow_bench %s\n\n", traceflow::version_string);
    std::printf("- capture: `%s` (%s, %s, %" PRIu64 " records, %s captured)\n", args.capture.c_str(),
                info.pcapng ? "pcapng" : "pcap", human(double(file_bytes), "B").c_str(), info.records,
                human(double(info.captured), "B").c_str());
    std::printf("- build: %s, %s; repeats: %d (medians); read buffers: walk %zu, traceflow reader %zu bytes\n", build,
                compiler.c_str(), args.repeat, args.walk_buffer, args.buffer);
    std::printf("- output folder: `%s` (%s); heap %s\n", args.out.c_str(),
                args.disk ? "disk" : "tmpfs unless --out says",
                args.warm_heap ? "warm (kept and reused between runs)" : "cold (trimmed before each timed run)");
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) != 3) load[0] = load[1] = load[2] = -1;
    std::printf("- load average at start: %.2f %.2f %.2f on %ld CPUs (other work on the machine skews wall times)\n",
                load[0], load[1], load[2], sysconf(_SC_NPROCESSORS_ONLN));
    std::printf("- first touch of a fresh 4 KiB page: %.2f us (so 1 MiB of new memory costs %.1f ms)\n\n", touch_us,
                touch_us * 256 / 1000);
    std::fflush(stdout);

    if (!args.profile.empty()) {
        for (int rep = 0; rep < args.repeat; ++rep) {
            const FeedRun r =
                run_feed(args.capture, args.buffer,
                         args.profile == "dump" ? (out_root / "dump").string() : std::string(), info.records);
            std::fprintf(stderr, "%s %d/%d: %.3f s\n", args.profile.c_str(), rep + 1, args.repeat, r.seconds);
        }
        fs::remove_all(out_root);
        return 0;
    }
    const bool do_dump = !skipped(args, "dump");
    std::vector<double> t_walk, t_index, t_dump, t_create, t_write, t_index2, t_dump2, t_decode, t_decode2;
    std::vector<Usage> u_walk, u_index, u_dump, u_create, u_write, u_index2, u_dump2;
    const bool do_threaded = !skipped(args, "threaded");
    bool threaded_same = true;    // feed_threaded gave the same index and files as feed
    FeedRun index_run, dump_run;  // the last repeat of each
    std::vector<std::uint8_t> chunk;
    {
        std::FILE* f = std::fopen(args.capture.c_str(), "rb");
        chunk.resize(std::min<std::uint64_t>(file_bytes, 4u << 20));
        if (f == nullptr || std::fread(chunk.data(), 1, chunk.size(), f) != chunk.size()) die("cannot read capture");
        std::fclose(f);
    }
    // The file floors need the dump's file count and bytes: one untimed dump first.
    std::uint64_t dump_files = 0, dump_bytes = 0;
    if (do_dump) {
        const FeedRun first = run_feed(args.capture, args.buffer, (out_root / "dump").string(), info.records);
        dump_files = first.files;
        dump_bytes = first.out_bytes;
    }
    // Interleaved repeats so drift hits every figure alike; the floors run
    // before the dump so the dump's writeback cannot land in them.
    for (int rep = 0; rep < args.repeat; ++rep) {
        {
            reset_peak_rss();
            const Usage u0 = usage_now();
            const WalkResult w = record_walk(args.capture, args.walk_buffer);
            u_walk.push_back(usage_now() - u0);
            t_walk.push_back(u_walk.back().wall);
            if (w.records != info.records) die("walk record count changed");
        }
        index_run = run_feed(args.capture, args.buffer, "", info.records);
        t_index.push_back(index_run.seconds);
        u_index.push_back(index_run.usage);
        t_decode.push_back(read_decode_seconds(args.capture, args.buffer, index_run.stats.tcp_frames, false));
        if (do_threaded)
            t_decode2.push_back(read_decode_seconds(args.capture, args.buffer, index_run.stats.tcp_frames, true));
        if (do_threaded) {
            const FeedRun r = run_feed(args.capture, args.buffer, "", info.records, nullptr, true);
            t_index2.push_back(r.seconds);
            u_index2.push_back(r.usage);
        }
        if (do_dump) {
            u_create.push_back(create_files(out_root / "create", dump_files));
            t_create.push_back(u_create.back().wall);
            u_write.push_back(sequential_write(out_root / "write", dump_bytes, chunk));
            t_write.push_back(u_write.back().wall);
            dump_run = run_feed(args.capture, args.buffer, (out_root / "dump").string(), info.records);
            t_dump.push_back(dump_run.seconds);
            u_dump.push_back(dump_run.usage);
            if (dump_run.files != dump_files || dump_run.out_bytes != dump_bytes)
                die("dump output changed between runs");
            if (do_threaded) {
                const FeedRun r =
                    run_feed(args.capture, args.buffer, (out_root / "dump").string(), info.records, nullptr, true);
                t_dump2.push_back(r.seconds);
                u_dump2.push_back(r.usage);
                threaded_same = threaded_same && r.files == dump_files && r.out_bytes == dump_bytes;
            }
        }
        std::fprintf(stderr, "repeat %d/%d: walk %.3f s, index-only %.3f s%s\n", rep + 1, args.repeat, t_walk.back(),
                     t_index.back(),
                     do_dump ? (", dump " + fixed(t_dump.back(), 3) + " s, create " + fixed(t_create.back(), 3) +
                                " s, write " + fixed(t_write.back(), 3) + " s")
                                   .c_str()
                             : "");
    }
    if (do_threaded) {  // untimed: the same index as feed()
        std::uint64_t one = 0, two = 0;
        run_feed(args.capture, args.buffer, "", info.records, &one);
        run_feed(args.capture, args.buffer, "", info.records, &two, true);
        threaded_same = threaded_same && one == two;
    }
    const double walk = median(t_walk);
    const double index_only = median(t_index);
    const double frames = double(info.records);
    const double mb = double(file_bytes) / 1e6;

    // Core on pre-decoded packets (the file) and on synthetic live flows.
    std::vector<double> t_core, t_synth;
    std::vector<double> t_batch, t_floor;
    CoreRun core_run, synth_run, batch_run;
    std::uint64_t core_packets = 0;
    AllocSplit split;
    std::vector<CapturePacket> packets;
    if (!skipped(args, "core")) {
        packets = decode_all(args.capture, info.records);
        core_packets = packets.size();
        split = alloc_split(packets);
        for (int rep = 0; rep < args.repeat; ++rep) {
            reset_peak_rss();
            core_run = core_file(packets);
            t_core.push_back(core_run.seconds);
            std::fprintf(stderr, "core (file) %d/%d: %.3f s\n", rep + 1, args.repeat, core_run.seconds);
        }
    }
    if (!skipped(args, "synth")) {
        const std::vector<SynthKey> keys = synth_keys(args.flows);
        const std::vector<std::uint32_t> seq = synth_sequence(args.flows, args.synth_packets);
        for (int rep = 0; rep < args.repeat; ++rep) {
            reset_peak_rss();
            synth_run = core_synthetic(keys, seq);
            t_synth.push_back(synth_run.seconds);
            std::fprintf(stderr, "core (synthetic) %d/%d: %.3f s\n", rep + 1, args.repeat, synth_run.seconds);
        }
        for (int rep = 0; rep < args.repeat; ++rep) {
            reset_peak_rss();
            batch_run = core_synthetic<traceflow::TraceFlow<CapturePacket>, 256>(keys, seq);
            t_batch.push_back(batch_run.seconds);
            std::fprintf(stderr, "core (synthetic, trace_batch) %d/%d: %.3f s\n", rep + 1, args.repeat,
                         batch_run.seconds);
            reset_peak_rss();
            const double floor = latency_floor(keys, seq);
            t_floor.push_back(floor);
            std::fprintf(stderr, "core (synthetic, memory-latency floor) %d/%d: %.3f s\n", rep + 1, args.repeat, floor);
        }
    }
    packets = std::vector<CapturePacket>();
    StreamRun stream_once, stream_many;
    if (args.stream_copies > 0) {
        const auto [first, last] = time_span(args.capture, args.buffer);
        const std::int64_t shift = (last - first) + 3600;  // past the idle timeout and every linger
        stream_once = stream_in_child(args.capture, args.buffer, 1, shift);
        stream_many = stream_in_child(args.capture, args.buffer, args.stream_copies, shift);
        std::fprintf(stderr, "streaming: x1 %.1f MiB, x%u %.1f MiB\n", double(stream_once.maxrss_kb) / 1024,
                     args.stream_copies, double(stream_many.maxrss_kb) / 1024);
    }
    ExternalRun tshark;
    if (args.tshark) {
        if (on_path("tshark"))
            tshark = run_tshark(args.capture);
        else
            std::fprintf(stderr, "tshark not on PATH: skipped\n");
    }

    // ---- report -------------------------------------------------------------
    const Steady index_steady = steady_state(index_run, 1000000);
    std::printf("| figure | median | best | packets/s | MB/s | ratio to floor (medians; best) | target |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---|\n");
    auto best = [](const std::vector<double>& v) { return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end()); };
    auto row = [&](const std::string& name, double seconds, double fastest, const std::string& ratio,
                   const std::string& target) {
        std::printf("| %s | %.3f s | %.3f s | %s | %.0f | %s | %s |\n", name.c_str(), seconds, fastest,
                    human(frames / seconds, "").c_str(), mb / seconds, ratio.c_str(), target.c_str());
    };
    row("floor 1: record walk (fread " + std::to_string(args.walk_buffer >> 10) + " KiB, headers only)", walk,
        best(t_walk), "1.00", "");
    const double index_ratio = index_only / walk;
    row("index-only: feed() into TraceFlow, no output", index_only, best(t_index),
        fixed(index_ratio, 2) + "x walk; " + fixed(best(t_index) / best(t_walk), 2),
        std::string("<= 1.5x (stretch 1.3x): ") + verdict(index_ratio <= 1.5) +
            (index_ratio <= 1.3 ? " (stretch met)" : ""));
    row("reference: read + decode only (feed() into a tracer that keeps nothing)", median(t_decode), best(t_decode),
        fixed(median(t_decode) / walk, 2) + "x walk; " + fixed(best(t_decode) / best(t_walk), 2), "");
    if (!t_decode2.empty())
        row("reference: read + decode only, feed_threaded()", median(t_decode2), best(t_decode2),
            fixed(median(t_decode2) / walk, 2) + "x walk; " + fixed(best(t_decode2) / best(t_walk), 2), "");
    double dump = 0, floor_sum = 0;
    if (do_dump) {
        dump = median(t_dump);
        const double create = median(t_create);
        const double write = median(t_write);
        floor_sum = walk + create + write;
        const double floor_best = best(t_walk) + best(t_create) + best(t_write);
        std::printf("| floor 2: create %" PRIu64 " empty files | %.3f s | %.3f s | %s files/s | | | |\n",
                    dump_run.files, create, best(t_create), human(double(dump_run.files) / create, "").c_str());
        std::printf("| floor 3: one sequential writer, %s | %.3f s | %.3f s | | %.0f | | |\n",
                    human(double(dump_run.out_bytes), "B").c_str(), write, best(t_write),
                    double(dump_run.out_bytes) / 1e6 / write);
        std::printf("| floor 1+2+3 | %.3f s | %.3f s | %s | %.0f | 1.00 | |\n", floor_sum, floor_best,
                    human(frames / floor_sum, "").c_str(), mb / floor_sum);
        row("per-flow pcap dump, " + std::to_string(dump_run.files) + " files", dump, best(t_dump),
            fixed(dump / floor_sum, 2) + "x (1+2+3); " + fixed(best(t_dump) / floor_best, 2),
            std::string("<= 1.5x: ") + verdict(dump / floor_sum <= 1.5));
    }
    if (!t_core.empty()) {
        const double s = median(t_core);
        std::printf("| core: trace() on the file's %" PRIu64 " pre-decoded TCP packets, %" PRIu64
                    " flows | %.3f s | %.3f s | %s | | | |\n",
                    core_packets, core_run.flows, s, best(t_core), human(double(core_packets) / s, "").c_str());
    }
    if (!t_synth.empty()) {
        const double s = median(t_synth);
        const double pps = double(synth_run.packets) / s;
        std::printf("| core: trace() on %" PRIu64
                    " live flows, %s packets, uniform random | %.3f s | %.3f s | %s | | "
                    "%.2fx target | >= 40 M/s: %s |\n",
                    synth_run.flows, human(double(synth_run.packets), "").c_str(), s, best(t_synth),
                    human(pps, "").c_str(), pps / 40e6, verdict(pps >= 40e6));
    }
    if (!t_batch.empty()) {
        const double s = median(t_batch);
        const double pps = double(batch_run.packets) / s;
        std::printf(
            "| core: trace_batch() of 256, same flows and packets | %.3f s | %.3f s | %s | | "
            "%.2fx target; %.2fx trace() | >= 40 M/s: %s |\n",
            s, best(t_batch), human(pps, "").c_str(), pps / 40e6, median(t_synth) / s, verdict(pps >= 40e6));
    }
    if (!t_floor.empty()) {
        const double s = median(t_floor);
        std::printf(
            "| core: memory-latency floor, same flows and packets (table probe, record, frame list; "
            "trace_batch's prefetch distances) | %.3f s | %.3f s | %s | | trace_batch() %.2fx floor; trace() "
            "%.2fx floor | within 2x: %s |\n",
            s, best(t_floor), human(double(batch_run.packets) / s, "").c_str(), median(t_batch) / s,
            median(t_synth) / s, verdict(median(t_batch) / s <= 2.0));
    }
    if (!t_index2.empty()) {
        const std::string same = threaded_same ? "identical output" : "output DIFFERENT";
        const double s = median(t_index2);
        row("index-only, feed_threaded() (2 threads; " + same + ")", s, best(t_index2),
            fixed(s / walk, 2) + "x walk; " + fixed(best(t_index2) / best(t_walk), 2),
            std::string("<= 1.5x (stretch 1.3x): ") + verdict(s / walk <= 1.5) +
                (s / walk <= 1.3 ? " (stretch met)" : ""));
        if (!t_dump2.empty()) {
            const double d = median(t_dump2);
            row("per-flow pcap dump, feed_threaded() (2 threads)", d, best(t_dump2),
                fixed(d / floor_sum, 2) + "x (1+2+3); " +
                    fixed(best(t_dump2) / (best(t_walk) + best(t_create) + best(t_write)), 2),
                std::string("<= 1.5x: ") + verdict(d / floor_sum <= 1.5));
        }
    }
    if (tshark.ran) {
        row("tshark -q -z conv,tcp (once" + std::string(tshark.status == 0 ? "" : ", FAILED") + ")", tshark.seconds,
            tshark.seconds,
            fixed(tshark.seconds / walk, 1) + "x walk, " + fixed(tshark.seconds / index_only, 1) + "x index-only", "");
    }

    std::printf(
        "\n| where the time goes (mean of the repeats) | wall | user | kernel | other (hypervisor, waits) | minor "
        "faults | faults x first-touch cost |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n");
    auto show = [touch_us](const char* name, const std::vector<Usage>& us) {
        if (us.empty()) return;
        Usage m;
        for (const Usage& u : us) {
            m.wall += u.wall;
            m.user += u.user;
            m.sys += u.sys;
            m.minor_faults += u.minor_faults;
        }
        const double n = double(us.size());
        std::printf("| %s | %.3f s | %.3f s | %.3f s | %.3f s | %.0f | %.3f s |\n", name, m.wall / n, m.user / n,
                    m.sys / n, std::max(0.0, (m.wall - m.user - m.sys) / n), double(m.minor_faults) / n,
                    double(m.minor_faults) / n * touch_us / 1e6);
    };
    show("floor 1: record walk", u_walk);
    show("index-only", u_index);
    show("floor 2: create files", u_create);
    show("floor 3: sequential write", u_write);
    show("per-flow dump", u_dump);
    show("index-only, feed_threaded (both threads)", u_index2);
    show("per-flow dump, feed_threaded (both threads)", u_dump2);

    std::printf("\n| memory and allocations | value |\n|---|---|\n");
    const std::uint64_t flows = index_run.flows;
    std::printf("| flows (index-only) | %" PRIu64 " (%" PRIu64 " TCP packets, %.1f per flow) |\n", flows,
                index_run.stats.tcp_frames, ratio(double(index_run.stats.tcp_frames), flows));
    std::printf("| index-only peak RSS (VmHWM) | %.1f MiB (%.1f MiB before the run) |\n",
                double(index_run.after.hwm_kb) / 1024, double(index_run.before.rss_kb) / 1024);
    std::printf(
        "| index-only bytes per flow: peak RSS growth / heap held | %.0f / %.0f B (frame numbers alone: %.0f B) |\n",
        ratio(double(index_run.after.hwm_kb - index_run.before.rss_kb) * 1024, flows),
        ratio(double(index_run.live_bytes), flows), ratio(8.0 * double(index_run.stats.tcp_frames), flows));
    if (index_run.closed != 0)
        std::printf(
            "| ended flows as the tracer keeps them (closed().memory_bytes()) | %.0f B per flow, %.2f B per "
            "frame number (%" PRIu64 " flows, %" PRIu64 " frames) |\n",
            ratio(double(index_run.compact_bytes), index_run.closed),
            ratio(double(index_run.compact_bytes), index_run.closed_frames), index_run.closed, index_run.closed_frames);
    std::printf(
        "| index-only allocations | %" PRIu64 " total, %.2f per flow, %.4f per packet from packet %" PRIu64 " on |\n",
        index_run.allocs, ratio(double(index_run.allocs), flows), index_steady.allocs_per_frame, index_steady.split);
    if (do_dump) {
        const Steady s = steady_state(dump_run, 1000000);
        std::printf("| dump peak RSS (VmHWM) | %.1f MiB |\n", double(dump_run.after.hwm_kb) / 1024);
        std::printf("| dump allocations | %" PRIu64 " total, %.2f per flow, %.4f per packet from packet %" PRIu64
                    " on |\n",
                    dump_run.allocs, ratio(double(dump_run.allocs), dump_run.flows), s.allocs_per_frame, s.split);
    }
    if (!t_core.empty()) {
        std::printf("| core (file) allocations per packet, second half | %.4f |\n", core_run.steady_allocs_per_packet);
        auto per = [](std::uint64_t a, std::uint64_t n) { return n == 0 ? 0.0 : double(a) / double(n); };
        std::printf(
            "| core (file) allocations per packet that opens / ends (FIN) / continues a flow | %.2f / %.2f / "
            "%.4f (%" PRIu64 " / %" PRIu64 " / %" PRIu64 " packets) |\n",
            per(split.opening_allocs, split.opening), per(split.ending_allocs, split.ending),
            per(split.middle_allocs, split.middle), split.opening, split.ending, split.middle);
    }
    if (!t_synth.empty()) {
        std::printf("| core (%" PRIu64 " live flows) allocations per packet, second half | %.4f |\n", synth_run.flows,
                    synth_run.steady_allocs_per_packet);
        std::printf("| core (%" PRIu64 " live flows) opening them | %.3f s, %s flows/s |\n", synth_run.flows,
                    synth_run.open_seconds, human(double(synth_run.flows) / synth_run.open_seconds, "").c_str());
        std::printf("| core (%" PRIu64 " live flows) heap held | %.0f B per flow |\n", synth_run.flows,
                    ratio(double(synth_run.live_bytes), synth_run.flows));
    }
    if (tshark.ran) std::printf("| tshark peak RSS | %.1f MiB |\n", double(tshark.maxrss_kb) / 1024);

    std::printf("\n| cost per packet (last repeat) | first %" PRIu64
                " | the rest | rest / first |\n|---|---:|---:|---:|\n",
                index_steady.split);
    std::printf("| index-only | %.1f ns | %.1f ns | %.2f |\n", index_steady.ns_first, index_steady.ns_rest,
                index_steady.ns_rest / index_steady.ns_first);
    if (do_dump) {
        const Steady s = steady_state(dump_run, 1000000);
        std::printf("| per-flow dump | %.1f ns | %.1f ns | %.2f |\n", s.ns_first, s.ns_rest, s.ns_rest / s.ns_first);
    }
    if (stream_once.ok && stream_many.ok) {
        std::printf(
            "\n| streaming memory (bidirectional, tcp lifecycle, idle 60 s, keep_closed off; own process) | "
            "input x1 | input x%u | ratio |\n|---|---:|---:|---:|\n",
            args.stream_copies);
        std::printf("| TCP packets | %" PRIu64 " | %" PRIu64 " | %.2f |\n", stream_once.packets, stream_many.packets,
                    ratio(double(stream_many.packets), stream_once.packets));
        std::printf("| flows ended | %" PRIu64 " | %" PRIu64 " | %.2f |\n", stream_once.ended, stream_many.ended,
                    ratio(double(stream_many.ended), stream_once.ended));
        std::printf("| most live flows (sampled) | %" PRIu64 " | %" PRIu64 " | %.2f |\n", stream_once.max_live,
                    stream_many.max_live, ratio(double(stream_many.max_live), stream_once.max_live));
        std::printf("| peak RSS (whole process) | %.1f MiB | %.1f MiB | %.2f |\n", double(stream_once.maxrss_kb) / 1024,
                    double(stream_many.maxrss_kb) / 1024, ratio(double(stream_many.maxrss_kb), stream_once.maxrss_kb));
        const long grown_once = stream_once.maxrss_kb - stream_once.start_rss_kb;
        const long grown_many = stream_many.maxrss_kb - stream_many.start_rss_kb;
        std::printf("| peak RSS growth while tracing (peak - RSS at the start) | %.1f MiB | %.1f MiB | %.2f |\n",
                    double(grown_once) / 1024, double(grown_many) / 1024,
                    ratio(double(grown_many), static_cast<std::uint64_t>(std::max(1L, grown_once))));
        std::printf("| wall | %.2f s | %.2f s | %.2f |\n", stream_once.seconds, stream_many.seconds,
                    stream_many.seconds / stream_once.seconds);
    } else if (args.stream_copies > 0) {
        std::printf("\nstreaming memory: the child process FAILED\n");
    }
    std::printf("\nindex-only tracer destruction (untimed above): %.3f s\n", index_run.destroy_seconds);
    fs::remove_all(out_root);
    // A figure is only worth something if the output was right.
    const bool stream_failed = args.stream_copies > 0 && !(stream_once.ok && stream_many.ok);
    if (!threaded_same || stream_failed) {
        std::fprintf(stderr, "traceflow_bench: %s\n",
                     !threaded_same ? "feed_threaded gave other output than feed" : "the streaming child failed");
        return 3;
    }
    return 0;
}

}  // namespace bench

int main(int argc, char** argv) {
    try {
        return bench::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "traceflow_bench: %s\n", e.what());
        bench::remove_work_dir();
        return 1;
    }
}
