// SPDX-License-Identifier: MIT
// EndedFlows: every record read back exactly as it was kept, whatever its frames, label and path.
#include <traceflow/community_id.hpp>
#include <traceflow/ended_flows.hpp>
#include <traceflow/output/file_output.hpp>
#include <traceflow/trace_flow.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "test_catch.hpp"
#include "test_util.hpp"

using traceflow::EndedFlows;
using traceflow::EndReason;
using traceflow::Index;

namespace {

// Both null, or equal in every field (kept statistics are read back as new objects).
bool same_stats(const std::shared_ptr<const traceflow::FlowStats>& a,
                const std::shared_ptr<const traceflow::FlowStats>& b) {
    if (a == nullptr || b == nullptr) return a == b;
    return a->packets == b->packets && a->bytes == b->bytes && a->payload == b->payload && a->first == b->first &&
           a->last == b->last && a->syn == b->syn && a->synack == b->synack && a->fin == b->fin && a->rst == b->rst &&
           a->history == b->history && a->conn_state == b->conn_state && a->community_id == b->community_id;
}

bool same(const Index& a, const Index& b) {
    return a.fpout == b.fpout && a.index == b.index && a.label == b.label && a.reason == b.reason &&
           same_stats(a.stats, b.stats) && a.first == b.first && a.last == b.last;
}

// A record of any shape: frames rising, falling or extreme; any label bytes;
// no path, the pattern's path or another one; statistics or none.
Index random_record(std::mt19937_64& rng, const std::string& prefix, const std::string& suffix, bool with_stats) {
    Index r;
    const std::size_t label_size = rng() % 70;
    for (std::size_t i = 0; i < label_size; ++i) r.label.push_back(static_cast<char>(rng() % 256));
    const std::size_t frames = rng() % 9 == 0 ? rng() % 5000 : rng() % 60;
    std::uint64_t f = rng() % 3 == 0 ? rng() : rng() % 1000;
    for (std::size_t i = 0; i < frames; ++i) {
        switch (rng() % 8) {
            case 0: f = rng(); break;         // anywhere
            case 1: f -= rng() % 100; break;  // back a little (wraps too)
            case 2: f = rng() % 2 == 0 ? 0 : ~std::uint64_t{0}; break;
            default: f += 1 + rng() % 20; break;  // usual: a few frames on
        }
        r.index.push_back(f);
    }
    switch (rng() % 3) {
        case 0: break;
        case 1: r.fpout = prefix + r.label + suffix; break;
        default: r.fpout = "elsewhere/" + std::to_string(rng()) + r.label; break;
    }
    r.reason = static_cast<EndReason>(rng() % 9);
    if (with_stats) {
        // Any values: counters of any size, times either side of 1970 and in any order, any strings.
        auto s = std::make_shared<traceflow::FlowStats>();
        const auto any = [&] { return rng() >> (rng() % 64); };
        for (std::size_t d = 0; d < 2; ++d) s->packets[d] = any(), s->bytes[d] = any(), s->payload[d] = any();
        s->first = {static_cast<std::int64_t>(any()), static_cast<std::uint32_t>(rng() % 1000000000)};
        s->last = {static_cast<std::int64_t>(any()), static_cast<std::uint32_t>(rng() % 1000000000)};
        s->syn = static_cast<std::uint32_t>(any()), s->synack = static_cast<std::uint32_t>(any());
        s->fin = static_cast<std::uint32_t>(any()), s->rst = static_cast<std::uint32_t>(any());
        s->history = std::string(rng() % 20, 'S');
        s->conn_state = rng() % 2 == 0 ? "SF" : "";
        s->community_id = rng() % 2 == 0 ? "1:" + std::to_string(rng()) : "";
        r.stats = s;
    }
    // Flow times: none, the statistics' own, or any (either side of 1970, in any order).
    switch (rng() % 3) {
        case 0: break;
        case 1:
            if (r.stats) r.first = r.stats->first, r.last = r.stats->last;
            break;
        default:
            r.first = {static_cast<std::int64_t>(rng()), static_cast<std::uint32_t>(rng() % 1000000000)};
            r.last = {static_cast<std::int64_t>(rng() >> (rng() % 64)), static_cast<std::uint32_t>(rng() % 1000000000)};
            break;
    }
    return r;
}

}  // namespace

TEST_CASE("EndedFlows gives back every record exactly, by index and by iteration", "[ended_flows]") {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        std::mt19937_64 rng(seed);
        EndedFlows ended;
        const std::string prefix = seed % 2 == 0 ? "out/" : "", suffix = seed % 3 == 0 ? ".pcap" : "";
        ended.set_path_pattern(prefix, suffix);
        std::vector<Index> kept;
        const bool stats_from = seed % 4 == 0;  // statistics appear part-way (or never)
        const std::size_t count = 200 + rng() % 800;
        for (std::size_t i = 0; i < count; ++i) {
            kept.push_back(random_record(rng, prefix, suffix, stats_from && i > count / 2));
            ended.push_back(kept.back());
        }
        REQUIRE(ended.size() == kept.size());
        REQUIRE_FALSE(ended.empty());
        for (std::size_t i = 0; i < kept.size(); ++i) REQUIRE(same(ended[i], kept[i]));
        std::size_t i = 0;
        for (const Index& record : ended) REQUIRE(same(record, kept[i++]));
        CHECK(i == kept.size());
        CHECK(ended.end() - ended.begin() == static_cast<std::ptrdiff_t>(kept.size()));
        ended.clear();
        CHECK(ended.empty());
        CHECK(ended.begin() == ended.end());
        CHECK(ended.memory_bytes() == 0);
    }
}

TEST_CASE("EndedFlows::read into one record gives what operator[] gives, whatever it held before", "[ended_flows]") {
    for (std::uint64_t seed = 21; seed <= 30; ++seed) {
        std::mt19937_64 rng(seed);
        EndedFlows ended;
        ended.set_path_pattern("out/", ".pcap");
        std::vector<Index> kept;
        std::size_t longest = 0;
        for (std::size_t i = 0; i < 300; ++i) {
            // Statistics, paths and long frame lists come and go, so a field left
            // over from the record before would show.
            kept.push_back(random_record(rng, "out/", ".pcap", rng() % 2 == 0));
            kept.back().id.srcport = static_cast<std::uint16_t>(rng());
            ended.push_back(kept.back());
            longest = std::max(longest, kept.back().label.size());
            CHECK(ended.longest_label() == longest);
        }
        Index reused;
        for (std::size_t i = 0; i < kept.size(); ++i) {
            const std::size_t at = rng() % kept.size();  // any order
            ended.read(at, reused);
            REQUIRE(same(reused, kept[at]));
            REQUIRE(reused.id == kept[at].id);
            if (i % 3 == 0) Index taken = std::move(reused);  // a caller may move from it
        }
        ended.clear();
        CHECK(ended.longest_label() == 0);
    }
}

TEST_CASE("EndedFlows keeps a record larger than its blocks", "[ended_flows]") {
    EndedFlows ended;
    Index small{std::nullopt, {1, 2, 3}, "s", EndReason::fin, nullptr, {}, {}, {}};
    Index huge{std::nullopt, {}, "h", EndReason::end_of_input, nullptr, {}, {}, {}};
    for (std::uint64_t f = 0; f < 200000; ++f) huge.index.push_back(f * 1000003);  // 3-byte deltas: 600 kB
    ended.push_back(small);
    ended.push_back(huge);
    ended.push_back(small);
    REQUIRE(ended.size() == 3);
    CHECK(same(ended[0], small));
    CHECK(same(ended[1], huge));
    CHECK(same(ended[2], small));
}

TEST_CASE("EndedFlows stores a typical flow in far fewer bytes than an Index", "[ended_flows]") {
    // 43 frames a few apart and a 45-character label: what a pcapkit flow of
    // the benchmark capture looks like.
    EndedFlows ended;
    const std::size_t flows = 20000;
    for (std::size_t i = 0; i < flows; ++i) {
        Index r{std::nullopt,
                {},
                "10.78.0.1_" + std::to_string(10000 + i) + "-10.78.0.2_8000-1764131088.123456",
                EndReason::fin_one_side,
                nullptr,
                {},
                {},
                {}};
        for (std::uint64_t f = 0; f < 43; ++f) r.index.push_back(i * 40 + f * 3);
        ended.push_back(r);
    }
    const double per_flow = double(ended.memory_bytes()) / double(flows);
    // label ~48 + frames ~45 + key bitmap, reason and lengths + offset 8-16 +
    // 256 KiB block rounding; an Index takes sizeof(Index) + the label's and
    // the frames' heap blocks.
    CHECK(per_flow * 3 < double(sizeof(Index) + 48 + 43 * 8));
    CHECK(ended[flows - 1].index.back() == (flows - 1) * 40 + 42 * 3);
}

TEST_CASE("TraceFlow keeps ended flows compactly and lists them as before", "[ended_flows]") {
    // Random packets over a few tuples (FINs end flows often), with and
    // without statistics and files, through dump() and trace(): closed()
    // read back, index() and for_each_index() agree, and the callbacks saw
    // the same records. A tracer with no callback, which keeps the frame
    // numbers' deltas as they are and leaves the Community ID to be made
    // when read, keeps the same records too.
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        std::mt19937_64 rng(seed);
        traceflow::TraceFlowOptions o;
        o.warning = nullptr;
        o.statistics = seed % 2 == 0;
        if (seed % 3 == 0) o.keying = traceflow::FlowKeying::bidirectional;
        const bool one_by_one = seed >= 7;  // trace(): the ended flow also comes back as a Buffer
        const testutil::TempDir dir;
        if (seed > 3 && !one_by_one) o.fout = (dir.path() / "out").string();
        std::vector<traceflow::Packet<>> packets;
        const char* hosts[] = {"10.0.0.1", "10.0.0.2", "192.168.7.9", "2001:db8::1"};
        for (std::uint64_t n = 1; n <= 3000; ++n) {
            const char* a = hosts[rng() % 2];
            const char* b = hosts[2 + rng() % 2];
            const bool v6 = std::string(b).find(':') != std::string::npos;
            auto p = testutil::make_packet(n, v6 ? "2001:db8::2" : a, static_cast<std::uint16_t>(1000 + rng() % 4), b,
                                           80, rng() % 10 == 0, rng() % 6 == 0,
                                           traceflow::Timestamp{1'500'000'000 + static_cast<std::int64_t>(n / 7),
                                                                static_cast<std::uint32_t>(rng() % 1000) * 1000});
            if (rng() % 2 == 0) std::swap(p.src, p.dst), std::swap(p.srcport, p.dstport);
            packets.push_back(std::move(p));
        }
        std::vector<Index> seen;
        traceflow::TraceFlowOptions bare_options = o;
        if (!o.fout.empty()) bare_options.fout = (dir.path() / "bare").string();
        traceflow::TraceFlow<traceflow::Packet<>> bare(bare_options);  // no callback
        {
            traceflow::TraceFlow<traceflow::Packet<>> tracer(o);
            tracer.register_callback([&seen](const Index& flow) { seen.push_back(flow); });
            for (const auto& p : packets) {
                if (one_by_one)
                    (void)tracer.trace(p), (void)bare.trace(p);
                else
                    tracer.dump(p), bare.dump(p);
            }
            tracer.finish();
            bare.finish();
            const traceflow::EndedFlows& closed = tracer.closed();
            REQUIRE(closed.size() == seen.size());
            REQUIRE(bare.closed().size() == seen.size());
            REQUIRE(closed.size() > 100);
            for (std::size_t i = 0; i < seen.size(); ++i) {
                const Index r = closed[i];
                REQUIRE(r.label == seen[i].label);
                REQUIRE(r.index == seen[i].index);
                REQUIRE(r.fpout == seen[i].fpout);
                REQUIRE(r.reason == seen[i].reason);
                REQUIRE(same_stats(r.stats, seen[i].stats));
                REQUIRE(r.id == seen[i].id);
                REQUIRE(r.fpout.has_value() == !o.fout.empty());
                if (r.stats) {
                    REQUIRE(r.stats->community_id ==
                            traceflow::community_id(r.id.src, r.id.srcport, r.id.dst, r.id.dstport));
                }
                const Index b = bare.closed()[i];
                REQUIRE(b.label == r.label);
                REQUIRE(b.index == r.index);
                REQUIRE(b.reason == r.reason);
                REQUIRE(same_stats(b.stats, r.stats));
                REQUIRE(b.id == r.id);
                REQUIRE(b.fpout.has_value() == r.fpout.has_value());
            }
            const std::vector<Index> all = tracer.index();
            REQUIRE(all.size() == tracer.open_count() + closed.size());
            std::size_t i = 0;
            tracer.for_each_index([&](Index&& r) {
                REQUIRE(i < all.size());
                CHECK(r.label == all[i].label);
                CHECK(r.index == all[i].index);
                CHECK(r.reason == all[i].reason);
                ++i;
            });
            CHECK(i == all.size());
            // for_each_open_index() is the open part: the first open_count() records, in order.
            CHECK(tracer.open_count() > 0);
            i = 0;
            tracer.for_each_open_index([&](Index&& r) {
                REQUIRE(i < tracer.open_count());
                CHECK(r.reason == EndReason::open);
                CHECK(r.label == all[i].label);
                CHECK(r.index == all[i].index);
                ++i;
            });
            CHECK(i == tracer.open_count());
            for (std::size_t k = 0; k < closed.size(); ++k) CHECK(all[tracer.open_count() + k].label == seen[k].label);
        }
    }
}

TEST_CASE("EndedFlows rebuilds the key part of a label exactly, and stores it in fewer bytes", "[ended_flows][label]") {
    std::mt19937_64 rng(99);
    EndedFlows made, unrelated;
    made.set_path_pattern("out/", ".pcap");
    std::vector<Index> kept;
    for (int i = 0; i < 20000; ++i) {  // several 256 KiB blocks
        Index r;
        std::uint8_t bytes[32];
        for (std::uint8_t& b : bytes) b = static_cast<std::uint8_t>(rng() % 3 == 0 ? 0 : rng());
        const bool v6 = rng() % 3 == 0;
        const auto v4 = [&] { return traceflow::IpAddress::v4(static_cast<std::uint32_t>(rng())); };
        r.id.src = v6 ? traceflow::IpAddress::v6(bytes) : v4();
        r.id.dst = v6 ? traceflow::IpAddress::v6(bytes + 16) : v4();
        r.id.srcport = static_cast<std::uint16_t>(rng());
        r.id.dstport = static_cast<std::uint16_t>(rng());
        const traceflow::Timestamp t{static_cast<std::int64_t>(rng() % 2000000000),
                                     static_cast<std::uint32_t>(rng() % 1000000000)};
        r.label = traceflow::make_label(r.id.src, r.id.srcport, r.id.dst, r.id.dstport, t);
        switch (rng() % 6) {
            case 0: r.label += "-g2"; break;                                     // made unique
            case 1: r.label[rng() % r.label.size()] ^= 0x20; break;              // any byte changed
            case 2: r.label = r.label.substr(0, rng() % r.label.size()); break;  // cut, even in the key part
            default: break;                                                      // as TraceFlow makes it
        }
        for (int f = 0; f < 5; ++f) r.index.push_back(static_cast<std::uint64_t>(i * 10 + f));
        if (rng() % 2 == 0) r.fpout = "out/" + r.label + ".pcap";
        r.reason = EndReason::fin_one_side;
        kept.push_back(r);
        made.push_back(r);
        Index other = r;
        other.id = {};  // the key no longer makes the label: stored whole
        unrelated.push_back(other);
    }
    for (std::size_t i = 0; i < kept.size(); ++i) {
        const Index got = made[i];
        REQUIRE(got.label == kept[i].label);
        REQUIRE(got.fpout == kept[i].fpout);
        REQUIRE(got.id == kept[i].id);
        REQUIRE(unrelated[i].label == kept[i].label);
    }
    // The key part (about 30 bytes for IPv4) is not stored.
    CHECK(made.memory_bytes() < unrelated.memory_bytes());
}
