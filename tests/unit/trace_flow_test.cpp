// SPDX-License-Identifier: MIT
// TraceFlow in pcapkit-compatible mode: flow opening, closing, index order,
// callbacks, the format registry and output-root handling.
#include <traceflow/output/file_output.hpp>
#include <traceflow/trace_flow.hpp>

#include <map>
#include <random>
#include <tuple>

#include "test_catch.hpp"
#include "test_util.hpp"

using testutil::make_packet;
using traceflow::EndReason;
using traceflow::Index;
using traceflow::TraceFlow;

namespace {

traceflow::TraceFlowOptions quiet(std::string fout = {}, std::string format = "pcap") {
    traceflow::TraceFlowOptions o;
    o.fout = std::move(fout);
    o.format = std::move(format);
    o.warning = nullptr;
    return o;
}

}  // namespace

TEST_CASE("a FIN closes only its direction", "[trace_flow]") {
    TraceFlow<> t(quiet());
    t.trace(make_packet(1, "10.0.0.1", 1000, "10.0.0.2", 80, true));
    t.trace(make_packet(2, "10.0.0.2", 80, "10.0.0.1", 1000, true));
    t.trace(make_packet(3, "10.0.0.1", 1000, "10.0.0.2", 80, false, true));
    t.trace(make_packet(4, "10.0.0.2", 80, "10.0.0.1", 1000));
    const std::vector<Index> index = t.index();
    REQUIRE(index.size() == 2);
    // Open flows first, then closed ones.
    CHECK(index[0].index == std::vector<std::uint64_t>{2, 4});
    CHECK(index[0].reason == EndReason::open);
    CHECK(index[1].index == std::vector<std::uint64_t>{1, 3});
    CHECK(index[1].reason == EndReason::fin_one_side);
    CHECK(index[1].label == "10.0.0.1_1000-10.0.0.2_80-1500000000.0");
    CHECK_FALSE(index[0].fpout.has_value());
    CHECK(t.open_count() == 1);
}

TEST_CASE("a packet after the FIN opens a new flow with a new label", "[trace_flow]") {
    TraceFlow<> t(quiet());
    t.trace(make_packet(1, "10.0.0.1", 1000, "10.0.0.2", 80, false, true, {100, 0}));
    const traceflow::Buffer& again =
        t.trace(make_packet(2, "10.0.0.1", 1000, "10.0.0.2", 80, false, false, {101, 5'000'000}));
    CHECK(again.label == "10.0.0.1_1000-10.0.0.2_80-101.005");
    const auto index = t.index();
    REQUIRE(index.size() == 2);
    CHECK(index[0].index == std::vector<std::uint64_t>{2});
    CHECK(index[1].index == std::vector<std::uint64_t>{1});
}

TEST_CASE("trace returns the closed flow's buffer on its FIN", "[trace_flow]") {
    TraceFlow<> t(quiet());
    t.trace(make_packet(7, "10.0.0.1", 1, "10.0.0.2", 2));
    const traceflow::Buffer& b = t.trace(make_packet(9, "10.0.0.1", 1, "10.0.0.2", 2, false, true));
    CHECK(b.index == std::vector<std::uint64_t>{7, 9});
    CHECK(b.label == "10.0.0.1_1-10.0.0.2_2-1500000000.0");
}

TEST_CASE("IPv6 labels use dots for colons", "[trace_flow]") {
    TraceFlow<> t(quiet());
    const auto& b =
        t.trace(make_packet(1, "2001:db8::1", 443, "fe80::1:0:0:0:1", 5555, false, false, {1, 250'000'000}));
    CHECK(b.label == "2001.db8..1_443-fe80.0.0.1..1_5555-1.25");
}

TEST_CASE("callbacks see each finished flow once, in finishing order", "[trace_flow]") {
    TraceFlow<> t(quiet());
    std::vector<std::string> seen;
    t.register_callback([&](const Index& i) { seen.push_back(i.label + ":" + std::to_string(i.index.size())); });
    t.trace(make_packet(1, "1.1.1.1", 1, "2.2.2.2", 2, false, false, {5, 0}));
    t.trace(make_packet(2, "3.3.3.3", 3, "4.4.4.4", 4, false, true, {6, 0}));
    t.trace(make_packet(3, "1.1.1.1", 1, "2.2.2.2", 2, false, true, {7, 0}));
    REQUIRE(seen.size() == 2);
    CHECK(seen[0] == "3.3.3.3_3-4.4.4.4_4-6.0:1");
    CHECK(seen[1] == "1.1.1.1_1-2.2.2.2_2-5.0:2");
}

TEST_CASE("an unknown format warns once and writes nothing", "[trace_flow][output]") {
    testutil::TempDir dir;
    std::vector<std::string> warnings;
    traceflow::TraceFlowOptions o = quiet(dir.str() + "/out", "nonsense");
    o.warning = [&](std::string_view w) { warnings.emplace_back(w); };
    {
        TraceFlow<> t(o);
        t(make_packet(1, "1.1.1.1", 1, "2.2.2.2", 2));
        t(make_packet(2, "1.1.1.1", 1, "2.2.2.2", 2, false, true));
        t(make_packet(3, "1.1.1.1", 5, "2.2.2.2", 2));
        for (const Index& i : t.index()) CHECK_FALSE(i.fpout.has_value());
        CHECK(t.index().size() == 2);
    }
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("nonsense") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));
}

TEST_CASE("an output root that is a file is a clear error", "[trace_flow][output]") {
    testutil::TempDir dir;
    const auto file = dir.path() / "plain-file";
    std::ofstream(file) << "x";
    try {
        TraceFlow<> t(quiet(file.string()));
        FAIL("expected IoError");
    } catch (const traceflow::IoError& e) {
        CHECK(e.path() == file.string());
        CHECK(e.code() == std::errc::not_a_directory);
    }
}

TEST_CASE("the output root is created with its parents", "[trace_flow][output]") {
    testutil::TempDir dir;
    const auto root = dir.path() / "a" / "b";
    TraceFlow<> t(quiet(root.string()));
    t(make_packet(1, "1.1.1.1", 1, "2.2.2.2", 2));
    t.finish();
    const auto index = t.index();
    REQUIRE(index.size() == 1);
    REQUIRE(index[0].fpout.has_value());
    CHECK(*index[0].fpout == root.string() + "/1.1.1.1_1-2.2.2.2_2-1500000000.0.pcap");
    CHECK(std::filesystem::is_regular_file(*index[0].fpout));
}

TEST_CASE("registered formats are used by new tracers", "[trace_flow][output]") {
    class CountingDumper final : public traceflow::Dumper {
    public:
        void header(traceflow::OutputSink& out) override { out.write("frames:"); }
        void frame(traceflow::OutputSink& out, const traceflow::DumpFrame& f) override {
            out.write(" ");
            out.write(std::to_string(f.index));
        }
        void footer(traceflow::OutputSink& out) override { out.write("\n"); }
    };
    TraceFlow<>::register_format(
        "count", {".cnt", [](const traceflow::DumpOptions&) { return std::make_unique<CountingDumper>(); }});
    testutil::TempDir dir;
    std::string path;
    {
        TraceFlow<> t(quiet(dir.str(), "count"));
        t(make_packet(4, "1.1.1.1", 1, "2.2.2.2", 2));
        t(make_packet(8, "1.1.1.1", 1, "2.2.2.2", 2, false, true));
        path = *t.index().at(0).fpout;
        CHECK(t.extension() == ".cnt");
    }
    CHECK(testutil::read_file(path) == "frames: 4 8\n");
}

namespace {

// The reference's semantics in a dozen lines: a model to check TraceFlow against.
struct ModelFlow {
    std::vector<std::uint64_t> frames;
    std::string label;
};
using ModelKey = std::tuple<std::string, int, std::string, int>;

std::vector<std::pair<std::string, std::vector<std::uint64_t>>> model_index(
    const std::vector<traceflow::Packet<>>& packets) {
    std::map<ModelKey, std::size_t> open;  // key -> position in order
    std::vector<std::pair<ModelKey, ModelFlow>> order;
    std::vector<bool> alive;
    std::vector<std::pair<std::string, std::vector<std::uint64_t>>> closed;
    for (const auto& p : packets) {
        const ModelKey key{p.src.to_string(), p.srcport, p.dst.to_string(), p.dstport};
        auto it = open.find(key);
        if (it == open.end()) {
            order.push_back({key, {{}, traceflow::make_label(p.src, p.srcport, p.dst, p.dstport, p.timestamp)}});
            alive.push_back(true);
            it = open.emplace(key, order.size() - 1).first;
        }
        order[it->second].second.frames.push_back(p.index);
        if (p.fin) {
            closed.emplace_back(order[it->second].second.label, order[it->second].second.frames);
            alive[it->second] = false;
            open.erase(it);
        }
    }
    std::vector<std::pair<std::string, std::vector<std::uint64_t>>> out;
    for (std::size_t i = 0; i < order.size(); ++i)
        if (alive[i]) out.emplace_back(order[i].second.label, order[i].second.frames);
    out.insert(out.end(), closed.begin(), closed.end());
    return out;
}

}  // namespace

TEST_CASE("random packet streams match the reference model, every frame in one flow", "[trace_flow][property]") {
    std::mt19937 rng(12345);
    for (int round = 0; round < 20; ++round) {
        // Few hosts and ports so tuples repeat, FINs reopen, and compaction runs.
        const int hosts = 2 + round % 4;
        const int ports = 2 + round % 7;
        std::vector<traceflow::Packet<>> packets;
        const std::size_t count = round < 10 ? 500 : 20000;
        for (std::size_t i = 0; i < count; ++i) {
            const std::string a = "10.0.0." + std::to_string(rng() % hosts);
            const std::string b = "fd00::" + std::to_string(rng() % hosts);
            const bool v6 = rng() % 3 == 0;
            const auto sp = static_cast<std::uint16_t>(rng() % ports);
            const auto dp = static_cast<std::uint16_t>(rng() % ports);
            auto p = make_packet(
                i + 1, v6 ? b.c_str() : a.c_str(), sp, v6 ? "fd00::ff" : "10.0.1.1", dp, rng() % 5 == 0,
                rng() % 11 == 0,
                {static_cast<std::int64_t>(1000 + i / 7), static_cast<std::uint32_t>(rng() % 1'000'000'000)}, 0);
            packets.push_back(std::move(p));
        }
        TraceFlow<> t(quiet());
        for (const auto& p : packets) t.trace(p);
        const auto got = t.index();
        const auto want = model_index(packets);
        REQUIRE(got.size() == want.size());
        std::vector<int> seen(count + 1, 0);
        for (std::size_t i = 0; i < got.size(); ++i) {
            CHECK(got[i].label == want[i].first);
            CHECK(got[i].index == want[i].second);
            for (auto f : got[i].index) ++seen[f];
        }
        for (std::size_t f = 1; f <= count; ++f) REQUIRE(seen[f] == 1);
    }
}

TEST_CASE("trace_batch has exactly the effect of trace on each packet, in every mode", "[trace_flow][property]") {
    std::mt19937 rng(777);
    for (int round = 0; round < 24; ++round) {
        traceflow::TraceFlowOptions o = quiet();
        o.keying = round % 2 == 0 ? traceflow::FlowKeying::directional : traceflow::FlowKeying::bidirectional;
        o.lifecycle = round % 4 < 2 ? traceflow::Lifecycle::pcapkit : traceflow::Lifecycle::tcp;
        o.statistics = round % 3 != 0;
        if (round % 5 == 1) o.idle_timeout = std::chrono::seconds(3);
        if (round % 6 == 2) o.max_flows = 7;
        std::vector<traceflow::Packet<>> packets;
        const std::size_t count = 3000 + static_cast<std::size_t>(rng() % 50);  // not a multiple of the batch depth
        for (std::size_t i = 0; i < count; ++i) {
            const std::string a = "10.0.0." + std::to_string(rng() % 6);
            auto p =
                make_packet(i + 1, a.c_str(), static_cast<std::uint16_t>(rng() % 5), "10.0.1.1",
                            static_cast<std::uint16_t>(rng() % 5), rng() % 9 == 0, rng() % 13 == 0,
                            {static_cast<std::int64_t>(1000 + i / 5), static_cast<std::uint32_t>(rng() % 1000)}, 0);
            if (rng() % 2 == 0) std::swap(p.src, p.dst), std::swap(p.srcport, p.dstport);
            p.tcp.ack = rng() % 3 != 0;
            p.tcp.rst = rng() % 40 == 0;
            p.tcp.seq = static_cast<std::uint32_t>(rng() % 3);
            p.tcp.payload_size = static_cast<std::uint32_t>(rng() % 100);
            packets.push_back(std::move(p));
        }
        TraceFlow<> one(o);
        TraceFlow<> batched(o);
        std::vector<std::string> ended_one;
        std::vector<std::string> ended_batched;
        one.register_callback([&](const Index& x) { ended_one.push_back(x.label); });
        batched.register_callback([&](const Index& x) { ended_batched.push_back(x.label); });
        for (const auto& p : packets) one.trace(p);
        // Uneven batch sizes, including 0, 1 and ones shorter than the prefetch distance.
        for (std::size_t at = 0; at < count;) {
            const std::size_t n = std::min<std::size_t>(count - at, rng() % 40);
            batched.trace_batch(packets.data() + at, n);
            at += n;
        }
        CHECK(ended_batched == ended_one);
        const auto want = one.index();
        const auto got = batched.index();
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            CHECK(got[i].label == want[i].label);
            CHECK(got[i].index == want[i].index);
            CHECK(got[i].reason == want[i].reason);
            REQUIRE(static_cast<bool>(got[i].stats) == o.statistics);
            REQUIRE(static_cast<bool>(want[i].stats) == o.statistics);
            if (!o.statistics) continue;
            CHECK(got[i].stats->packets == want[i].stats->packets);
            CHECK(got[i].stats->history == want[i].stats->history);
            CHECK(got[i].stats->conn_state == want[i].stats->conn_state);
        }
    }
}
