// SPDX-License-Identifier: MIT
// FrameNumbers: exact round trips of any sequence, the container API, and its memory bound.
#include <traceflow/frame_numbers.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <numeric>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

#include "test_catch.hpp"

using traceflow::FrameNumbers;

namespace {

constexpr std::uint64_t max64 = std::numeric_limits<std::uint64_t>::max();

// A sequence of one of several shapes: increasing by small or large steps,
// decreasing, extremes (0, UINT64_MAX) and huge jumps either way, or any value.
std::vector<std::uint64_t> random_sequence(std::mt19937_64& rng) {
    const std::size_t n = rng() % 600;
    std::vector<std::uint64_t> v;
    std::uint64_t x = rng() % 4 == 0 ? 0 : rng() >> (rng() % 64);
    const unsigned shape = static_cast<unsigned>(rng() % 5);
    for (std::size_t i = 0; i < n; ++i) {
        switch (shape) {
            case 0: x += 1 + rng() % 3; break;                                         // small steps up
            case 1: x += rng() % 8 == 0 ? rng() >> (rng() % 64) : rng() % 200; break;  // mixed steps up
            case 2: x -= 1 + rng() % 1000; break;                                      // down (wrapping past 0)
            case 3: {                                                                  // extremes and huge jumps
                const std::uint64_t picks[] = {0, max64, max64 - 1, 1, std::uint64_t{1} << 63, rng()};
                x = picks[rng() % 6];
                break;
            }
            default: x = rng() >> (rng() % 64); break;  // any order
        }
        v.push_back(x);
    }
    return v;
}

FrameNumbers from(const std::vector<std::uint64_t>& v) {
    FrameNumbers f;
    for (const std::uint64_t x : v) f.push_back(x);
    return f;
}

}  // namespace

TEST_CASE("FrameNumbers gives back any sequence exactly", "[frame_numbers]") {
    for (std::uint64_t seed = 1; seed <= 400; ++seed) {
        std::mt19937_64 rng(seed);
        const std::vector<std::uint64_t> want = random_sequence(rng);
        const FrameNumbers got = from(want);
        INFO("seed " << seed << ", " << want.size() << " numbers");
        REQUIRE(got.size() == want.size());
        REQUIRE(got.empty() == want.empty());
        REQUIRE(got.to_vector() == want);
        REQUIRE(std::vector<std::uint64_t>(got.begin(), got.end()) == want);
        REQUIRE(static_cast<std::size_t>(std::distance(got.begin(), got.end())) == want.size());
        REQUIRE(got == want);
        REQUIRE(want == got);
        REQUIRE_FALSE(got != want);
        if (!want.empty()) {
            CHECK(got.front() == want.front());
            CHECK(got.back() == want.back());
            CHECK(got.bytes_used() <= 10 * want.size());
            CHECK(got.bytes_used() <= got.bytes_allocated());
            // A sequence one number longer or with one number changed differs.
            std::vector<std::uint64_t> longer = want;
            longer.push_back(rng());
            CHECK(got != longer);
            CHECK(longer != got);
            std::vector<std::uint64_t> changed = want;
            changed[rng() % changed.size()] ^= std::uint64_t{1} << (rng() % 64);
            CHECK(got != changed);
            CHECK_FALSE(got == from(changed));
        }
        std::uint64_t sum = 0, want_sum = 0;
        for (const std::uint64_t x : got) sum += x;
        for (const std::uint64_t x : want) want_sum += x;
        CHECK(sum == want_sum);
        CHECK(std::accumulate(got.cbegin(), got.cend(), std::uint64_t{0}) == want_sum);
    }
}

TEST_CASE("FrameNumbers round-trips the extremes of the value range", "[frame_numbers]") {
    const std::vector<std::uint64_t> edges{0,
                                           max64,
                                           0,
                                           max64,
                                           max64 - 1,
                                           1,
                                           std::uint64_t{1} << 63,
                                           0,
                                           (std::uint64_t{1} << 63) - 1,
                                           std::uint64_t{1} << 63,
                                           5,
                                           5,
                                           5};
    const FrameNumbers f = from(edges);
    CHECK(f.to_vector() == edges);
    CHECK(f.front() == 0);
    CHECK(f.back() == 5);
    CHECK(FrameNumbers{max64}.front() == max64);
    CHECK(FrameNumbers{max64}.back() == max64);
    CHECK(FrameNumbers{0}.to_vector() == std::vector<std::uint64_t>{0});
}

TEST_CASE("FrameNumbers compares by content", "[frame_numbers]") {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 100; ++i) {
        const std::vector<std::uint64_t> a = random_sequence(rng), b = random_sequence(rng);
        CHECK((from(a) == from(b)) == (a == b));
        CHECK((from(a) != from(b)) == (a != b));
        CHECK(from(a) == from(a));
    }
    CHECK(FrameNumbers{} == FrameNumbers{});
    CHECK(FrameNumbers{} == std::vector<std::uint64_t>{});
    CHECK(FrameNumbers{1, 2} != FrameNumbers{1});
    CHECK(FrameNumbers{1, 2} != FrameNumbers{2, 1});
}

TEST_CASE("FrameNumbers copies, moves and clears", "[frame_numbers]") {
    std::mt19937_64 rng(11);
    for (int i = 0; i < 50; ++i) {
        const std::vector<std::uint64_t> want = random_sequence(rng);
        FrameNumbers original = from(want);
        FrameNumbers copy(original);
        CHECK(copy == want);
        CHECK(copy == original);
        // The copy is independent: appending to it leaves the original as it was.
        copy.push_back(42);
        CHECK(original == want);
        CHECK(copy.size() == want.size() + 1);
        CHECK(copy.back() == 42);

        FrameNumbers assigned{9, 8, 7};
        assigned = original;
        CHECK(assigned == want);
        const FrameNumbers& alias = assigned;
        assigned = alias;  // self-assignment keeps the numbers
        CHECK(assigned == want);

        FrameNumbers moved(std::move(original));
        CHECK(moved == want);
        CHECK(original.empty());  // NOLINT(bugprone-use-after-move): documented as left empty
        CHECK(original.bytes_allocated() == 0);
        original.push_back(3);  // a moved-from sequence is usable
        CHECK(original == std::vector<std::uint64_t>{3});

        FrameNumbers target{1};
        target = std::move(moved);
        CHECK(target == want);
        CHECK(moved.empty());  // NOLINT(bugprone-use-after-move)

        target.clear();
        CHECK(target.empty());
        CHECK(target.size() == 0);
        CHECK(target.bytes_allocated() == 0);
        CHECK(target.begin() == target.end());
        target.push_back(max64);
        CHECK(target == std::vector<std::uint64_t>{max64});
    }
    static_assert(std::is_nothrow_move_constructible_v<FrameNumbers>);
    static_assert(std::is_nothrow_move_assignable_v<FrameNumbers>);
}

TEST_CASE("FrameNumbers takes about one byte per frame for small steps, in one block", "[frame_numbers][memory]") {
    STATIC_REQUIRE(sizeof(FrameNumbers) <= 32);
    FrameNumbers f;
    CHECK(f.bytes_allocated() == 0);  // nothing allocated before the first number
    std::size_t last_block = 0;
    for (std::uint64_t frame = 1; frame <= 100000; ++frame) {
        f.push_back(frame);
        const std::size_t block = f.bytes_allocated();
        if (block != last_block) {
            // Geometric growth, about 1.5x; the first block is small.
            if (last_block == 0)
                CHECK(block <= 32);
            else
                CHECK((block >= last_block * 5 / 4 && block <= last_block * 2));
            last_block = block;
        }
    }
    // +1 steps: the first number and every delta fit in one byte.
    CHECK(f.bytes_used() == 100000);
    CHECK(f.bytes_allocated() <= f.bytes_used() * 3 / 2 + 32);
    CHECK(f.back() == 100000);
    CHECK(f.front() == 1);

    // Steps under 64 stay at one byte a frame from any start (here a large one).
    FrameNumbers g;
    std::mt19937_64 rng(3);
    std::uint64_t x = std::uint64_t{1} << 40;
    g.push_back(x);
    const std::size_t first = g.bytes_used();
    for (int i = 0; i < 10000; ++i) g.push_back(x += rng() % 64);
    CHECK(g.bytes_used() == first + 10000);

    // reserve_bytes: room for that many bytes with no further growth.
    FrameNumbers r;
    r.reserve_bytes(1000);
    const std::size_t reserved = r.bytes_allocated();
    CHECK(reserved >= 1000);
    for (std::uint64_t frame = 1; frame <= 1000; ++frame) r.push_back(frame);
    CHECK(r.bytes_allocated() == reserved);
    CHECK(r.to_vector().size() == 1000);
}

TEST_CASE("FrameNumbers iterators work with standard algorithms", "[frame_numbers]") {
    const FrameNumbers f{3, 1, 4, 1, 5, 9, 2, 6};
    CHECK(std::count(f.begin(), f.end(), std::uint64_t{1}) == 2);
    CHECK(*std::max_element(f.begin(), f.end()) == 9);
    CHECK(std::find(f.begin(), f.end(), std::uint64_t{5}) != f.end());
    CHECK(std::find(f.begin(), f.end(), std::uint64_t{7}) == f.end());
    auto it = f.begin();
    const auto old = it++;
    CHECK(*old == 3);
    CHECK(*it == 1);
    CHECK(old != it);
    std::vector<std::uint64_t> copied;
    std::copy(f.begin(), f.end(), std::back_inserter(copied));
    CHECK(copied == std::vector<std::uint64_t>{3, 1, 4, 1, 5, 9, 2, 6});
    CHECK(std::is_same_v<std::iterator_traits<FrameNumbers::const_iterator>::value_type, std::uint64_t>);
}
