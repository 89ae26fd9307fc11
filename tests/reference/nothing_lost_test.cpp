// SPDX-License-Identifier: MIT
// Nothing lost, on every reference capture: each TCP frame lands in exactly
// one flow, and the per-flow pcap files, merged back by frame number, give
// the input's TCP records byte for byte (bytes, caplen, wirelen, time).
// A capture that ends in a FormatError is compared up to the damage.
#include <traceflow/decode/decoder.hpp>
#include <traceflow/feed/extract.hpp>
#include <traceflow/feed/fragment_joiner.hpp>
#include <traceflow/io/capture_reader.hpp>
#include <traceflow/trace_flow.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_catch.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using traceflow::FormatError;
using traceflow::Index;
using traceflow::Timestamp;

#ifndef TRACEFLOW_REFERENCE_DIR
#error "nothing_lost_test.cpp is built only with TRACEFLOW_REFERENCE_DIR (a string path)"
#endif

namespace {

/// A scratch folder in RAM when /dev/shm exists (thousands of small files), removed at scope exit.
class ScratchDir {
public:
    ScratchDir() {
        static std::atomic<unsigned> counter{0};
        std::error_code ec;
        const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
        path_ = base /
                ("traceflow-nothing-lost-" + std::to_string(std::random_device{}()) + "-" + std::to_string(counter++));
        fs::create_directories(path_);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    [[nodiscard]] const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

struct Frame {
    std::vector<std::uint8_t> bytes;
    std::uint32_t wirelen = 0;
    Timestamp timestamp;
    traceflow::LinkType linktype{};
};

/// The input read on its own: every frame decoded as TCP, by frame number, up to any damage;
/// IP fragments count when the packet they join into is TCP (FragmentJoiner, tested on its own).
struct Input {
    std::map<std::uint64_t, Frame> tcp;
    std::uint64_t frames = 0;
    std::optional<std::string> error;
};

Input read_input(const std::string& path) {
    Input in;
    try {
        traceflow::io::CaptureReader reader(path);
        traceflow::io::Record r;
        traceflow::decode::TcpSegment seg;
        traceflow::FragmentJoiner joiner;
        traceflow::ExtractStats unused;
        const auto keep = [&](std::uint64_t number, const traceflow::FrameView& frame, traceflow::LinkType link) {
            in.tcp[number] = Frame{{frame.bytes.begin(), frame.bytes.end()}, frame.wirelen, frame.timestamp, link};
        };
        while (reader.next(r)) {
            ++in.frames;
            const auto outcome = traceflow::decode::decode_tcp(r.linktype, r.frame.bytes, seg);
            if (traceflow::FragmentJoiner::takes(outcome, seg, traceflow::decode::DecodeOptions{})) {
                ++unused.outcomes[static_cast<std::size_t>(traceflow::decode::Outcome::fragment)];
                joiner.add(r, in.frames, unused,
                           [&](const traceflow::CapturePacket& p) { keep(p.index, p.frame, p.protocol); });
                continue;
            }
            if (outcome == traceflow::decode::Outcome::tcp) keep(in.frames, r.frame, r.linktype);
        }
    } catch (const FormatError& e) {
        in.error = e.what();
    }
    return in;
}

struct Traced {
    std::vector<Index> index;
    traceflow::ExtractStats stats;
    std::optional<std::string> error;
};

Traced trace(const std::string& path, const std::string& fout) {
    Traced t;
    traceflow::TraceFlowOptions options;
    options.fout = fout;
    options.format = "pcap";
    options.nanosecond = true;  // every input time fits (readers keep ns)
    options.max_open_files = 16;
    options.warning = nullptr;
    traceflow::TraceFlow<traceflow::CapturePacket> tracer(options);
    try {
        traceflow::feed(path, tracer, t.stats);
    } catch (const FormatError& e) {
        t.error = e.what();
    }
    tracer.finish();
    t.index = tracer.index();
    return t;
}

}  // namespace

TEST_CASE("nothing lost: every TCP frame in exactly one flow, per-flow pcap files give the input back",
          "[reference][hostile]") {
    const fs::path captures = fs::path(TRACEFLOW_REFERENCE_DIR) / "captures";
    REQUIRE(fs::is_directory(captures));
    const std::vector<fs::path> files = testutil::files_in(captures);
    REQUIRE(files.size() >= 100);

    std::uint64_t total_tcp = 0;
    std::uint64_t total_flows = 0;
    std::vector<std::string> pcap_time_limit;  // inputs whose times a 32-bit pcap second cannot hold
    std::vector<std::string> mixed_links;      // flows holding frames of another link type than their file
    for (const fs::path& file : files) {
        const std::string name = file.filename().string();
        CAPTURE(name);
        const Input in = read_input(file.string());

        // (a) Without files: every TCP frame in exactly one Index.
        const Traced plain = trace(file.string(), "");
        CHECK(plain.error == in.error);
        CHECK(plain.stats.frames == in.frames);
        CHECK(plain.stats.tcp_frames == in.tcp.size());
        std::map<std::uint64_t, std::size_t> owner;  // frame -> position in index
        std::uint64_t sum = 0;
        bool only_tcp = true;
        bool once = true;
        for (std::size_t i = 0; i < plain.index.size(); ++i) {
            sum += plain.index[i].index.size();
            for (const std::uint64_t n : plain.index[i].index) {
                once = owner.emplace(n, i).second && once;
                only_tcp = in.tcp.count(n) == 1 && only_tcp;
            }
        }
        CHECK(sum == in.tcp.size());
        CHECK(once);
        CHECK(only_tcp);
        CHECK(owner.size() == in.tcp.size());
        total_tcp += in.tcp.size();
        total_flows += plain.index.size();

        // (b) With pcap output: read every flow's file back, merge by frame number.
        ScratchDir out;
        const Traced written = trace(file.string(), out.path().string());
        CHECK(written.error == in.error);
        REQUIRE(written.index.size() == plain.index.size());
        std::map<std::uint64_t, Frame> merged;
        std::set<std::string> paths;
        std::size_t short_files = 0;
        for (std::size_t i = 0; i < written.index.size(); ++i) {
            const Index& flow = written.index[i];
            CHECK(flow.index == plain.index[i].index);
            CHECK(flow.label == plain.index[i].label);
            REQUIRE(flow.fpout);
            CHECK(paths.insert(*flow.fpout).second);  // no two flows share a file
            traceflow::io::CaptureReader reader(*flow.fpout);
            traceflow::io::Record r;
            std::size_t k = 0;
            while (reader.next(r)) {
                if (k < flow.index.size()) {
                    merged[flow.index[k]] = Frame{
                        {r.frame.bytes.begin(), r.frame.bytes.end()}, r.frame.wirelen, r.frame.timestamp, r.linktype};
                }
                ++k;
            }
            if (k != flow.index.size()) ++short_files;
        }
        CHECK(short_files == 0);
        CHECK(merged.size() == in.tcp.size());

        std::size_t bytes_differ = 0, wirelen_differ = 0, time_differ = 0, missing = 0, beyond_32bit = 0;
        std::size_t linktype_differ = 0;
        std::ostringstream first;
        for (const auto& [n, want] : in.tcp) {
            const auto it = merged.find(n);
            if (it == merged.end()) {
                ++missing;
                continue;
            }
            const Frame& got = it->second;
            if (got.bytes != want.bytes) {
                if (bytes_differ++ == 0) first << "frame " << n << ": bytes differ; ";
            }
            // pcap records cannot say wirelen < caplen: the writer raises it to caplen.
            const std::uint32_t wirelen =
                want.wirelen < want.bytes.size() ? static_cast<std::uint32_t>(want.bytes.size()) : want.wirelen;
            if (got.wirelen != wirelen) {
                if (wirelen_differ++ == 0)
                    first << "frame " << n << ": wirelen " << got.wirelen << " != " << wirelen << "; ";
            }
            if (got.linktype != want.linktype) ++linktype_differ;
            if (want.timestamp.sec < 0 || want.timestamp.sec > 0xFFFF'FFFFll) {
                // A pcap second is 32 bits: such times cannot be written (reported below).
                ++beyond_32bit;
                continue;
            }
            if (got.timestamp != want.timestamp) {
                if (time_differ++ == 0) {
                    first << "frame " << n << ": time " << got.timestamp.to_decimal()
                          << " != " << want.timestamp.to_decimal() << "; ";
                }
            }
        }
        INFO(first.str());
        CHECK(missing == 0);
        CHECK(bytes_differ == 0);
        CHECK(wirelen_differ == 0);
        CHECK(time_differ == 0);
        if (linktype_differ != 0) {
            mixed_links.push_back(name + " (" + std::to_string(linktype_differ) + " frames)");
        }
        if (beyond_32bit != 0) pcap_time_limit.push_back(name + " (" + std::to_string(beyond_32bit) + " frames)");
    }
    CHECK(total_tcp > 10000);
    CHECK(total_flows > 100);
    for (const std::string& note : pcap_time_limit)
        WARN("times outside the 32-bit pcap second range, not comparable after pcap output: " << note);
    for (const std::string& note : mixed_links)
        WARN("frames written under another link type than their own (one pcap link type per flow file): " << note);
}
