// SPDX-License-Identifier: MIT
// FragmentJoiner: IPv4 and IPv6 fragments joined before TCP decoding, every
// fragment's frame in its flow, bounded, RFC 5722 overlaps refused; and every
// feed (one thread, threaded, parallel ranges, map/merge) joins the same.
#include <traceflow/feed/feed.hpp>
#include <traceflow/feed/fragment_joiner.hpp>
#include <traceflow/feed/parallel_feed.hpp>
#include <traceflow/feed/threaded_feed.hpp>
#include <traceflow/parts/map_range.hpp>
#include <traceflow/parts/merge_parts.hpp>
#include <traceflow/parts/part_file.hpp>
#include <traceflow/stream/stream_follower.hpp>
#include <traceflow/trace_flow.hpp>
#include <traceflow/traceflow.hpp>  // file output too

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

using testutil::be16;
using testutil::Bytes;
using testutil::cat;

const Bytes v4_src = testutil::doc_v4(0, 1);
const Bytes v4_dst = testutil::doc_v4(1, 7);
const Bytes v6_src = testutil::doc_v6(0x11);
const Bytes v6_dst = testutil::doc_v6(0x22);

Bytes slice(const Bytes& b, std::size_t from, std::size_t to) {
    return Bytes(b.begin() + static_cast<long>(from), b.begin() + static_cast<long>(to));
}

std::vector<Bytes> v4_fragments(const Bytes& payload, const std::vector<std::size_t>& cuts, unsigned id,
                                std::uint8_t protocol = 6) {
    return testutil::ipv4_fragments(payload, cuts, id, v4_src, v4_dst, protocol);
}

std::vector<Bytes> v6_fragments(const Bytes& payload, const std::vector<std::size_t>& cuts, std::uint32_t id) {
    return testutil::ipv6_fragments(payload, cuts, id, v6_src, v6_dst);
}

// A TCP segment with `size` payload bytes (counting up from the source port).
Bytes segment(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags, std::size_t size,
              std::uint32_t seq = 1000) {
    return testutil::tcp(sport, dport, flags, size, 5, seq);
}

struct Fed {
    std::vector<traceflow::CapturePacket> packets;
    std::vector<Bytes> frames;
    std::vector<Bytes> payloads;
};

struct Feeder {
    traceflow::FragmentJoiner joiner;
    traceflow::ExtractStats stats;
    Fed fed;
    std::uint64_t number = 0;

    explicit Feeder(traceflow::decode::DecodeOptions options = {}) : joiner(options) {}

    void add(const Bytes& frame, std::int64_t sec = 100) {
        traceflow::io::Record record;
        record.frame.bytes = traceflow::ByteView(frame.data(), frame.size());
        record.frame.wirelen = static_cast<std::uint32_t>(frame.size());
        record.frame.timestamp.sec = sec;
        record.linktype = traceflow::LinkType::ethernet;
        ++number;
        ++stats.frames;
        ++stats.outcomes[static_cast<std::size_t>(traceflow::decode::Outcome::fragment)];
        joiner.add(record, number, stats, [&](const traceflow::CapturePacket& p) {
            fed.packets.push_back(p);
            fed.frames.emplace_back(p.frame.bytes.begin(), p.frame.bytes.end());
            const traceflow::ByteView payload = traceflow::detail::meta::packet_payload(p);
            fed.payloads.emplace_back(payload.begin(), payload.end());
        });
    }
    std::uint64_t fragments() const { return stats.count(traceflow::decode::Outcome::fragment); }
};

Bytes payload_of(const Bytes& seg) { return slice(seg, 20, seg.size()); }

}  // namespace

TEST_CASE("fragment joiner: IPv4 fragments in order make one TCP segment, every frame fed", "[fragments]") {
    const Bytes seg = segment(40000, 80, 0x19, 300);  // FIN PSH ACK
    const auto frames = v4_fragments(seg, {104, 208}, 0x77);
    Feeder f;
    for (const Bytes& b : frames) f.add(b);
    REQUIRE(f.fed.packets.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& p = f.fed.packets[i];
        CHECK(p.index == i + 1);
        CHECK(f.fed.frames[i] == frames[i]);  // the frame as captured, for the flow's file
        CHECK(p.src.to_string() == "192.0.2.1");
        CHECK(p.dstport == 80);
        CHECK(p.srcport == 40000);
        CHECK(p.tcp.ack);
        CHECK(p.fin == (i == 2));  // the segment's FIN once, on the frame that completed it
        CHECK(p.tcp.payload_size == (i == 2 ? 300u : 0u));
    }
    CHECK(f.fed.payloads[2] == payload_of(seg));
    CHECK(f.fed.payloads[0].empty());
    CHECK(f.stats.tcp_frames == 3);
    CHECK(f.fragments() == 0);
    CHECK(f.stats.fragmented_joined == 1);
    CHECK(f.stats.fragmented_incomplete == 0);
    CHECK(f.joiner.held_bytes() == 0);
}

TEST_CASE("fragment joiner: out of order, the frames go on in frame order and the last one carries the segment",
          "[fragments]") {
    const Bytes seg = segment(40001, 443, 0x18, 500);
    auto frames = v4_fragments(seg, {96, 200, 304, 400}, 0x78);
    std::reverse(frames.begin(), frames.end());
    Feeder f;
    for (const Bytes& b : frames) f.add(b);
    REQUIRE(f.fed.packets.size() == 5);
    for (std::size_t i = 0; i < 5; ++i) CHECK(f.fed.packets[i].index == i + 1);
    CHECK(f.fed.payloads.back() == payload_of(seg));
    CHECK(f.fed.packets.back().tcp.seq == 1000);
}

TEST_CASE("fragment joiner: a repeated identical fragment joins as a duplicate; a differing overlap refuses the packet",
          "[fragments]") {
    const Bytes seg = segment(40002, 80, 0x18, 200);
    const auto frames = v4_fragments(seg, {104}, 0x79);
    SECTION("duplicate") {
        Feeder f;
        f.add(frames[0]);
        f.add(frames[0]);
        f.add(frames[1]);
        REQUIRE(f.fed.packets.size() == 3);
        CHECK(f.fed.payloads.back() == payload_of(seg));
        CHECK(f.stats.tcp_frames == 3);
    }
    SECTION("overlap with other bytes (RFC 5722): the whole packet and its later fragments") {
        Bytes other = seg;
        other[50] ^= 0xFF;
        const auto altered = v4_fragments(other, {104}, 0x79);
        Feeder f;
        f.add(frames[0]);
        f.add(altered[0]);
        f.add(frames[1]);  // would complete it
        CHECK(f.fed.packets.empty());
        CHECK(f.fragments() == 3);
        CHECK(f.stats.fragmented_incomplete == 1);
        CHECK(f.joiner.held_bytes() == 0);
    }
    SECTION("a partial overlap") {
        const auto shifted = v4_fragments(seg, {96}, 0x79);
        Feeder f;
        f.add(frames[0]);
        f.add(shifted[1]);  // starts at 96, inside the first
        f.add(frames[1]);
        CHECK(f.fed.packets.empty());
        CHECK(f.stats.fragmented_incomplete == 1);
    }
}

TEST_CASE("fragment joiner: missing fragments time out in capture time; finish() counts what is held", "[fragments]") {
    const Bytes seg = segment(40003, 80, 0x18, 200);
    const auto frames = v4_fragments(seg, {104}, 0x7a);
    SECTION("timeout") {
        Feeder f;
        f.add(frames[0], 100);
        f.add(frames[1], 131);  // 31 s later: the first was given up, this one starts anew
        CHECK(f.fed.packets.empty());
        CHECK(f.stats.fragmented_incomplete == 1);
        f.joiner.finish(f.stats);
        CHECK(f.stats.fragmented_incomplete == 2);
        CHECK(f.fragments() == 2);
    }
    SECTION("within the timeout") {
        Feeder f;
        f.add(frames[0], 100);
        f.add(frames[1], 129);
        CHECK(f.fed.packets.size() == 2);
    }
    SECTION("a shorter timeout") {
        traceflow::decode::DecodeOptions o;
        o.fragment_timeout_ns = 1'000'000'000;
        Feeder f(o);
        f.add(frames[0], 100);
        f.add(frames[1], 102);
        CHECK(f.fed.packets.empty());
    }
}

TEST_CASE("fragment joiner: held bytes are bounded, the oldest packet given up first", "[fragments]") {
    traceflow::decode::DecodeOptions o;
    o.fragment_memory = 3000;
    Feeder f(o);
    std::vector<std::vector<Bytes>> packets;
    for (unsigned id = 0; id < 6; ++id)
        packets.push_back(v4_fragments(segment(static_cast<std::uint16_t>(41000 + id), 80, 0x18, 900), {400}, id));
    for (const auto& p : packets) f.add(p[0]);  // six first halves: some 2.9 KB of frames and more
    CHECK(f.joiner.held_bytes() <= 3000);
    CHECK(f.stats.fragmented_incomplete > 0);
    for (const auto& p : packets) f.add(p[1]);
    const std::uint64_t joined = f.stats.fragmented_joined;
    CHECK(joined >= 1);
    CHECK(joined + f.stats.fragmented_incomplete >= 6);
    CHECK(f.fed.packets.size() == 2 * joined);
}

TEST_CASE("fragment joiner: IPv6 Fragment headers", "[fragments]") {
    const Bytes big = segment(40004, 8080, 0x18, 1000);
    const auto frames = v6_fragments(big, {512}, 0xdeadbeef);
    Feeder f;
    f.add(frames[1]);
    f.add(frames[0]);
    REQUIRE(f.fed.packets.size() == 2);
    CHECK(f.fed.packets[0].src.to_string() == "2001:db8::11");
    CHECK(f.fed.packets[1].dstport == 8080);
    CHECK(f.fed.payloads[1] == payload_of(big));
}

TEST_CASE("fragment joiner: UDP fragments are joined only when they may be tunnels (decap)", "[fragments]") {
    const Bytes udp = cat({be16(5353), be16(5353), be16(308), be16(0), Bytes(300, 0x42)});
    const auto frames = v4_fragments(udp, {160}, 0x7b, 17);
    traceflow::decode::DecodeOptions plain;
    traceflow::decode::DecodeOptions decap;
    decap.decap = true;
    for (const Bytes& b : frames) {
        traceflow::decode::TcpSegment seg;
        const auto outcome =
            traceflow::decode::decode_tcp(traceflow::LinkType::ethernet, traceflow::ByteView(b.data(), b.size()), seg);
        CHECK(seg.fragment_protocol == 17);
        CHECK_FALSE(traceflow::FragmentJoiner::takes(outcome, seg, plain));
        CHECK(traceflow::FragmentJoiner::takes(outcome, seg, decap));
    }
    // TCP fragments are taken either way, the first (decoded as TCP) and the others.
    for (const Bytes& b : v4_fragments(segment(40020, 80, 0x18, 300), {104}, 0x7c)) {
        traceflow::decode::TcpSegment seg;
        const auto outcome =
            traceflow::decode::decode_tcp(traceflow::LinkType::ethernet, traceflow::ByteView(b.data(), b.size()), seg);
        CHECK(traceflow::FragmentJoiner::takes(outcome, seg, plain));
    }
    Feeder f(decap);
    for (const Bytes& b : frames) f.add(b);
    CHECK(f.fed.packets.empty());
    CHECK(f.stats.count(traceflow::decode::Outcome::not_tcp) == 2);
    CHECK(f.fragments() == 0);
    CHECK(f.stats.fragmented_joined == 1);
}

TEST_CASE("fragment joiner: property: random packets cut at random, interleaved, all join exactly once",
          "[fragments]") {
    std::mt19937 rng(20261206);
    for (int round = 0; round < 40; ++round) {
        struct Sent {
            Bytes seg;
            std::vector<Bytes> frames;
        };
        std::vector<Sent> sent;
        const int count = std::uniform_int_distribution<int>(1, 8)(rng);
        for (int k = 0; k < count; ++k) {
            const std::size_t size = std::uniform_int_distribution<std::size_t>(8, 3000)(rng);
            Sent s;
            s.seg = segment(static_cast<std::uint16_t>(30000 + k), 80, 0x18, size, static_cast<std::uint32_t>(rng()));
            std::vector<std::size_t> cuts;
            for (std::size_t at = 8 * std::uniform_int_distribution<std::size_t>(1, 60)(rng); at < s.seg.size();
                 at += 8 * std::uniform_int_distribution<std::size_t>(1, 60)(rng))
                cuts.push_back(at);
            if (cuts.empty()) cuts.push_back(8);  // one piece would be no fragment at all
            const bool v6 = rng() % 2 == 0;
            s.frames = v6 ? v6_fragments(s.seg, cuts, static_cast<std::uint32_t>(k))
                          : v4_fragments(s.seg, cuts, static_cast<unsigned>(k));
            sent.push_back(s);
        }
        std::vector<std::pair<int, std::size_t>> order;  // (packet, fragment)
        for (int k = 0; k < count; ++k)
            for (std::size_t j = 0; j < sent[static_cast<std::size_t>(k)].frames.size(); ++j) order.emplace_back(k, j);
        std::shuffle(order.begin(), order.end(), rng);
        Feeder f;
        std::map<std::uint64_t, std::pair<int, std::size_t>> by_number;
        for (const auto& [k, j] : order) {
            by_number[f.number + 1] = {k, j};
            f.add(sent[static_cast<std::size_t>(k)].frames[j]);
        }
        REQUIRE(f.fed.packets.size() == order.size());
        std::map<std::uint64_t, int> seen;
        for (std::size_t i = 0; i < f.fed.packets.size(); ++i) {
            const auto& p = f.fed.packets[i];
            ++seen[p.index];
            const auto [k, j] = by_number.at(p.index);
            CHECK(f.fed.frames[i] == sent[static_cast<std::size_t>(k)].frames[j]);
            CHECK(p.srcport == 30000 + k);
            if (!f.fed.payloads[i].empty())
                CHECK(f.fed.payloads[i] == payload_of(sent[static_cast<std::size_t>(k)].seg));
        }
        CHECK(seen.size() == order.size());
        CHECK(f.stats.fragmented_joined == static_cast<std::uint64_t>(count));
        CHECK(f.fragments() == 0);
        CHECK(f.joiner.held_bytes() == 0);
    }
}

namespace {

// A capture of connections whose data segments often come in IPv4 or IPv6
// fragments (in order, reversed, duplicated; one packet never completed),
// interleaved with each other and with whole segments, time stepping back.
struct FragmentedCapture {
    Bytes pcap;
    std::map<std::uint16_t, std::string> sent;  // client port -> bytes the client sent
    std::uint64_t tcp_frames = 0;               // frames that belong to flows (fragments of joined packets too)
    std::uint64_t lost_fragments = 0;           // frames of the packet never completed
};

// `filler` UDP frames come first: feed_parallel() reads a capture that starts
// with many fragments on one thread, and this one is to be read in ranges.
FragmentedCapture fragmented_capture(std::mt19937& rng, int connections, int filler) {
    FragmentedCapture c;
    testutil::PcapWriter w;
    std::uint32_t sec = 1'700'000'000;
    std::uint32_t usec = 0;
    for (int k = 0; k < filler; ++k)
        w.record(sec - 1, static_cast<std::uint32_t>(k),
                 testutil::ethernet(0x0800, testutil::ipv4(17, Bytes(12, 0x5A), 5, 0, v4_src, v4_dst)));
    const auto put = [&](const Bytes& frame) {
        usec += 1000 + static_cast<std::uint32_t>(rng() % 5000);
        if (rng() % 10 == 0 && usec > 20000) usec -= 15000;  // time steps back now and then
        if (usec >= 1'000'000) {
            usec -= 1'000'000;
            ++sec;
        }
        w.record(sec, usec, frame);
    };
    struct Conn {
        std::uint16_t port;
        bool v6;
        std::uint32_t seq = 5000;
        int step = 0;
        int segments;
    };
    std::vector<Conn> live;
    for (int k = 0; k < connections; ++k)
        live.push_back({static_cast<std::uint16_t>(20000 + k), k % 3 == 2, 5000, 0, 2 + k % 4});
    unsigned id = 1;
    const auto wrap = [&](const Conn& conn, const Bytes& seg) {
        return conn.v6 ? testutil::ethernet(0x86DD, testutil::ipv6(6, seg, v6_src, v6_dst))
                       : testutil::ethernet(0x0800, testutil::ipv4(6, seg, 5, 0, v4_src, v4_dst));
    };
    bool lost_one = false;
    while (!live.empty()) {
        const std::size_t pick = rng() % live.size();
        Conn& conn = live[pick];
        if (conn.step == 0) {
            put(wrap(conn, segment(conn.port, 80, 0x02, 0, conn.seq - 1)));
            ++c.tcp_frames;
        } else if (conn.step <= conn.segments) {
            const std::size_t size = 40 + rng() % 2500;
            const Bytes seg = segment(conn.port, 80, 0x18, size, conn.seq);
            const Bytes data = payload_of(seg);
            c.sent[conn.port].append(data.begin(), data.end());
            conn.seq += static_cast<std::uint32_t>(size);
            if (rng() % 3 == 0) {
                put(wrap(conn, seg));
                ++c.tcp_frames;
            } else {
                std::vector<std::size_t> cuts;
                for (std::size_t at = 8 * (1 + rng() % 80); at < seg.size(); at += 8 * (1 + rng() % 80))
                    cuts.push_back(at);
                auto frames = conn.v6 ? v6_fragments(seg, cuts, id) : v4_fragments(seg, cuts, id & 0xFFFF);
                ++id;
                if (rng() % 3 == 0) std::reverse(frames.begin(), frames.end());
                if (rng() % 4 == 0) frames.insert(frames.begin() + 1, frames.front());  // a duplicate
                for (const Bytes& f : frames) put(f);
                c.tcp_frames += frames.size();
            }
        } else {
            put(wrap(conn, segment(conn.port, 80, 0x11, 0, conn.seq)));
            ++c.tcp_frames;
            live.erase(live.begin() + static_cast<long>(pick));
            if (!lost_one) {  // a packet whose last fragment never comes
                lost_one = true;
                const auto frames = v4_fragments(segment(9, 80, 0x18, 300), {96, 200}, 0xBEEF);
                put(frames[0]);
                put(frames[1]);
                c.lost_fragments = 2;
            }
            continue;
        }
        ++conn.step;
    }
    c.pcap = w.bytes;
    return c;
}

struct Run {
    std::vector<std::string> flows;
    traceflow::ExtractStats stats;
    std::map<std::string, std::string> files;
    std::map<std::uint16_t, std::string> streams;  // client port -> orig stream bytes
};

std::string describe(const traceflow::Index& f) {
    std::string s = std::to_string(f.number) + " " + f.label + " " + std::to_string(static_cast<int>(f.reason)) + " [";
    for (const auto n : f.index) s += std::to_string(n) + ",";
    return s + "]";
}

struct StreamBytes {
    std::map<std::uint16_t, std::string>* out;
    template <typename Info>
    void on_data(const Info& info, std::uint64_t offset, traceflow::ByteView data) {
        if (info.direction != traceflow::StreamDirection::orig) return;
        std::string& s = (*out)[info.key->srcport];
        if (s.size() < offset + data.size) s.resize(offset + data.size, '\0');
        s.replace(offset, data.size, reinterpret_cast<const char*>(data.data), data.size);
    }
};

// Without an output folder: no files, no streams, and the tracer takes packets in batches.
template <typename FeedAll>
Run run_without_files(FeedAll&& feed_all) {
    Run r;
    traceflow::TraceFlowOptions o;
    o.warning = nullptr;
    traceflow::TraceFlow<traceflow::CapturePacket> tracer(o);
    feed_all(tracer, r.stats);
    for (const auto& f : tracer.index()) r.flows.push_back(describe(f));
    return r;
}

template <typename FeedAll>
Run run_with(const std::filesystem::path& out, FeedAll&& feed_all) {
    Run r;
    traceflow::TraceFlowOptions o;
    o.keying = traceflow::FlowKeying::bidirectional;
    o.lifecycle = traceflow::Lifecycle::tcp;
    o.fout = out.string();
    o.warning = nullptr;
    {
        traceflow::TraceFlow<traceflow::CapturePacket> tracer(o);
        StreamBytes consumer{&r.streams};
        traceflow::StreamFollower follower(tracer, &consumer);
        feed_all(follower, r.stats);
        follower.end_of_input();
        tracer.finish();
        for (const auto& f : tracer.index()) r.flows.push_back(describe(f));
    }
    r.files = testutil::contents_of(out);
    return r;
}

void check_same(const Run& a, const Run& b) {
    CHECK(a.stats.frames == b.stats.frames);
    CHECK(a.stats.tcp_frames == b.stats.tcp_frames);
    CHECK(a.stats.outcomes == b.stats.outcomes);
    CHECK(a.stats.fragmented_joined == b.stats.fragmented_joined);
    CHECK(a.stats.fragmented_incomplete == b.stats.fragmented_incomplete);
    CHECK(a.flows == b.flows);
    CHECK(a.files == b.files);
    CHECK(a.streams == b.streams);
}

}  // namespace

TEST_CASE("fragments: every feed joins the same packets, each fragment's frame in its flow, the bytes followed",
          "[fragments][parts]") {
    std::mt19937 rng(7);
    const FragmentedCapture capture = fragmented_capture(rng, 12, 5000);
    testutil::TempDir dir;
    const std::string path = (dir.path() / "fragmented.pcap").string();
    testutil::write_file(path, capture.pcap);
    const auto out = [&](const std::string& name) { return dir.path() / name; };
    const Run one = run_with(out("one"), [&](auto& tracer, traceflow::ExtractStats& stats) {
        traceflow::feed(path, tracer, stats, traceflow::FeedOptions{});
    });
    // Every TCP frame, fragments included, lands in exactly one flow; the bytes are what was sent.
    CHECK(one.stats.tcp_frames == capture.tcp_frames);
    CHECK(one.stats.count(traceflow::decode::Outcome::fragment) == capture.lost_fragments);
    CHECK(one.stats.fragmented_incomplete == 1);
    std::map<std::uint64_t, int> seen;
    for (const std::string& flow : one.flows) {
        const std::string list = flow.substr(flow.find('[') + 1);
        for (std::size_t at = 0; at < list.size() && list[at] != ']';) {
            const std::size_t comma = list.find(',', at);
            ++seen[std::stoull(list.substr(at, comma - at))];
            at = comma + 1;
        }
    }
    CHECK(seen.size() == capture.tcp_frames);
    for (const auto& [number, times] : seen) CHECK(times == 1);
    CHECK(one.streams == capture.sent);

    // Read in ranges, not handed to feed() for starting with fragments.
    CHECK_FALSE(traceflow::detail::ingest::starts_with_many_fragments(path, {}));
    const Run threaded = run_with(out("threaded"), [&](auto& tracer, traceflow::ExtractStats& stats) {
        traceflow::feed_threaded(path, tracer, stats, traceflow::FeedOptions{});
    });
    check_same(one, threaded);
    for (const std::uint64_t range : {700u, 2000u, 9000u}) {
        const Run parallel =
            run_with(out("parallel" + std::to_string(range)), [&](auto& tracer, traceflow::ExtractStats& stats) {
                traceflow::feed_parallel(path, tracer, stats, traceflow::FeedOptions{}, 3, range);
            });
        check_same(one, parallel);
    }
    const Run plain = run_without_files([&](auto& tracer, traceflow::ExtractStats& stats) {
        traceflow::feed(path, tracer, stats, traceflow::FeedOptions{});
    });
    CHECK(plain.stats.tcp_frames == capture.tcp_frames);
    check_same(plain, run_without_files([&](auto& tracer, traceflow::ExtractStats& stats) {
                   traceflow::feed_threaded(path, tracer, stats, traceflow::FeedOptions{});
               }));
    check_same(plain, run_without_files([&](auto& tracer, traceflow::ExtractStats& stats) {
                   traceflow::feed_parallel(path, tracer, stats, traceflow::FeedOptions{}, 2, 1500);
               }));
    // map/merge through part files, cut at random byte offsets.
    std::vector<std::uint64_t> points{0};
    for (int k = 0; k < 6; ++k) points.push_back(rng() % capture.pcap.size());
    points.push_back(capture.pcap.size());
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    std::vector<traceflow::Part> parts;
    traceflow::MapOptions how;
    how.carry_frames = true;
    for (std::size_t k = 0; k + 1 < points.size(); ++k) {
        const std::string file = (dir.path() / ("part" + std::to_string(k))).string();
        traceflow::write_part(traceflow::map_range(path, {points[k], points[k + 1]}, how), file);
        parts.push_back(traceflow::read_part(file));
    }
    std::vector<const traceflow::Part*> order;
    for (const auto& p : parts) order.push_back(&p);
    traceflow::check_parts(order, {});
    const Run merged = run_with(out("merged"), [&](auto& tracer, traceflow::ExtractStats& stats) {
        traceflow::replay_parts(order, tracer, stats);
    });
    check_same(one, merged);
}

TEST_CASE("fragments: with join_fragments off, a first fragment is traced alone as before", "[fragments]") {
    const auto frames = v4_fragments(segment(40010, 80, 0x18, 300), {104}, 0x55);
    testutil::PcapWriter w;
    for (const Bytes& f : frames) w.record(1, 0, f);
    testutil::TempDir dir;
    const std::string path = (dir.path() / "f.pcap").string();
    testutil::write_file(path, w.bytes);
    CHECK(traceflow::detail::ingest::starts_with_many_fragments(path, {}));  // feed_parallel() reads it on one thread
    traceflow::decode::DecodeOptions off;
    off.join_fragments = false;
    CHECK_FALSE(traceflow::detail::ingest::starts_with_many_fragments(path, off));
    for (const bool join : {true, false}) {
        traceflow::TraceFlow<traceflow::CapturePacket> tracer;
        traceflow::ExtractStats stats;
        traceflow::FeedOptions how;
        how.decode.join_fragments = join;
        traceflow::feed(path, tracer, stats, how);
        const auto flows = tracer.index();
        REQUIRE(flows.size() == 1);
        CHECK(flows[0].index.size() == (join ? 2u : 1u));
        CHECK(stats.count(traceflow::decode::Outcome::fragment) == (join ? 0u : 1u));
    }
}
