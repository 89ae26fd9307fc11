// SPDX-License-Identifier: MIT
// Expiry whatever the time order: the deadline heap against a stable sorted
// list, and the tcp lifecycle on captures whose time steps back (files joined
// with `mergecap -a`) against a naive model of the linger.
#include <traceflow/detail/containers/deadline_heap.hpp>
#include <traceflow/trace_flow.hpp>

#include <algorithm>
#include <cstdint>
#include <list>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "test_catch.hpp"
#include "test_util.hpp"

namespace {

// The naive reference: a list kept sorted by deadline, equal deadlines in insertion order.
struct SortedList {
    std::list<std::pair<std::int64_t, std::uint32_t>> items;
    void push(std::uint32_t slot, std::int64_t deadline) {
        auto at = items.end();
        while (at != items.begin() && std::prev(at)->first > deadline) --at;
        items.insert(at, {deadline, slot});
    }
    void erase(std::uint32_t slot) {
        items.remove_if([&](const auto& e) { return e.second == slot; });
    }
};

}  // namespace

TEST_CASE("the deadline heap pops in the order of a stable sorted list", "[expiry][property]") {
    std::mt19937_64 rng(GENERATE(1u, 2u, 3u, 4u));
    traceflow::detail::containers::DeadlineHeap heap;
    SortedList reference;
    std::vector<bool> in(64, false);
    for (int step = 0; step < 20000; ++step) {
        const auto slot = static_cast<std::uint32_t>(rng() % 64);
        const int op = static_cast<int>(rng() % 3);
        if (op == 0 && !in[slot]) {
            const auto deadline = static_cast<std::int64_t>(rng() % 50);  // many ties
            heap.push(slot, deadline);
            reference.push(slot, deadline);
            in[slot] = true;
        } else if (op == 1) {
            heap.erase(slot);
            reference.erase(slot);
            in[slot] = false;
        } else if (!reference.items.empty()) {
            REQUIRE_FALSE(heap.empty());
            CHECK(heap.top() == reference.items.front().second);
            CHECK(heap.top_deadline() == reference.items.front().first);
            const std::uint32_t top = heap.top();
            heap.erase(top);
            reference.items.pop_front();
            in[top] = false;
        }
        REQUIRE(heap.size() == reference.items.size());
    }
}

TEST_CASE("lingers end as a naive model says when capture time steps back", "[expiry][lifecycle][property]") {
    // Four "files" of 150 connections each, every file starting 5-12 s before
    // the one before it ended (mergecap -a of overlapping recordings), so the
    // clock stalls, then passes deadlines given while it stood still;
    // connections overlap and linger together.
    std::mt19937_64 rng(GENERATE(7u, 8u, 9u));
    struct Seg {
        std::int64_t ms;
        std::uint32_t conn;
        int kind;  // 0 SYN, 1 SYN-ACK, 2 data, 3 client FIN, 4 server FIN, 5 last ACK
    };
    std::vector<Seg> capture;
    std::uint32_t conn = 0;
    for (int file = 0; file < 4; ++file) {
        std::vector<Seg> segs;
        const std::int64_t base = 1'000'000 + file * 15'000;
        for (int i = 0; i < 150; ++i, ++conn) {
            std::int64_t t = base + static_cast<std::int64_t>(rng() % 20'000);
            for (int kind = 0; kind < 6; ++kind) {
                segs.push_back({t, conn, kind});
                t += static_cast<std::int64_t>(rng() % 1'500);
            }
        }
        std::stable_sort(segs.begin(), segs.end(), [](const Seg& a, const Seg& b) { return a.ms < b.ms; });
        capture.insert(capture.end(), segs.begin(), segs.end());
    }

    traceflow::TraceFlowOptions options;
    options.keying = traceflow::FlowKeying::bidirectional;
    options.lifecycle = traceflow::Lifecycle::tcp;
    options.warning = nullptr;
    traceflow::TraceFlow<> tracer(options);
    std::vector<std::uint32_t> ended;
    tracer.register_callback([&](const traceflow::Index& i) { ended.push_back(i.id.srcport - 10000u); });

    // The model: clock = latest time seen; a connection ends fin_linger after its
    // second FIN, once the clock passes that; deadlines in order, ties by arrival.
    const std::int64_t linger = std::chrono::duration_cast<std::chrono::milliseconds>(options.fin_linger).count();
    SortedList model;
    std::vector<std::uint32_t> expected;
    std::vector<std::uint32_t> opening;
    std::vector<bool> seen(conn, false);
    std::int64_t clock = INT64_MIN;
    std::uint64_t index = 0;
    for (const Seg& s : capture) {
        if (s.ms > clock) {
            clock = s.ms;
            while (!model.items.empty() && model.items.front().first <= clock) {
                expected.push_back(model.items.front().second);
                model.items.pop_front();
            }
        }
        if (!seen[s.conn]) {
            seen[s.conn] = true;
            opening.push_back(s.conn);
        }
        if (s.kind == 4) model.push(s.conn, s.ms + linger);
        const bool client = s.kind == 0 || s.kind == 2 || s.kind == 3 || s.kind == 5;
        const auto port = static_cast<std::uint16_t>(10000 + s.conn);
        auto p =
            testutil::make_packet(++index, client ? "10.0.0.1" : "10.0.0.2", client ? port : 80,
                                  client ? "10.0.0.2" : "10.0.0.1", client ? 80 : port, s.kind <= 1,
                                  s.kind == 3 || s.kind == 4, traceflow::Timestamp::from_nanoseconds(s.ms * 1'000'000));
        p.tcp.ack = s.kind != 0;
        p.tcp.seq = 1000 + s.conn;
        tracer.trace(p);
    }
    for (const std::uint32_t c : opening)
        if (std::find(expected.begin(), expected.end(), c) == expected.end()) expected.push_back(c);
    tracer.end_of_input();

    REQUIRE(ended.size() == conn);  // one flow per connection, none split
    CHECK(ended == expected);
    for (const traceflow::Index& flow : tracer.closed()) {
        CHECK(flow.index.size() == 6);
        CHECK(flow.reason == traceflow::EndReason::fin);
    }
}
