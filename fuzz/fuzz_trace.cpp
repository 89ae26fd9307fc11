// SPDX-License-Identifier: MIT
// libFuzzer target: the whole path. from_memory -> feed -> TraceFlow writing
// pcap and json files into a fresh folder per input, then index(); checks
// that every TCP frame lands in exactly one flow and that the pcap files
// hold exactly those frames, byte for byte; and that trace_batch() gives
// what trace() gives, one packet at a time.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <traceflow/decode/decoder.hpp>
#include <traceflow/feed/extract.hpp>
#include <traceflow/io/capture_reader.hpp>
#include <traceflow/output/file_output.hpp>
#include <traceflow/trace_flow.hpp>

#include "../tests/support/mini_json.hpp"
#include "fuzz_util.hpp"

namespace {

namespace fs = std::filesystem;
using traceflow::ByteView;
using traceflow::Index;

/// What the input holds, read independently of the tracer: every TCP frame
/// before the damage (if any), by frame number.
struct Original {
    ByteView bytes;
    std::uint32_t wirelen = 0;
    traceflow::Timestamp timestamp;
    traceflow::LinkType linktype{};
};

std::map<std::uint64_t, Original> tcp_frames(const std::uint8_t* data, std::size_t size) {
    std::map<std::uint64_t, Original> out;
    try {
        auto reader = traceflow::io::CaptureReader::from_memory(ByteView(data, size), "fuzz-input");
        traceflow::io::Record r;
        traceflow::decode::TcpSegment seg;
        std::uint64_t number = 0;
        while (reader.next(r)) {
            ++number;
            if (traceflow::decode::decode_tcp(r.linktype, r.frame.bytes, seg) != traceflow::decode::Outcome::tcp)
                continue;
            // from_memory hands out views into `data`: they stay valid.
            out[number] = Original{r.frame.bytes, r.frame.wirelen, r.frame.timestamp, r.linktype};
        }
    } catch (const traceflow::FormatError&) {}
    return out;
}

std::string slurp(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    FUZZ_CHECK(f != nullptr);
    std::string text;
    char buf[16384];
    for (std::size_t got; (got = std::fread(buf, 1, sizeof buf, f)) != 0;) text.append(buf, got);
    std::fclose(f);
    return text;
}

[[noreturn]] void io_failure(const traceflow::IoError& e) {
    // Writing into a fresh scratch folder must work: an IoError here is a finding.
    std::fprintf(stderr, "unexpected IoError: %s\n", e.what());
    std::abort();
}

/// Runs the input through a tracer writing `format` into `root`; returns its index.
/// The tracer settings of one input: pcapkit's defaults most of the time,
/// else the tcp lifecycle, bidirectional keys, timeouts and a flow limit.
traceflow::TraceFlowOptions make_options(std::uint8_t mode) {
    using namespace std::chrono_literals;
    traceflow::TraceFlowOptions o;
    switch (mode % 4) {
        case 0: break;  // pcapkit
        case 1:
            o.lifecycle = traceflow::Lifecycle::tcp;
            o.fin_linger = 0ns;
            break;
        case 2:
            o.keying = traceflow::FlowKeying::bidirectional;
            o.lifecycle = traceflow::Lifecycle::tcp;
            o.idle_timeout = 1s;
            o.active_timeout = 5s;
            o.statistics = true;
            o.key_vlan = true;
            o.key_interface = true;
            break;
        case 3:
            o.max_flows = 2;
            o.statistics = true;
            break;
    }
    return o;
}

std::vector<Index> trace(const std::uint8_t* data, std::size_t size, const fs::path& root, const char* format,
                         traceflow::TraceFlowOptions options, traceflow::ExtractStats& stats) {
    options.fout = root.string();
    options.format = format;
    options.warning = [](std::string_view) {};
    std::vector<Index> index;
    try {
        traceflow::TraceFlow<traceflow::CapturePacket> tracer(options);
        std::uint64_t ended = 0;
        tracer.register_callback([&ended](const Index&) { ++ended; });
        try {
            auto reader = traceflow::io::CaptureReader::from_memory(ByteView(data, size), "fuzz-input");
            traceflow::feed(reader, tracer, stats);
        } catch (const traceflow::FormatError&) {
            // Expected for damaged input: what came before is traced.
        }
        if (options.lifecycle == traceflow::Lifecycle::tcp) tracer.end_of_input();
        tracer.finish();
        index = tracer.index();
        FUZZ_CHECK(ended == tracer.closed().size());
    } catch (const traceflow::IoError& e) {
        io_failure(e);
    }
    return index;
}

/// Every TCP frame in exactly one flow; returns frame number -> flow position.
std::map<std::uint64_t, std::size_t> check_partition(const std::vector<Index>& index,
                                                     const traceflow::ExtractStats& stats,
                                                     const std::map<std::uint64_t, Original>& original) {
    std::map<std::uint64_t, std::size_t> owner;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < index.size(); ++i) {
        FUZZ_CHECK(!index[i].index.empty());
        FUZZ_CHECK(index[i].fpout.has_value());
        for (const std::uint64_t frame : index[i].index) {
            FUZZ_CHECK(owner.emplace(frame, i).second);  // never in two flows
            FUZZ_CHECK(original.count(frame) == 1);      // only TCP frames
        }
        total += index[i].index.size();
    }
    FUZZ_CHECK(total == stats.tcp_frames);
    FUZZ_CHECK(total == original.size());
    return owner;
}

void check_pcap_files(const std::vector<Index>& index, const std::map<std::uint64_t, Original>& original,
                      bool nanosecond) {
    std::set<std::string> paths;
    for (const Index& flow : index) {
        FUZZ_CHECK(paths.insert(*flow.fpout).second);  // two flows never share a file
        const std::string file = slurp(*flow.fpout);
        auto reader = traceflow::io::CaptureReader::from_memory(
            ByteView(reinterpret_cast<const std::uint8_t*>(file.data()), file.size()), *flow.fpout);
        FUZZ_CHECK(reader.format() == traceflow::io::CaptureFormat::pcap);
        FUZZ_CHECK(reader.pcap()->nanosecond() == nanosecond);
        traceflow::io::Record r;
        std::size_t n = 0;
        while (reader.next(r)) {
            FUZZ_CHECK(n < flow.index.size());
            const Original& o = original.at(flow.index[n]);
            ++n;
            FUZZ_CHECK(r.frame.bytes.size == o.bytes.size);
            FUZZ_CHECK(o.bytes.size == 0 || std::memcmp(r.frame.bytes.data, o.bytes.data, o.bytes.size) == 0);
            FUZZ_CHECK(r.frame.wirelen == (o.wirelen < o.bytes.size ? o.bytes.size : o.wirelen));
            if (o.timestamp.sec >= 0 && o.timestamp.sec <= 0xFFFFFFFFll) {
                const std::uint32_t nsec = nanosecond ? o.timestamp.nsec : o.timestamp.nsec / 1000 * 1000;
                FUZZ_CHECK(r.frame.timestamp.sec == o.timestamp.sec);
                FUZZ_CHECK(r.frame.timestamp.nsec == nsec);
            }
        }
        FUZZ_CHECK(n == flow.index.size());
    }
}

void check_json_files(const std::vector<Index>& index) {
    std::set<std::string> paths;
    for (const Index& flow : index) {
        FUZZ_CHECK(paths.insert(*flow.fpout).second);
        const std::string text = slurp(*flow.fpout);
        testjson::Value doc;
        try {
            doc = testjson::parse(text);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s: %s\n", flow.fpout->c_str(), e.what());
            FUZZ_CHECK(!"json output parses");
        }
        FUZZ_CHECK(doc.kind == testjson::Value::Kind::object);
        FUZZ_CHECK(doc.members.size() == flow.index.size());
        for (std::size_t i = 0; i < flow.index.size(); ++i)
            FUZZ_CHECK(doc.members[i].first == "Frame " + std::to_string(flow.index[i]));
    }
}

}  // namespace

/// The input's TCP packets traced one by one and in batches of uneven sizes
/// (from the input's bytes): the same flows, in the same order.
void check_batches(const std::uint8_t* data, std::size_t size, traceflow::TraceFlowOptions options) {
    std::vector<traceflow::CapturePacket> packets;
    try {
        auto reader = traceflow::io::CaptureReader::from_memory(ByteView(data, size), "fuzz-input");
        traceflow::io::Record r;
        traceflow::decode::TcpSegment seg;
        traceflow::CapturePacket packet;
        std::uint64_t number = 0;
        while (reader.next(r)) {
            ++number;
            if (traceflow::decode::decode_tcp(r.linktype, r.frame.bytes, seg) != traceflow::decode::Outcome::tcp)
                continue;
            traceflow::make_capture_packet(r, seg, number, packet);
            packets.push_back(packet);
        }
    } catch (const traceflow::FormatError&) {}
    options.fout.clear();
    traceflow::TraceFlow<traceflow::CapturePacket> one(options);
    traceflow::TraceFlow<traceflow::CapturePacket> batched(options);
    for (const auto& p : packets) one.trace(p);
    for (std::size_t at = 0, k = 0; at < packets.size(); ++k) {
        const std::size_t n = std::min<std::size_t>(packets.size() - at, 1 + data[k % size] % 40);
        batched.trace_batch(packets.data() + at, n);
        at += n;
    }
    const std::vector<Index> a = one.index();
    const std::vector<Index> b = batched.index();
    FUZZ_CHECK(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        FUZZ_CHECK(a[i].label == b[i].label);
        FUZZ_CHECK(a[i].index == b[i].index);
        FUZZ_CHECK(a[i].reason == b[i].reason);
    }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::uint64_t counter = 0;
    const fs::path dir = fuzzutil::scratch_root() / std::to_string(counter++);

    const std::map<std::uint64_t, Original> original = tcp_frames(data, size);

    // The settings come from the input's size, so each input always runs the same way.
    traceflow::TraceFlowOptions options = make_options(static_cast<std::uint8_t>(size >> 4));
    // A tiny descriptor budget (1-3 files open: the LRU reopens in append mode).
    options.max_open_files = 1 + size % 3;
    options.nanosecond = (size & 4) != 0;
    options.byteorder = (size & 8) != 0 ? traceflow::ByteOrder::big : traceflow::ByteOrder::little;
    const bool nanosecond = options.nanosecond;
    traceflow::ExtractStats pcap_stats;
    const std::vector<Index> pcap_index = trace(data, size, dir / "pcap", "pcap", options, pcap_stats);
    const auto owner = check_partition(pcap_index, pcap_stats, original);
    check_pcap_files(pcap_index, original, nanosecond);

    // json: every flow a complete JSON object with one member per frame.
    traceflow::ExtractStats json_stats;
    options.max_open_files = 2;
    const std::vector<Index> json_index = trace(data, size, dir / "json", "json", options, json_stats);
    FUZZ_CHECK(json_index.size() == pcap_index.size());
    for (std::size_t i = 0; i < json_index.size(); ++i) {
        FUZZ_CHECK(json_index[i].index == pcap_index[i].index);
        FUZZ_CHECK(json_index[i].label == pcap_index[i].label);
    }
    check_json_files(json_index);
    (void)owner;
    if (size != 0) check_batches(data, size, options);

    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}
