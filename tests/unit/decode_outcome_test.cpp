// SPDX-License-Identifier: MIT
// Outcome: the stable names summaries print.
#include <traceflow/decode/outcome.hpp>

#include <cstring>
#include <set>
#include <string>

#include "test_catch.hpp"

using traceflow::decode::Outcome;

TEST_CASE("outcome names are stable", "[decode]") {
    CHECK(std::strcmp(to_string(Outcome::tcp), "tcp") == 0);
    CHECK(std::strcmp(to_string(Outcome::not_ip), "not-ip") == 0);
    CHECK(std::strcmp(to_string(Outcome::not_tcp), "not-tcp") == 0);
    CHECK(std::strcmp(to_string(Outcome::fragment), "fragment") == 0);
    CHECK(std::strcmp(to_string(Outcome::truncated), "truncated") == 0);
    CHECK(std::strcmp(to_string(Outcome::malformed), "malformed") == 0);
    CHECK(std::strcmp(to_string(Outcome::unsupported_link), "unsupported-link") == 0);
}

TEST_CASE("outcome_count covers every outcome, each with its own name", "[decode]") {
    std::set<std::string> names;
    for (std::size_t i = 0; i < traceflow::decode::outcome_count; ++i) {
        names.insert(to_string(static_cast<Outcome>(i)));
    }
    CHECK(names.size() == traceflow::decode::outcome_count);
    CHECK(names.count("unknown") == 0);
    CHECK(std::strcmp(to_string(static_cast<Outcome>(traceflow::decode::outcome_count)), "unknown") == 0);
}
