// SPDX-License-Identifier: MIT
// packet_types_bench: the per-packet cost of each address and timestamp type a
// caller's packet may use, as a ratio to IpAddress + Timestamp in the same run.
//
//   packet_types_bench [--packets N] [--flows N] [--repeat N]
//
// Each variant traces the same synthetic traffic (N packets over F flows in
// pcapkit mode, no files) with TraceFlow<P>::trace(); packets are built
// before the clock starts, so the figure is what the tracer pays for the
// field types (key building, hashing, comparing, time conversion, labels).
// The clock is this thread's CPU time, and the variants take turns round by
// round (`repeat` rounds, the best of each kept), so a machine shared with
// other work skews them alike. See docs/benchmarks.md.

#include <traceflow/trace_flow.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <time.h>

namespace {

template <typename AddressT, typename TimeT>
struct BenchPacket {
    traceflow::LinkType protocol = traceflow::LinkType::ethernet;
    std::uint64_t index = 0;
    traceflow::FrameView frame;
    bool syn = false;
    bool fin = false;
    AddressT src{};
    AddressT dst{};
    std::uint16_t srcport = 0;
    std::uint16_t dstport = 0;
    TimeT timestamp{};
};

struct Flow {
    traceflow::IpAddress src, dst;
    std::string src_text, dst_text;
    std::uint16_t srcport = 0, dstport = 0;
};

struct Traffic {
    std::vector<Flow> flows;
    std::vector<std::uint32_t> order;  // flow of each packet
    std::vector<traceflow::Timestamp> times;
};

std::uint8_t frame_bytes[64] = {};

/// CPU time of this thread, in nanoseconds (time spent descheduled is not counted).
double thread_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

Traffic make_traffic(std::size_t packets, std::size_t flows, bool v6) {
    std::mt19937_64 rng(42);
    Traffic t;
    for (std::size_t i = 0; i < flows; ++i) {
        Flow f;
        std::uint8_t a[16], b[16];
        for (auto& x : a) x = static_cast<std::uint8_t>(rng());
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        f.src = v6 ? traceflow::IpAddress::v6(a) : traceflow::IpAddress::v4(a);
        f.dst = v6 ? traceflow::IpAddress::v6(b) : traceflow::IpAddress::v4(b);
        f.src_text = f.src.to_string();
        f.dst_text = f.dst.to_string();
        f.srcport = static_cast<std::uint16_t>(1024 + rng() % 60000);
        f.dstport = 443;
        t.flows.push_back(f);
    }
    std::int64_t ns = 1'700'000'000'000'000'000;
    for (std::size_t i = 0; i < packets; ++i) {
        t.order.push_back(static_cast<std::uint32_t>(rng() % flows));
        ns += static_cast<std::int64_t>(rng() % 20'000);
        t.times.push_back(traceflow::Timestamp::from_nanoseconds(ns));
    }
    return t;
}

template <typename AddressT>
AddressT address_as(const traceflow::IpAddress& ip, const std::string& text) {
    if constexpr (std::is_same_v<AddressT, traceflow::IpAddress>) {
        return ip;
    } else if constexpr (std::is_same_v<AddressT, std::string> || std::is_same_v<AddressT, std::string_view>) {
        return AddressT(text);
    } else {
        AddressT out{};
        std::memcpy(out.data(), ip.data(), out.size());
        return out;
    }
}

template <typename TimeT>
TimeT time_as(const traceflow::Timestamp& t) {
    if constexpr (std::is_same_v<TimeT, traceflow::Timestamp>) {
        return t;
    } else if constexpr (std::is_same_v<TimeT, double>) {
        return static_cast<double>(t.sec) + t.nsec * 1e-9;
    } else if constexpr (std::is_same_v<TimeT, std::chrono::system_clock::time_point>) {
        return TimeT(std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(t.total_nanoseconds())));
    } else {
        return std::chrono::duration_cast<TimeT>(std::chrono::nanoseconds(t.total_nanoseconds()));
    }
}

/// Nanoseconds per packet of one run; `flows_out` receives the flow count.
template <typename AddressT, typename TimeT>
double run(const Traffic& t, std::size_t& flows_out) {
    using P = BenchPacket<AddressT, TimeT>;
    std::vector<P> packets(t.order.size());
    for (std::size_t i = 0; i < packets.size(); ++i) {
        const Flow& f = t.flows[t.order[i]];
        P& p = packets[i];
        p.index = i + 1;
        p.frame = traceflow::FrameView{traceflow::ByteView(frame_bytes, sizeof frame_bytes), 64, t.times[i]};
        p.src = address_as<AddressT>(f.src, f.src_text);
        p.dst = address_as<AddressT>(f.dst, f.dst_text);
        p.srcport = f.srcport;
        p.dstport = f.dstport;
        p.timestamp = time_as<TimeT>(t.times[i]);
    }
    traceflow::TraceFlowOptions options;
    options.warning = nullptr;
    traceflow::TraceFlow<P> tracer(options);
    const double start = thread_ns();
    for (const P& p : packets) tracer.trace(p);
    const double stop = thread_ns();
    flows_out = tracer.open_count();
    return (stop - start) / static_cast<double>(packets.size());
}

/// The caller parses text to IpAddress before tracing: the parse counted per packet.
double run_parsed(const Traffic& t, std::size_t& flows_out) {
    using Text = BenchPacket<std::string, traceflow::Timestamp>;
    using P = traceflow::Packet<traceflow::FrameView>;
    std::vector<Text> texts(t.order.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const Flow& f = t.flows[t.order[i]];
        texts[i].src = f.src_text;
        texts[i].dst = f.dst_text;
        texts[i].srcport = f.srcport;
        texts[i].dstport = f.dstport;
        texts[i].timestamp = t.times[i];
        texts[i].index = i + 1;
    }
    traceflow::TraceFlowOptions options;
    options.warning = nullptr;
    traceflow::TraceFlow<P> tracer(options);
    P p;
    p.frame = traceflow::FrameView{traceflow::ByteView(frame_bytes, sizeof frame_bytes), 64, {}};
    const double start = thread_ns();
    for (const Text& x : texts) {
        p.index = x.index;
        p.src = traceflow::IpAddress::parse(x.src).value_or(traceflow::IpAddress{});
        p.dst = traceflow::IpAddress::parse(x.dst).value_or(traceflow::IpAddress{});
        p.srcport = x.srcport;
        p.dstport = x.dstport;
        p.timestamp = x.timestamp;
        tracer.trace(p);
    }
    const double stop = thread_ns();
    flows_out = tracer.open_count();
    return (stop - start) / static_cast<double>(texts.size());
}

struct Variant {
    const char* name;
    std::function<double(const Traffic&, std::size_t&)> run;
    double best = 1e300;
};

}  // namespace

int main(int argc, char** argv) {
    std::size_t packets = 500'000;
    std::size_t flows = 5'000;
    int repeat = 7;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        const long long value = std::atoll(argv[i + 1]);
        if (arg == "--packets")
            packets = static_cast<std::size_t>(value);
        else if (arg == "--flows")
            flows = static_cast<std::size_t>(value);
        else if (arg == "--repeat")
            repeat = static_cast<int>(value);
        else {
            std::fprintf(stderr, "usage: %s [--packets N] [--flows N] [--repeat N]\n", argv[0]);
            return 2;
        }
    }
    using traceflow::IpAddress;
    using traceflow::Timestamp;
    using Sys = std::chrono::system_clock::time_point;
    std::printf("%zu packets over %zu flows, best of %d rounds (thread CPU time), pcapkit mode, trace() only\n\n",
                packets, flows, repeat);
    std::printf("%-44s %10s %8s\n", "packet field types", "ns/packet", "ratio");
    bool ok = true;
    for (const bool v6 : {false, true}) {
        const Traffic t = make_traffic(packets, flows, v6);
        std::vector<Variant> variants = {
            {"IpAddress + Timestamp (baseline)", run<IpAddress, Timestamp>},
            {"std::string addresses", run<std::string, Timestamp>},
            {"std::string_view addresses", run<std::string_view, Timestamp>},
            {"text parsed to IpAddress by the caller", run_parsed},
            {v6 ? "std::array<uint8_t, 16> addresses" : "std::array<uint8_t, 4> addresses",
             v6 ? run<std::array<std::uint8_t, 16>, Timestamp> : run<std::array<std::uint8_t, 4>, Timestamp>},
            {"double timestamp", run<IpAddress, double>},
            {"std::chrono::nanoseconds timestamp", run<IpAddress, std::chrono::nanoseconds>},
            {"system_clock::time_point timestamp", run<IpAddress, Sys>},
            {"std::string + double (pcapkit-like)", run<std::string, double>},
        };
        std::size_t baseline_flows = 0;
        for (int round = 0; round < repeat; ++round) {
            for (Variant& v : variants) {
                std::size_t n = 0;
                v.best = std::min(v.best, v.run(t, n));
                if (&v == &variants.front()) baseline_flows = n;
                ok = ok && n == baseline_flows;  // every variant must find the same flows
            }
        }
        std::printf("-- %s\n", v6 ? "IPv6" : "IPv4");
        for (const Variant& v : variants)
            std::printf("%-44s %10.1f %7.2fx\n", v.name, v.best, v.best / variants.front().best);
    }
    if (!ok) std::fprintf(stderr, "packet_types_bench: a variant found other flows than the baseline\n");
    return ok ? 0 : 1;
}
