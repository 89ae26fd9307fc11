// SPDX-License-Identifier: MIT
// FlowTable: identity by whole key even when hashes collide; erase keeps every
// other key reachable (checked against std::map over random operations).
#include <traceflow/detail/containers/flow_table.hpp>

#include <map>
#include <random>
#include <vector>

#include "test_catch.hpp"

using traceflow::detail::containers::FlowTable;

TEST_CASE("colliding hashes never merge keys", "[flow_table]") {
    FlowTable table(16);
    std::vector<int> key_of;  // the keys live outside the table, by value
    const std::uint64_t same_hash = 0xDEADBEEF00000000ULL;
    const auto find = [&](int k) { return table.find(same_hash, [&](std::uint32_t v) { return key_of[v] == k; }); };
    for (int k = 0; k < 100; ++k) {
        CHECK(find(k) == nullptr);
        key_of.push_back(k);
        table.insert(same_hash, static_cast<std::uint32_t>(k));
    }
    CHECK(table.size() == 100);
    for (int k = 0; k < 100; ++k) {
        const auto* v = find(k);
        REQUIRE(v != nullptr);
        CHECK(*v == static_cast<std::uint32_t>(k));
    }
    CHECK(find(100) == nullptr);
    CHECK(table.candidate(same_hash) < 100);  // one of the values stored under that tag
    CHECK(table.candidate(0x1234567800000000ULL) == FlowTable::none);
    for (int k = 0; k < 100; k += 2) table.erase(same_hash, static_cast<std::uint32_t>(k));
    for (int k = 0; k < 100; ++k) CHECK((find(k) != nullptr) == (k % 2 == 1));
    CHECK(table.size() == 50);
    CHECK(table.candidate(same_hash) % 2 == 1);  // only odd ones are left
    for (int k = 1; k < 100; k += 2) table.erase(same_hash, static_cast<std::uint32_t>(k));
    CHECK(table.size() == 0);
    CHECK(table.candidate(same_hash) == FlowTable::none);
}

TEST_CASE("random inserts and erases agree with std::map", "[flow_table][property]") {
    std::mt19937_64 rng(7);
    FlowTable table(16);
    std::map<std::uint64_t, std::uint32_t> model;
    std::vector<std::uint64_t> key_of;  // value -> key (values are step numbers)
    // A deliberately weak hash (few distinct values) makes long probe runs and wrap-around.
    const auto weak_hash = [](std::uint64_t k) { return (k % 37) << 32 | (k % 37); };
    const auto find = [&](std::uint64_t k) {
        return table.find(weak_hash(k), [&](std::uint32_t v) { return key_of[v] == k; });
    };
    for (int step = 0; step < 200000; ++step) {
        const std::uint64_t key = rng() % 3000;
        const auto value = static_cast<std::uint32_t>(step);
        key_of.push_back(key);
        const auto* found = find(key);
        const auto it = model.find(key);
        REQUIRE((found != nullptr) == (it != model.end()));
        if (found != nullptr) REQUIRE(*found == it->second);
        if (rng() % 3 == 0) {
            if (found != nullptr) table.erase(weak_hash(key), *found);
            model.erase(key);
        } else if (found == nullptr) {
            table.insert(weak_hash(key), value);
            model.emplace(key, value);
        }
        if (step % 10000 == 0) {
            REQUIRE(table.size() == model.size());
            for (std::uint64_t k = 0; k < 3000; ++k) {
                const auto* v = find(k);
                const auto m = model.find(k);
                REQUIRE((v != nullptr) == (m != model.end()));
                if (v != nullptr) REQUIRE(*v == m->second);
            }
        }
    }
}
