// SPDX-License-Identifier: MIT
// The CLI's listing of ended flows: on two threads, the same lines in the same
// order as on one, whatever the chunking, bounds and failures.
#include <traceflow/ended_flows.hpp>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../tools/traceflow/ended_listing.hpp"
#include "test_catch.hpp"

namespace {

// A record as the tracer keeps them: a key-made label, a few or many frames,
// any end reason, statistics or none.
traceflow::Index random_flow(std::mt19937_64& rng, bool with_stats) {
    traceflow::Index r;
    r.id.src = traceflow::IpAddress::v4(static_cast<std::uint32_t>(rng()));
    r.id.dst = traceflow::IpAddress::v4(static_cast<std::uint32_t>(rng()));
    r.id.srcport = static_cast<std::uint16_t>(rng());
    r.id.dstport = static_cast<std::uint16_t>(rng());
    r.label = traceflow::make_label(r.id.src, r.id.srcport, r.id.dst, r.id.dstport,
                                    traceflow::Timestamp{static_cast<std::int64_t>(rng() % 2000000000), 0});
    const std::size_t frames = rng() % 7 == 0 ? rng() % 3000 : 1 + rng() % 40;
    std::uint64_t f = rng() % 100000;
    for (std::size_t i = 0; i < frames; ++i) r.index.push_back(f += 1 + rng() % 50);
    r.reason = static_cast<traceflow::EndReason>(1 + rng() % 8);
    if (with_stats) {
        auto s = std::make_shared<traceflow::FlowStats>();
        s->packets = {rng() % 100, rng() % 100};
        s->bytes = {rng() % 100000, rng() % 100000};
        s->history = "ShAD";
        s->conn_state = "SF";
        r.stats = s;
    }
    return r;
}

}  // namespace

TEST_CASE("cli: ended flows listed on two threads give one thread's lines, in order", "[cli_listing]") {
    using cli::Listing;
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
        std::mt19937_64 rng(seed);
        traceflow::EndedFlows flows;
        const std::size_t count = seed == 1 ? 0 : seed == 2 ? 5 : 1500;
        for (std::size_t i = 0; i < count; ++i) flows.push_back(random_flow(rng, i % 3 == 0));
        for (const Listing listing : {Listing::table, Listing::json, Listing::csv}) {
            for (const bool stats : {false, true}) {
                // What one line per record, read one by one, gives.
                std::string expected = "open flows\n";
                cli::ReasonCounts expected_counts{};
                for (std::size_t i = 0; i < flows.size(); ++i) {
                    cli::append_flow_line(expected, flows[i], listing, stats, 70);
                    cli::count_reason(expected_counts, flows[i]);
                }
                std::vector<cli::EndedListingPlan> plans(1);  // one thread
                for (const std::size_t chunk : {1u, 3u, 64u, 512u})
                    for (const std::size_t ahead : {1u, 2u, 64u})
                        for (const std::size_t bytes : {0u, 500u, 1u << 20}) {
                            cli::EndedListingPlan p;
                            p.two_threads = true;
                            p.chunk_records = chunk;
                            p.chunks_ahead = ahead;
                            p.bytes_ahead = bytes;
                            p.flush_bytes = chunk == 3 ? 1 : 4096;
                            plans.push_back(p);
                        }
                for (const cli::EndedListingPlan& plan : plans) {
                    std::string out;
                    std::size_t emits = 0;
                    cli::ReasonCounts counts{};
                    cli::list_ended_flows([&] { out += "open flows\n"; }, flows, listing, stats, 70, counts, plan,
                                          [&](const std::string& text) {
                                              CHECK(!text.empty());
                                              out += text;
                                              ++emits;
                                          });
                    INFO("seed " << seed << ", chunk " << plan.chunk_records << ", ahead " << plan.chunks_ahead
                                 << ", bytes " << plan.bytes_ahead << ", two threads " << plan.two_threads);
                    REQUIRE(out == expected);
                    CHECK(counts == expected_counts);
                    // Two threads: each chunk is handed over on its own, never merged.
                    if (plan.two_threads) CHECK(emits >= (flows.size() + plan.chunk_records - 1) / plan.chunk_records);
                }
            }
        }
    }
}

TEST_CASE("cli: a failing emit ends the two-thread listing with its exception", "[cli_listing]") {
    std::mt19937_64 rng(7);
    traceflow::EndedFlows flows;
    for (std::size_t i = 0; i < 3000; ++i) flows.push_back(random_flow(rng, false));
    for (const std::size_t fail_at : {0u, 1u, 5u, 40u}) {
        cli::EndedListingPlan plan;
        plan.two_threads = true;
        plan.chunk_records = 16;
        plan.chunks_ahead = 4;
        std::size_t emits = 0;
        cli::ReasonCounts counts{};
        const auto list = [&] {
            cli::list_ended_flows([] {}, flows, cli::Listing::json, false, 64, counts, plan,
                                  [&](const std::string&) {
                                      if (emits++ == fail_at) throw std::runtime_error("closed");
                                  });
        };
        CHECK_THROWS_AS(list(), std::runtime_error);
        CHECK(emits == fail_at + 1);
    }
    // list_before failing: nothing is emitted, the helper stops.
    cli::EndedListingPlan plan;
    plan.two_threads = true;
    cli::ReasonCounts counts{};
    std::size_t emits = 0;
    CHECK_THROWS_AS(cli::list_ended_flows([] { throw std::runtime_error("open flows"); }, flows, cli::Listing::table,
                                          false, 64, counts, plan, [&](const std::string&) { ++emits; }),
                    std::runtime_error);
    CHECK(emits == 0);
}

TEST_CASE("cli: counts in messages are singular for one", "[cli][cli_listing]") {
    CHECK(cli::count_of(0, "flow") == "0 flows");
    CHECK(cli::count_of(1, "flow") == "1 flow");
    CHECK(cli::count_of(2, "TCP frame") == "2 TCP frames");
    CHECK(cli::count_of(1, "TCP frame") == "1 TCP frame");
}

TEST_CASE("cli: the progress line gives a file's size and percent read, a stream's bytes", "[cli][cli_listing]") {
    CHECK(cli::progress_line("f.pcap", 12'345'678, 100'000'000, 45000) ==
          "f.pcap: 12.3 MB of 100.0 MB (12%), 45000 frames");
    CHECK(cli::progress_line("f.pcap", 100'000'000, 100'000'000, 1) == "f.pcap: 100.0 MB of 100.0 MB (100%), 1 frame");
    CHECK(cli::progress_line("f.pcap", 0, 2'000'000, 0) == "f.pcap: 0.0 MB of 2.0 MB (0%), 0 frames");
    // read past a size taken earlier (a file still growing): never above 100%
    CHECK(cli::progress_line("f.pcap", 3'000'000, 2'000'000, 7) == "f.pcap: 3.0 MB of 2.0 MB (100%), 7 frames");
    // a stream: its size is not known (0)
    CHECK(cli::progress_line("-", 12'345'678, 0, 45000) == "-: 45000 frames, 12.3 MB");
}
