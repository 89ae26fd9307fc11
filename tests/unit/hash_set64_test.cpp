// SPDX-License-Identifier: MIT
// HashSet64 (labels in use): agrees with std::set over random inserts and
// erases, including clustered values that wrap around the array.
#include <traceflow/detail/containers/hash_set64.hpp>

#include <random>
#include <set>

#include "test_catch.hpp"

using traceflow::detail::containers::HashSet64;

TEST_CASE("random inserts and erases agree with std::set", "[hash_set64][property]") {
    std::mt19937_64 rng(11);
    HashSet64 set;
    std::set<std::uint64_t> model;
    for (int step = 0; step < 200000; ++step) {
        // Values sharing their low bits pile into one probe run; some sit at the array's end.
        const std::uint64_t value = rng() % 2 == 0 ? (rng() % 4000) << 20 : ~std::uint64_t{0} - rng() % 64;
        if (rng() % 3 == 0) {
            set.erase(value);
            model.erase(value);
        } else {
            REQUIRE(set.insert(value) == model.insert(value).second);
        }
        if (step % 10000 == 0) {
            REQUIRE(set.size() == model.size());
            for (const std::uint64_t v : model) REQUIRE(set.contains(v));
            for (int probe = 0; probe < 1000; ++probe) {
                const std::uint64_t v = (rng() % 4000) << 20;
                REQUIRE(set.contains(v) == (model.count(v) != 0));
            }
        }
    }
}

TEST_CASE("zero is a value like any other", "[hash_set64]") {
    HashSet64 set;
    CHECK_FALSE(set.contains(0));
    CHECK(set.insert(0));
    CHECK(set.contains(0));
    CHECK_FALSE(set.insert(0));
    set.erase(0);
    CHECK_FALSE(set.contains(0));
    CHECK(set.size() == 0);
}
