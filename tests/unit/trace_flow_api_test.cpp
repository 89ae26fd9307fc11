// SPDX-License-Identifier: MIT
// TraceFlow's front door: typed flow records (id), find() and open_flows(),
// advance(), moving a tracer, name_template and the free register_format.
#include <traceflow/output/file_output.hpp>
#include <traceflow/trace_flow.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "read_capture.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

using testutil::make_packet;
using traceflow::BufferID;
using traceflow::EndReason;
using traceflow::Index;
using traceflow::IpAddress;
using traceflow::TraceFlow;

namespace {

traceflow::TraceFlowOptions quiet(std::string fout = {}) {
    traceflow::TraceFlowOptions o;
    o.fout = std::move(fout);
    o.warning = nullptr;
    return o;
}

BufferID<IpAddress> key(const char* src, std::uint16_t sp, const char* dst, std::uint16_t dp) {
    return {IpAddress::parse(src).value(), sp, IpAddress::parse(dst).value(), dp};
}

traceflow::Packet<> syn_ack(std::uint64_t index, const char* src, std::uint16_t sp, const char* dst, std::uint16_t dp) {
    auto p = make_packet(index, src, sp, dst, dp, true);
    p.tcp.ack = true;
    return p;
}

// Frames of every pcap file of an index, read back.
std::vector<std::uint64_t> frame_sizes_in_file(const std::string& path) {
    const auto bytes = testutil::read_bytes(path);
    const auto r = testutil::read_all(traceflow::ByteView{bytes.data(), bytes.size()}, path);
    REQUIRE_FALSE(r.threw);
    std::vector<std::uint64_t> lengths;
    for (const auto& record : r.records) lengths.push_back(record.frame.bytes.size);
    return lengths;
}

TraceFlow<> make_tracer(const std::string& fout) {
    TraceFlow<> t(quiet(fout));
    t(make_packet(1, "10.0.0.1", 1, "10.0.0.2", 2));
    return t;  // a tracer can be returned from a function
}

}  // namespace

TEST_CASE("flow records carry their typed key: directional as sent, bidirectional from the initiator",
          "[trace_flow][api]") {
    TraceFlow<> directional(quiet());
    directional.trace(make_packet(1, "10.0.0.1", 1000, "10.0.0.2", 80, true));
    directional.trace(syn_ack(2, "10.0.0.2", 80, "10.0.0.1", 1000));
    const auto d = directional.index();
    REQUIRE(d.size() == 2);
    CHECK(d[0].id == key("10.0.0.1", 1000, "10.0.0.2", 80));
    CHECK(d[1].id == key("10.0.0.2", 80, "10.0.0.1", 1000));

    auto options = quiet();
    options.keying = traceflow::FlowKeying::bidirectional;
    TraceFlow<> bidirectional(options);
    // The SYN-ACK is seen first: the initiator is its receiver, whatever order the addresses sort in.
    const traceflow::Buffer& b = bidirectional.trace(syn_ack(1, "10.0.0.2", 80, "10.0.0.1", 1000));
    CHECK(b.id == key("10.0.0.1", 1000, "10.0.0.2", 80));
    bidirectional.trace(make_packet(2, "10.0.0.1", 1000, "10.0.0.2", 80));
    const auto i = bidirectional.index();
    REQUIRE(i.size() == 1);
    CHECK(i[0].id == key("10.0.0.1", 1000, "10.0.0.2", 80));
    CHECK(i[0].label.rfind("10.0.0.1_1000-10.0.0.2_80-", 0) == 0);

    // The ended record and the Buffer trace() hands back for it carry the id too.
    TraceFlow<> ending(quiet());
    const traceflow::Buffer& ended = ending.trace(make_packet(1, "10.0.0.3", 7, "10.0.0.4", 8, false, true));
    CHECK(ended.id == key("10.0.0.3", 7, "10.0.0.4", 8));
    REQUIRE(ending.closed().size() == 1);
    CHECK(ending.closed().front().id == key("10.0.0.3", 7, "10.0.0.4", 8));
}

TEST_CASE("find returns the open flow of a key, open_flows lists them in opening order", "[trace_flow][api]") {
    TraceFlow<> t(quiet());
    CHECK(t.find(key("10.0.0.1", 1, "10.0.0.2", 2)) == nullptr);
    t.trace(make_packet(1, "10.0.0.1", 1, "10.0.0.2", 2));
    t.trace(make_packet(2, "10.0.0.3", 3, "10.0.0.4", 4));
    t.trace(make_packet(3, "10.0.0.1", 1, "10.0.0.2", 2));
    const traceflow::Buffer* found = t.find(key("10.0.0.1", 1, "10.0.0.2", 2));
    REQUIRE(found != nullptr);
    CHECK(found->index == std::vector<std::uint64_t>{1, 3});
    CHECK(t.find(key("10.0.0.2", 2, "10.0.0.1", 1)) == nullptr);  // directional: the other direction is another flow
    std::vector<std::uint64_t> firsts;
    for (const traceflow::Buffer& open : t.open_flows()) firsts.push_back(open.index.front());
    CHECK(firsts == std::vector<std::uint64_t>{1, 2});
    CHECK(t.open_flows().size() == 2);
    t.trace(make_packet(4, "10.0.0.1", 1, "10.0.0.2", 2, false, true));  // FIN ends it
    CHECK(t.find(key("10.0.0.1", 1, "10.0.0.2", 2)) == nullptr);

    auto options = quiet();
    options.keying = traceflow::FlowKeying::bidirectional;
    options.key_vlan = true;
    TraceFlow<> scoped(options);
    auto tagged = make_packet(1, "10.0.0.1", 1, "10.0.0.2", 2);
    tagged.tcp.vlan = 10;
    scoped.trace(tagged);
    CHECK(scoped.find(key("10.0.0.2", 2, "10.0.0.1", 1), 10) != nullptr);  // either direction
    CHECK(scoped.find(key("10.0.0.1", 1, "10.0.0.2", 2)) == nullptr);      // VLAN 0 is another flow
    CHECK(scoped.find(key("10.0.0.1", 1, "10.0.0.2", 2), 20) == nullptr);
}

TEST_CASE("advance ends flows whose time is over as a packet at that time would, never going back",
          "[trace_flow][api]") {
    auto options = quiet();
    options.idle_timeout = std::chrono::seconds(10);
    TraceFlow<> t(options);
    std::vector<std::string> ended;
    t.register_callback([&](const Index& i) { ended.push_back(i.label); });
    t.trace(make_packet(1, "10.0.0.1", 1, "10.0.0.2", 2, false, false, {100, 0}));
    t.trace(make_packet(2, "10.0.0.3", 3, "10.0.0.4", 4, false, false, {105, 0}));
    t.advance({109, 0});
    CHECK(ended.empty());
    t.advance({112, 0});
    REQUIRE(ended.size() == 1);
    CHECK(t.closed().front().reason == EndReason::idle);
    t.advance({50, 0});  // the clock never steps back
    t.trace(make_packet(3, "10.0.0.3", 3, "10.0.0.4", 4, false, false, {114, 0}));
    CHECK(ended.size() == 1);
    t.advance({124, 0});
    CHECK(ended.size() == 2);
    CHECK(t.open_count() == 0);
}

TEST_CASE("a tracer moves: trace, move, go on tracing, files still right", "[trace_flow][api]") {
    testutil::TempDir dir;
    const std::string root = dir.str() + "/out";
    TraceFlow<> first = make_tracer(root);
    first(make_packet(2, "10.0.0.3", 3, "10.0.0.4", 4, false, false, {1'500'000'000, 0}, 70));
    TraceFlow<> second(std::move(first));
    second(make_packet(3, "10.0.0.1", 1, "10.0.0.2", 2, false, false, {1'500'000'000, 0}, 80));
    TraceFlow<> third(quiet(dir.str() + "/other"));
    third(make_packet(9, "10.0.0.9", 9, "10.0.0.8", 8));
    third = std::move(second);  // completes third's own file first
    third(make_packet(4, "10.0.0.1", 1, "10.0.0.2", 2, false, true, {1'500'000'000, 0}, 90));
    third.finish();
    const auto index = third.index();
    REQUIRE(index.size() == 2);
    CHECK(index[0].index == std::vector<std::uint64_t>{2});
    CHECK(index[1].index == std::vector<std::uint64_t>{1, 3, 4});
    REQUIRE(index[1].fpout.has_value());
    CHECK(frame_sizes_in_file(*index[1].fpout) == std::vector<std::uint64_t>{60, 80, 90});
    CHECK(frame_sizes_in_file(*index[0].fpout) == std::vector<std::uint64_t>{70});
    CHECK(frame_sizes_in_file(dir.str() + "/other/10.0.0.9_9-10.0.0.8_8-1500000000.0.pcap") ==
          std::vector<std::uint64_t>{60});
}

TEST_CASE("name_template names each flow's file; unknown placeholders are refused", "[trace_flow][api][output]") {
    testutil::TempDir dir;
    auto options = quiet(dir.str() + "/out/");  // a trailing slash gives no double slash
    options.name_template = "{src}-{srcport}_{dst}-{dstport}@{first}";
    TraceFlow<> t(options);
    t(make_packet(1, "10.0.0.1", 1, "10.0.0.2", 2, false, false, {100, 500'000'000}));
    t.finish();
    REQUIRE(t.index()[0].fpout.has_value());
    CHECK(*t.index()[0].fpout == dir.str() + "/out/10.0.0.1-1_10.0.0.2-2@100.5.pcap");
    CHECK(std::filesystem::is_regular_file(*t.index()[0].fpout));

    options.name_template = "{label}-{bogus}";
    try {
        TraceFlow<> bad(options);
        FAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("{bogus}") != std::string::npos);
    }
}

TEST_CASE("no hidden file by default: an IPv6 address that begins with :: is written 0..",
          "[trace_flow][api][output]") {
    testutil::TempDir dir;
    std::vector<std::string> warnings;
    auto options = quiet(dir.str());
    options.warning = [&](std::string_view w) { warnings.emplace_back(w); };
    TraceFlow<> t(options);
    t(make_packet(1, "::1", 1, "::1", 2));
    t.finish();
    CHECK(warnings.empty());
    const auto index = t.index();
    REQUIRE(index.size() == 1);
    const traceflow::Index& flow = index[0];
    CHECK(flow.label.rfind("..1_1-..1_2-", 0) == 0);  // the label is pcapkit's
    REQUIRE(flow.fpout);
    CHECK(std::filesystem::path(*flow.fpout).filename().string() == "0" + flow.label + ".pcap");
    CHECK(std::filesystem::is_regular_file(*flow.fpout));
}

TEST_CASE("names of hidden files warn once, naming the template and --name", "[trace_flow][api][output]") {
    testutil::TempDir dir;
    std::vector<std::string> warnings;
    auto options = quiet(dir.str());
    options.name_template = ".{srcport}";
    options.warning = [&](std::string_view w) { warnings.emplace_back(w); };
    TraceFlow<> t(options);
    t(make_packet(1, "::1", 1, "::1", 2));
    t(make_packet(2, "::1", 3, "::1", 4));
    t(make_packet(3, "10.0.0.1", 5, "::1", 4));
    t.finish();
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("hidden") != std::string::npos);
    CHECK(warnings[0].find("--name") != std::string::npos);
}

TEST_CASE("the free register_format adds a format new tracers use", "[trace_flow][api][output]") {
    class Nothing final : public traceflow::Dumper {
    public:
        void frame(traceflow::OutputSink& out, const traceflow::DumpFrame&) override { out.write("x"); }
    };
    traceflow::register_format("api-test-x", {".x", [](const traceflow::DumpOptions&) {
                                                  return std::unique_ptr<traceflow::Dumper>(new Nothing);
                                              }});
    REQUIRE(traceflow::format_registry().find("api-test-x") != nullptr);
    testutil::TempDir dir;
    auto options = quiet(dir.str());
    options.format = "api-test-x";
    TraceFlow<> t(options);
    t(make_packet(1, "10.0.0.1", 1, "10.0.0.2", 2));
    t(make_packet(2, "10.0.0.1", 1, "10.0.0.2", 2));
    t.finish();
    CHECK(t.extension() == ".x");
    CHECK(testutil::read_file(*t.index()[0].fpout) == "xx");
}

TEST_CASE("flow_times gives each flow's first and last times without statistics, equal to the statistics' own",
          "[trace_flow][api]") {
    // Times step back and forth; flows end by FIN (ended) or stay open.
    std::vector<traceflow::Packet<>> packets;
    const std::int64_t secs[] = {100, 90, 130, 95, 160, 150, 99, 170};
    for (std::uint64_t i = 0; i < 8; ++i) {
        const bool second_flow = i % 2 == 1;
        packets.push_back(make_packet(i + 1, "10.0.0.1", second_flow ? 2000 : 1000, "10.0.0.2", 80, false,
                                      !second_flow && i == 6, {secs[i], static_cast<std::uint32_t>(i * 1000)}));
    }
    for (const auto keying : {traceflow::FlowKeying::directional, traceflow::FlowKeying::bidirectional}) {
        auto times_only = quiet();
        times_only.keying = keying;
        times_only.flow_times = true;
        auto with_stats = times_only;
        with_stats.flow_times = false;
        with_stats.statistics = true;
        auto neither = times_only;
        neither.flow_times = false;
        TraceFlow<> a(times_only), b(with_stats), c(neither);
        for (const auto& p : packets) a.dump(p), b.dump(p), c.dump(p);
        const std::vector<Index> ia = a.index(), ib = b.index(), ic = c.index();
        REQUIRE(ia.size() == 2);
        REQUIRE(ib.size() == ia.size());
        REQUIRE(ic.size() == ia.size());
        CHECK(ia[0].reason == EndReason::open);  // the second flow, still open
        CHECK(ia[1].reason == EndReason::fin_one_side);
        for (std::size_t i = 0; i < ia.size(); ++i) {
            CHECK(ia[i].stats == nullptr);
            REQUIRE(ib[i].stats != nullptr);
            CHECK(ia[i].first == ib[i].stats->first);
            CHECK(ia[i].last == ib[i].stats->last);
            CHECK(ib[i].first == ib[i].stats->first);  // kept with statistics too
            CHECK(ib[i].last == ib[i].stats->last);
            CHECK(ic[i].first == traceflow::Timestamp{});  // not kept
            CHECK(ic[i].last == traceflow::Timestamp{});
        }
        // The first flow: first packet at 100 s, last (its FIN) at 99 s, as they came.
        CHECK(ia[1].first == traceflow::Timestamp{100, 0});
        CHECK(ia[1].last == traceflow::Timestamp{99, 6000});
        CHECK(ia[0].first == traceflow::Timestamp{90, 1000});
        CHECK(ia[0].last == traceflow::Timestamp{170, 7000});
    }
}

TEST_CASE("dump() tells the packet's flow: its number and key", "[trace_flow][api]") {
    auto options = quiet();
    options.keying = traceflow::FlowKeying::bidirectional;
    TraceFlow<> t(options);
    const auto a = t.dump(make_packet(1, "10.0.0.1", 1000, "10.0.0.2", 80, true));
    REQUIRE(a.id != nullptr);
    CHECK(a.number == 0);
    CHECK(*a.id == key("10.0.0.1", 1000, "10.0.0.2", 80));
    const auto b = t(make_packet(2, "10.0.0.3", 2000, "10.0.0.2", 80, true));
    CHECK(b.number == 1);
    const auto reply = t.dump(make_packet(3, "10.0.0.2", 80, "10.0.0.1", 1000));  // the other side: the same flow
    CHECK(reply.number == 0);
    CHECK(*reply.id == key("10.0.0.1", 1000, "10.0.0.2", 80));  // as its initiator sent it
    const auto index = t.index();
    REQUIRE(index.size() == 2);
    CHECK(index[0].number == 0);
    CHECK(index[1].number == 1);
}
