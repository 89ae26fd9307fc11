// SPDX-License-Identifier: MIT
// TimeResolution: if_tsresol decoding and exact 64-bit conversion of timestamp counts.
#include <traceflow/io/time_resolution.hpp>

#include <cstdint>

#include "test_catch.hpp"

using traceflow::Timestamp;
using traceflow::io::TimeResolution;

TEST_CASE("if_tsresol decodes base and exponent, rejecting what 64 bits cannot hold", "[io]") {
    CHECK(TimeResolution() == TimeResolution::microseconds());
    CHECK(TimeResolution::from_if_tsresol(6) == TimeResolution::microseconds());
    CHECK(TimeResolution::from_if_tsresol(9) == TimeResolution::nanoseconds());
    const auto binary = TimeResolution::from_if_tsresol(0x8A);
    REQUIRE(binary.has_value());
    CHECK(binary->binary());
    CHECK(binary->exponent() == 10);
    CHECK(TimeResolution::from_if_tsresol(19).has_value());
    CHECK_FALSE(TimeResolution::from_if_tsresol(20).has_value());
    CHECK(TimeResolution::from_if_tsresol(0x80 | 63).has_value());
    CHECK_FALSE(TimeResolution::from_if_tsresol(0x80 | 64).has_value());
    CHECK_FALSE(TimeResolution::from_if_tsresol(0xFF).has_value());
    CHECK_FALSE(TimeResolution::from_if_tsresol(0x7F).has_value());
}

TEST_CASE("every decimal resolution converts exactly; finer than ns truncates", "[io]") {
    constexpr std::uint64_t max = 0xFFFF'FFFF'FFFF'FFFF;
    for (int n = 0; n <= 19; ++n) {
        CAPTURE(n);
        const TimeResolution r = *TimeResolution::from_if_tsresol(static_cast<std::uint8_t>(n));
        std::uint64_t per_second = 1;
        for (int i = 0; i < n; ++i) per_second *= 10;
        // One unit past a whole number of seconds (for n = 0 the unit is a second).
        const std::uint64_t seconds = max / per_second / 4;
        const Timestamp t = r.to_timestamp(seconds * per_second + 1);
        CHECK(t.sec == static_cast<std::int64_t>(n == 0 ? seconds + 1 : seconds));
        std::uint64_t ns_per_unit = 1;
        for (int i = n; i < 9; ++i) ns_per_unit *= 10;
        CHECK(t.nsec == (n == 0 || n > 9 ? 0u : ns_per_unit));
        const Timestamp m = r.to_timestamp(max);
        const std::uint64_t max_sec = max / per_second;
        CHECK(m.sec == (max_sec > INT64_MAX ? INT64_MAX : static_cast<std::int64_t>(max_sec)));
        CHECK(m.nsec < 1'000'000'000u);
    }
    CHECK(TimeResolution::nanoseconds().to_timestamp(max) == Timestamp{18'446'744'073, 709'551'615});
    CHECK(TimeResolution::from_if_tsresol(12)->to_timestamp(2'000'000'001'999) == Timestamp{2, 1});
}

TEST_CASE("binary resolutions round to the nearest nanosecond and carry", "[io]") {
    const auto at = [](int n, std::uint64_t units) {
        return TimeResolution::from_if_tsresol(static_cast<std::uint8_t>(0x80 | n))->to_timestamp(units);
    };
    CHECK(at(0, 0xFFFF'FFFF'FFFF'FFFF).sec == INT64_MAX);  // seconds beyond int64 saturate
    CHECK(at(1, 1) == Timestamp{0, 500'000'000});
    CHECK(at(30, 1) == Timestamp{0, 1});                               // 0.93 ns
    CHECK(at(31, 1) == Timestamp{0, 0});                               // 0.47 ns
    CHECK(at(20, (std::uint64_t{3} << 20) | 1) == Timestamp{3, 954});  // 953.67 ns
    CHECK(at(40, std::uint64_t{1} << 39) == Timestamp{0, 500'000'000});
    CHECK(at(63, 0xFFFF'FFFF'FFFF'FFFF) == Timestamp{2, 0});
    for (int n = 1; n <= 63; ++n) {
        CAPTURE(n);
        const std::uint64_t one = std::uint64_t{1} << n;
        const std::uint64_t quarter = one / 4;
        const std::uint64_t s = n >= 61 ? 1 : 5;  // s + 1 whole seconds still fit in 64 bits
        CHECK(at(n, s * one + quarter).sec == static_cast<std::int64_t>(s));
        if (n >= 2) CHECK(at(n, s * one + quarter).nsec == 250'000'000u);
        const Timestamp last = at(n, (s + 1) * one - 1);  // rounds up to the next second when n > 30
        CHECK(last.nsec < 1'000'000'000u);
        CHECK(last.sec == static_cast<std::int64_t>(n > 30 ? s + 1 : s));
    }
}
