// SPDX-License-Identifier: MIT
// Parts: byte ranges cut anywhere, mapped, written, read back and merged give
// exactly one pass's flows, counts and files; feed_parallel() too, for any thread count.
#include <traceflow/feed/feed.hpp>
#include <traceflow/feed/parallel_feed.hpp>
#include <traceflow/io/capture_reader.hpp>
#include <traceflow/output/file_output.hpp>
#include <traceflow/parts/join_parts.hpp>
#include <traceflow/parts/map_range.hpp>
#include <traceflow/parts/merge_parts.hpp>
#include <traceflow/parts/part_file.hpp>
#include <traceflow/trace_flow.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "pcap_writer.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

namespace {

using testutil::Bytes;

struct Outcome {
    std::vector<std::string> flows;  // every observable field of each index() record, as text
    traceflow::ExtractStats stats;
    std::vector<std::string> errors;
    std::map<std::string, std::string> files;
};

std::string describe(const traceflow::Index& f) {
    std::string s = std::to_string(f.number) + " " + f.label + " " + (f.fpout ? std::filesystem::path(*f.fpout).filename().string() : "-") + " " +
                    std::to_string(static_cast<int>(f.reason)) + " " + f.id.src.to_string() + ":" +
                    std::to_string(f.id.srcport) + ">" + f.id.dst.to_string() + ":" + std::to_string(f.id.dstport) +
                    " " + std::to_string(f.first.total_nanoseconds()) + " " +
                    std::to_string(f.last.total_nanoseconds()) + " [";
    for (const auto n : f.index) s += std::to_string(n) + ",";
    s += "]";
    if (f.stats) {
        s += " " + std::to_string(f.stats->packets[0]) + "/" + std::to_string(f.stats->packets[1]) + " " +
             std::to_string(f.stats->bytes[0]) + "/" + std::to_string(f.stats->bytes[1]) + " " + f.stats->history +
             " " + f.stats->conn_state + " " + f.stats->community_id;
    }
    return s;
}

struct Mode {
    const char* name;
    traceflow::TraceFlowOptions options;
};

std::vector<Mode> modes() {
    std::vector<Mode> m;
    traceflow::TraceFlowOptions o;
    o.warning = nullptr;
    m.push_back({"pcapkit", o});
    o.keying = traceflow::FlowKeying::bidirectional;
    o.lifecycle = traceflow::Lifecycle::tcp;
    o.statistics = true;
    o.idle_timeout = std::chrono::seconds(3);
    m.push_back({"tcp bidirectional stats idle", o});
    o.idle_timeout = std::chrono::seconds(0);
    o.active_timeout = std::chrono::seconds(5);
    o.keying = traceflow::FlowKeying::directional;
    o.flow_times = true;
    m.push_back({"tcp directional active", o});
    return m;
}

template <typename Feed>
Outcome trace_with(const traceflow::TraceFlowOptions& base, const std::filesystem::path& out, Feed&& feed_all) {
    Outcome r;
    traceflow::TraceFlowOptions options = base;
    if (!out.empty()) {
        options.fout = out.string();
        options.format = "pcap";
    }
    {
        traceflow::TraceFlow<traceflow::CapturePacket> tracer(options);
        feed_all(tracer, r);
        if (options.lifecycle == traceflow::Lifecycle::tcp) tracer.end_of_input();
        tracer.finish();
        for (const auto& f : tracer.index()) r.flows.push_back(describe(f));
    }
    if (!out.empty() && std::filesystem::exists(out))
        for (const auto& entry : std::filesystem::directory_iterator(out))
            r.files[entry.path().filename().string()] = testutil::read_file(entry.path());
    return r;
}

traceflow::FeedOptions collecting(Outcome& r) {
    traceflow::FeedOptions how;
    how.on_error = [&r](const traceflow::Error& e) { r.errors.push_back(e.what()); };
    return how;
}

Outcome one_pass(const std::vector<std::string>& inputs, const traceflow::TraceFlowOptions& o,
                 const std::filesystem::path& out) {
    return trace_with(o, out,
                      [&](auto& tracer, Outcome& r) { traceflow::feed(inputs, tracer, r.stats, collecting(r)); });
}

Outcome parallel(const std::vector<std::string>& inputs, const traceflow::TraceFlowOptions& o,
                 const std::filesystem::path& out, unsigned threads, std::uint64_t range_bytes = 0) {
    return trace_with(o, out, [&](auto& tracer, Outcome& r) {
        traceflow::feed_parallel(inputs, tracer, r.stats, collecting(r), threads, range_bytes);
    });
}

// Maps each input in the ranges its `cuts` make, through part files.
std::vector<traceflow::Part> map_all(const std::vector<std::string>& inputs,
                                     const std::vector<std::vector<std::uint64_t>>& cuts, bool carry_frames,
                                     const std::filesystem::path& dir) {
    std::vector<traceflow::Part> parts;
    traceflow::MapOptions how;
    how.carry_frames = carry_frames;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        std::vector<std::uint64_t> points = cuts[i];
        points.insert(points.begin(), 0);
        points.push_back(std::filesystem::file_size(inputs[i]));
        for (std::size_t k = 0; k + 1 < points.size(); ++k) {
            const std::string file = (dir / ("part" + std::to_string(parts.size()))).string();
            traceflow::write_part(traceflow::map_range(inputs[i], {points[k], points[k + 1]}, how), file);
            parts.push_back(traceflow::read_part(file));
        }
    }
    return parts;
}

// Merges parts (checked first) as one run.
Outcome merge_all(const std::vector<traceflow::Part>& parts, const traceflow::TraceFlowOptions& o,
                  const std::filesystem::path& out) {
    std::vector<const traceflow::Part*> order;
    for (const auto& p : parts) order.push_back(&p);
    traceflow::check_parts(order, {});
    return trace_with(o, out, [&](auto& tracer, Outcome& r) {
        traceflow::replay_parts(order, tracer, r.stats,
                                [&r](const traceflow::Error& e) { r.errors.push_back(e.what()); });
    });
}

Outcome mapped(const std::vector<std::string>& inputs, const std::vector<std::vector<std::uint64_t>>& cuts,
               const traceflow::TraceFlowOptions& o, const std::filesystem::path& out,
               const std::filesystem::path& dir) {
    return merge_all(map_all(inputs, cuts, !out.empty(), dir), o, out);
}

// Joins random runs of consecutive parts of one capture (through part files), as merges on several machines would.
std::vector<traceflow::Part> join_some(std::mt19937& rng, const std::vector<traceflow::Part>& parts,
                                       const std::filesystem::path& dir) {
    std::vector<traceflow::Part> joined;
    std::uniform_int_distribution<std::size_t> length(1, 4);
    for (std::size_t i = 0; i < parts.size();) {
        std::vector<const traceflow::Part*> run{&parts[i]};
        const std::size_t want = length(rng);
        while (run.size() < want && i + run.size() < parts.size() && parts[i + run.size()].range.begin != 0)
            run.push_back(&parts[i + run.size()]);
        const std::string file = (dir / ("joined" + std::to_string(joined.size()))).string();
        traceflow::write_part(traceflow::join_parts(run, {}), file);
        joined.push_back(traceflow::read_part(file));
        i += run.size();
    }
    return joined;
}

void check_same(const Outcome& a, const Outcome& b) {
    CHECK(a.errors == b.errors);
    CHECK(a.stats.frames == b.stats.frames);
    CHECK(a.stats.tcp_frames == b.stats.tcp_frames);
    CHECK(a.stats.bytes == b.stats.bytes);
    CHECK(a.stats.outcomes == b.stats.outcomes);
    CHECK(a.stats.failed_inputs == b.stats.failed_inputs);
    REQUIRE(a.flows.size() == b.flows.size());
    for (std::size_t i = 0; i < a.flows.size(); ++i) CHECK(a.flows[i] == b.flows[i]);
    CHECK(a.files == b.files);
}

// A capture of `flows` interleaved connections, some v6, some with payload
// that holds copies of pcap record headers (data that looks like a header),
// UDP among them, capture time stepping back now and then.
std::vector<std::uint8_t> generated(std::mt19937& rng, int flows, bool nanosecond = false,
                                    std::uint32_t snaplen = 262144) {
    testutil::PcapWriter w(false, nanosecond, 1, snaplen);
    std::uniform_int_distribution<int> coin(0, 99);
    std::uint32_t sec = 1'600'000'000;
    std::uint32_t sub = 0;
    const std::uint32_t per = nanosecond ? 1'000'000'000u : 1'000'000u;
    struct Conn {
        std::uint16_t sport, dport;
        bool v6;
        int left;
    };
    std::vector<Conn> live;
    int opened = 0;
    while (opened < flows || !live.empty()) {
        if (opened < flows && (live.empty() || coin(rng) < 20)) {
            live.push_back({static_cast<std::uint16_t>(1024 + opened), static_cast<std::uint16_t>(80 + opened % 3),
                            coin(rng) < 20, 2 + coin(rng) % 12});
            ++opened;
        }
        const std::size_t pick = static_cast<std::size_t>(coin(rng)) % live.size();
        Conn& c = live[pick];
        const bool reply = coin(rng) < 50;
        std::uint8_t flags = 0x10;
        if (c.left == 1) flags = 0x11;    // FIN
        if (coin(rng) < 3) flags = 0x04;  // RST
        if (coin(rng) < 5) flags = 0x02;  // a SYN again
        std::size_t payload = static_cast<std::size_t>(coin(rng) < 60 ? coin(rng) * 7 : 0);
        Bytes seg = testutil::tcp(reply ? c.dport : c.sport, reply ? c.sport : c.dport, flags, payload, 5,
                                  static_cast<std::uint32_t>(opened * 1000 + c.left), 7);
        if (coin(rng) < 10 && !w.offsets.empty()) {
            // Payload that holds the last record's header and bytes, as a capture carried over TCP would.
            const auto from = static_cast<std::ptrdiff_t>(w.offsets.back());
            const auto n = std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(w.bytes.size()) - from, 600);
            seg.insert(seg.end(), w.bytes.begin() + from, w.bytes.begin() + from + n);
        }
        const Bytes ip = c.v6 ? testutil::ipv6(6, seg) : testutil::ipv4(6, seg);
        Bytes frame = testutil::ethernet(c.v6 ? 0x86DD : 0x0800, ip);
        if (coin(rng) < 5) frame = testutil::ethernet(0x0800, testutil::ipv4(17, Bytes(30, 0x55)));  // UDP
        sub += static_cast<std::uint32_t>(coin(rng)) * (per / 1000);
        if (sub >= per) {
            sub -= per;
            ++sec;
        }
        if (coin(rng) < 2) sec -= 4;  // time steps back
        w.record(sec, sub, frame);
        if (--c.left == 0) live.erase(live.begin() + static_cast<std::ptrdiff_t>(pick));
    }
    return w.bytes;
}

std::string save(const testutil::TempDir& dir, const std::string& name, const std::vector<std::uint8_t>& bytes) {
    const std::string path = (dir.path() / name).string();
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path;
}

std::vector<std::uint64_t> random_cuts(std::mt19937& rng, std::uint64_t size, std::size_t parts) {
    std::uniform_int_distribution<std::uint64_t> at(1, size - 1);
    std::vector<std::uint64_t> cuts;
    for (std::size_t i = 1; i < parts; ++i) cuts.push_back(at(rng));
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    return cuts;
}

}  // namespace

TEST_CASE("parts cut at random offsets merge into exactly one pass, in every mode", "[parts]") {
    std::mt19937 rng(2026);
    testutil::TempDir dir;
    const std::string a = save(dir, "a.pcap", generated(rng, 60));
    const std::string b = save(dir, "b.pcap", generated(rng, 40, true));
    const std::vector<std::string> inputs{a, b};
    for (const Mode& mode : modes()) {
        for (const bool files : {false, true}) {
            INFO(mode.name << (files ? ", files" : ""));
            const auto out = [&](const char* what) { return files ? dir.path() / what : std::filesystem::path(); };
            std::filesystem::remove_all(dir.path() / "one");
            const Outcome whole = one_pass(inputs, mode.options, out("one"));
            REQUIRE(whole.stats.tcp_frames > 100);
            for (int round = 0; round < 6; ++round) {
                std::uniform_int_distribution<std::size_t> count(1, 12);
                const std::vector<std::vector<std::uint64_t>> cuts{
                    random_cuts(rng, std::filesystem::file_size(a), count(rng)),
                    random_cuts(rng, std::filesystem::file_size(b), count(rng))};
                std::filesystem::remove_all(dir.path() / "merged");
                std::filesystem::create_directories(dir.path() / "parts");
                const auto parts = map_all(inputs, cuts, files, dir.path() / "parts");
                check_same(whole, merge_all(parts, mode.options, out("merged")));
                // Merges nest: runs of parts joined, the joined parts joined again, then merged.
                std::filesystem::create_directories(dir.path() / "joined");
                std::filesystem::create_directories(dir.path() / "joined2");
                const auto once = join_some(rng, parts, dir.path() / "joined");
                std::filesystem::remove_all(dir.path() / "merged");
                check_same(whole, merge_all(once, mode.options, out("merged")));
                const auto twice = join_some(rng, once, dir.path() / "joined2");
                std::filesystem::remove_all(dir.path() / "merged");
                check_same(whole, merge_all(twice, mode.options, out("merged")));
            }
            for (const unsigned threads : {1u, 2u, 3u, 8u}) {
                // The default ranges (one for captures this small) and ranges of a few records each.
                for (const std::uint64_t range_bytes : {std::uint64_t{0}, std::uint64_t{997}, std::uint64_t{4096}}) {
                    INFO(threads << " threads, ranges of " << range_bytes << " bytes");
                    std::filesystem::remove_all(dir.path() / "parallel");
                    check_same(whole, parallel(inputs, mode.options, out("parallel"), threads, range_bytes));
                }
            }
        }
    }
}

// The capture `bytes` (written by PcapWriter, its record starts `offsets`)
// rotated as `editcap -c records` and `tcpdump -C` do: files of `records`
// records each, every one with the capture's file header.
std::vector<std::string> rotated(const testutil::TempDir& dir, const std::vector<std::uint8_t>& bytes,
                                 const std::vector<std::size_t>& offsets, std::size_t records) {
    std::vector<std::string> files;
    for (std::size_t first = 0; first < offsets.size(); first += records) {
        const std::size_t from = offsets[first];
        const std::size_t to = first + records < offsets.size() ? offsets[first + records] : bytes.size();
        std::vector<std::uint8_t> file(bytes.begin(), bytes.begin() + 24);
        file.insert(file.end(), bytes.begin() + static_cast<std::ptrdiff_t>(from),
                    bytes.begin() + static_cast<std::ptrdiff_t>(to));
        files.push_back(save(dir, "ring" + std::to_string(files.size()) + ".pcap", file));
    }
    return files;
}

TEST_CASE("rotated files, each mapped in ranges and merged, give one run over the capture they came from", "[parts]") {
    std::mt19937 rng(25);
    testutil::TempDir dir;
    const std::vector<std::uint8_t> bytes = generated(rng, 80);
    std::vector<std::size_t> offsets;
    {
        traceflow::io::CaptureReader reader(save(dir, "whole.pcap", bytes));
        traceflow::io::Record r;
        while (reader.next(r)) offsets.push_back(static_cast<std::size_t>(r.offset));
    }
    REQUIRE(offsets.size() > 300);
    const std::vector<std::string> whole_file{(dir.path() / "whole.pcap").string()};
    for (const Mode& mode : modes()) {
        const Outcome whole = one_pass(whole_file, mode.options, dir.path() / "one");
        for (const std::size_t records : {std::size_t{1}, std::size_t{37}, std::size_t{150}}) {
            INFO(mode.name << ", rotated every " << records << " records");
            for (const auto& old : std::filesystem::directory_iterator(dir.path()))
                if (old.path().filename().string().rfind("ring", 0) == 0) std::filesystem::remove(old.path());
            const std::vector<std::string> ring = rotated(dir, bytes, offsets, records);
            REQUIRE(ring.size() == (offsets.size() + records - 1) / records);
            // One run over the ring is one run over the capture: a connection crossing a rotation is not cut.
            std::filesystem::remove_all(dir.path() / "one-ring");
            check_same(whole, one_pass(ring, mode.options, dir.path() / "one-ring"));
            std::vector<std::vector<std::uint64_t>> cuts;
            std::uniform_int_distribution<std::size_t> count(1, 4);
            for (const std::string& f : ring)
                cuts.push_back(random_cuts(rng, std::filesystem::file_size(f), count(rng)));
            std::filesystem::remove_all(dir.path() / "merged");
            std::filesystem::remove_all(dir.path() / "parts");
            std::filesystem::create_directories(dir.path() / "parts");
            check_same(whole, mapped(ring, cuts, mode.options, dir.path() / "merged", dir.path() / "parts"));
            std::filesystem::remove_all(dir.path() / "parallel");
            check_same(whole, parallel(ring, mode.options, dir.path() / "parallel", 3, 997));
        }
        std::filesystem::remove_all(dir.path() / "one");
    }
}

TEST_CASE("a range that starts inside every byte of a record header finds the next record", "[parts]") {
    std::mt19937 rng(7);
    testutil::TempDir dir;
    testutil::PcapWriter probe;
    const auto bytes = generated(rng, 8);
    const std::string path = save(dir, "c.pcap", bytes);
    // The record starts, read back with the reader itself.
    std::vector<std::uint64_t> starts;
    {
        traceflow::io::CaptureReader reader(path);
        traceflow::io::Record r;
        while (reader.next(r)) starts.push_back(r.offset);
    }
    REQUIRE(starts.size() > 20);
    for (std::size_t i = 1; i + 1 < starts.size(); i += 3) {
        for (std::uint64_t k = 0; k < 20; ++k) {
            const std::uint64_t begin = starts[i] + k;
            traceflow::io::RangeReader range(path, {begin, starts.back() + 1});
            traceflow::io::Record r;
            REQUIRE(range.next(r));
            const std::uint64_t expected = *std::lower_bound(starts.begin(), starts.end(), begin);
            CHECK(r.offset == expected);
        }
    }
}

TEST_CASE("merge refuses parts that do not tile their capture", "[parts]") {
    std::mt19937 rng(11);
    testutil::TempDir dir;
    const std::string a = save(dir, "a.pcap", generated(rng, 20));
    const std::string b = save(dir, "b.pcap", generated(rng, 20));
    const std::uint64_t size = std::filesystem::file_size(a);
    const auto part = [&](const std::string& path, std::uint64_t begin, std::uint64_t end) {
        return traceflow::map_range(path, {begin, end});
    };
    const traceflow::Part p1 = part(a, 0, size / 2);
    const traceflow::Part p2 = part(a, size / 2, size);
    const traceflow::Part p3 = part(a, size / 3, size);
    const traceflow::Part other = part(b, size / 2, std::filesystem::file_size(b));
    CHECK_NOTHROW(traceflow::check_parts({&p1, &p2}, {}));
    CHECK_THROWS_AS(traceflow::check_parts({&p2, &p1}, {}), traceflow::PartsError);       // out of order
    CHECK_THROWS_AS(traceflow::check_parts({&p1}, {}), traceflow::PartsError);            // a range missing
    CHECK_THROWS_AS(traceflow::check_parts({&p1, &p3}, {}), traceflow::PartsError);       // overlap
    CHECK_THROWS_AS(traceflow::check_parts({&p1, &p2, &p2}, {}), traceflow::PartsError);  // repeated
    CHECK_THROWS_AS(traceflow::check_parts({&p1, &other}, {}), traceflow::PartsError);    // another capture
    traceflow::Part wrong = p2;
    wrong.start += 1;  // as a resync that found a wrong record would
    CHECK_THROWS_AS(traceflow::check_parts({&p1, &wrong}, {}), traceflow::PartsError);
    traceflow::Part changed = p2;
    changed.options = {"--bidirectional"};
    CHECK_THROWS_WITH(traceflow::check_parts({&p1, &changed}, {"first", "second"}),
                      Catch::Contains("second") && Catch::Contains("other options"));
}

TEST_CASE("a damaged part file is refused before anything is read from it", "[parts]") {
    std::mt19937 rng(5);
    testutil::TempDir dir;
    const std::string a = save(dir, "a.pcap", generated(rng, 10));
    const std::string file = (dir.path() / "p").string();
    traceflow::write_part(traceflow::map_range(a, {0, std::filesystem::file_size(a)}), file);
    const std::string good = testutil::read_file(file);
    REQUIRE_NOTHROW(traceflow::read_part(file));
    std::uniform_int_distribution<std::size_t> at(0, good.size() - 1);
    for (int i = 0; i < 200; ++i) {
        std::string bad = good;
        const std::size_t k = at(rng);
        bad[k] = static_cast<char>(bad[k] ^ (1 << (i % 8)));
        { std::ofstream(file, std::ios::binary) << bad; }
        CHECK_THROWS_AS(traceflow::read_part(file), traceflow::Error);
        { std::ofstream(file, std::ios::binary) << good.substr(0, k); }
        CHECK_THROWS_AS(traceflow::read_part(file), traceflow::Error);
    }
}

TEST_CASE("damage far into a resynced range is numbered from the range's first record, joined or not", "[parts]") {
    std::mt19937 rng(11);
    testutil::TempDir dir;
    // A small snapshot length keeps the resync's reach (three largest records) well short of the damage.
    auto bytes = generated(rng, 500, false, 1600);
    REQUIRE(bytes.size() > 600'000);
    std::vector<std::uint64_t> starts;
    {
        traceflow::io::CaptureReader reader(save(dir, "whole.pcap", bytes));
        traceflow::io::Record r;
        while (reader.next(r)) starts.push_back(r.offset);
    }
    const std::uint64_t hit = starts[starts.size() * 9 / 10];
    bytes[hit + 8] = 0x7f;
    bytes[hit + 11] = 0x7f;
    const std::vector<std::string> inputs{save(dir, "b.pcap", bytes)};
    const Outcome whole = one_pass(inputs, modes()[0].options, {});
    REQUIRE(whole.errors.size() == 1);
    bool numbered_in_range = false;
    for (std::size_t round = 0; round < 12; ++round) {
        const std::string sub = "r" + std::to_string(round);
        for (const char* d : {"parts", "joined", "joined2"}) std::filesystem::create_directories(dir.path() / sub / d);
        // A cut between the first record and the damage, at least 300 KB before it.
        std::uniform_int_distribution<std::uint64_t> at(1, hit - 300'000);
        std::vector<std::uint64_t> cuts = random_cuts(rng, bytes.size(), 1 + round % 6);
        cuts.push_back(at(rng));
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        const auto parts = map_all(inputs, {cuts}, false, dir.path() / sub / "parts");
        for (const auto& p : parts)
            if (p.damage && !p.damage->record_known) numbered_in_range = true;
        check_same(whole, merge_all(parts, modes()[0].options, {}));
        const auto once = join_some(rng, parts, dir.path() / sub / "joined");
        check_same(whole, merge_all(once, modes()[0].options, {}));
        check_same(whole, merge_all(join_some(rng, once, dir.path() / sub / "joined2"), modes()[0].options, {}));
    }
    CHECK(numbered_in_range);  // the case this test is for was met
}

TEST_CASE("a damaged capture: the part holding the damage records it, merge reports it as one pass does", "[parts]") {
    std::mt19937 rng(3);
    testutil::TempDir dir;
    auto bytes = generated(rng, 30);
    const std::uint64_t size = bytes.size();
    // Truncated in the middle of the last record, and a record header with an absurd length two thirds in.
    bytes.resize(bytes.size() - 5);
    const std::string truncated = save(dir, "t.pcap", bytes);
    std::vector<std::uint64_t> starts;
    {
        traceflow::io::CaptureReader reader(save(dir, "whole.pcap", generated(rng, 30)));
        traceflow::io::Record r;
        while (reader.next(r)) starts.push_back(r.offset);
    }
    auto absurd = testutil::read_file(dir.path() / "whole.pcap");
    const std::uint64_t hit = starts[starts.size() * 2 / 3];
    absurd[hit + 8] = '\x7f';
    absurd[hit + 11] = '\x7f';
    const std::string broken = save(dir, "b.pcap", std::vector<std::uint8_t>(absurd.begin(), absurd.end()));
    const std::vector<std::string> inputs{truncated, broken, truncated};
    const Outcome whole = one_pass(inputs, modes()[0].options, {});
    REQUIRE(whole.errors.size() == 3);
    for (std::size_t round = 0; round < 24; ++round) {
        std::filesystem::create_directories(dir.path() / "parts");
        const std::vector<std::vector<std::uint64_t>> cuts{random_cuts(rng, size - 5, 1 + round % 12),
                                                           random_cuts(rng, absurd.size(), 1 + round % 12),
                                                           random_cuts(rng, size - 5, 2)};
        const auto parts = map_all(inputs, cuts, false, dir.path() / "parts");
        check_same(whole, merge_all(parts, modes()[0].options, {}));
        // Joined around the damage, once and twice: the same records listed, the same errors.
        std::filesystem::create_directories(dir.path() / "joined");
        std::filesystem::create_directories(dir.path() / "joined2");
        const auto once = join_some(rng, parts, dir.path() / "joined");
        check_same(whole, merge_all(once, modes()[0].options, {}));
        check_same(whole, merge_all(join_some(rng, once, dir.path() / "joined2"), modes()[0].options, {}));
    }
    for (const unsigned threads : {2u, 5u}) {
        check_same(whole, parallel(inputs, modes()[0].options, {}, threads));
        check_same(whole, parallel(inputs, modes()[0].options, {}, threads, 700));
    }
}
