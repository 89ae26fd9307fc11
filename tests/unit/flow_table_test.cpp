// SPDX-License-Identifier: MIT
// FlowTable: identity by whole key even when hashes collide; erase keeps every
// other key reachable (checked against std::map over random operations).
#include <traceflow/detail/flow_table.hpp>

#include <map>
#include <random>

#include "test_catch.hpp"

using traceflow::detail::FlowTable;

TEST_CASE("colliding hashes never merge keys", "[flow_table]") {
    FlowTable<int> table(16);
    const std::uint64_t same_hash = 0xDEADBEEF00000000ULL;
    for (int k = 0; k < 100; ++k) CHECK(table.try_emplace(k, same_hash, static_cast<std::uint32_t>(k)).second);
    CHECK(table.size() == 100);
    for (int k = 0; k < 100; ++k) {
        const auto* v = table.find(k, same_hash);
        REQUIRE(v != nullptr);
        CHECK(*v == static_cast<std::uint32_t>(k));
    }
    CHECK(table.find(100, same_hash) == nullptr);
    for (int k = 0; k < 100; k += 2) table.erase(k, same_hash);
    for (int k = 0; k < 100; ++k) CHECK((table.find(k, same_hash) != nullptr) == (k % 2 == 1));
}

TEST_CASE("random inserts and erases agree with std::map", "[flow_table][property]") {
    std::mt19937_64 rng(7);
    FlowTable<std::uint64_t> table(16);
    std::map<std::uint64_t, std::uint32_t> model;
    // A deliberately weak hash (few distinct values) makes long probe runs and wrap-around.
    const auto weak_hash = [](std::uint64_t k) { return (k % 37) << 32 | (k % 37); };
    for (int step = 0; step < 200000; ++step) {
        const std::uint64_t key = rng() % 3000;
        if (rng() % 3 == 0) {
            table.erase(key, weak_hash(key));
            model.erase(key);
        } else {
            const auto value = static_cast<std::uint32_t>(step);
            const auto [slot, inserted] = table.try_emplace(key, weak_hash(key), value);
            const auto [it, model_inserted] = model.emplace(key, value);
            REQUIRE(inserted == model_inserted);
            REQUIRE(*slot == it->second);
        }
        if (step % 10000 == 0) {
            REQUIRE(table.size() == model.size());
            for (std::uint64_t k = 0; k < 3000; ++k) {
                const auto* v = table.find(k, weak_hash(k));
                const auto it = model.find(k);
                REQUIRE((v != nullptr) == (it != model.end()));
                if (v != nullptr) REQUIRE(*v == it->second);
            }
        }
    }
}
