// SPDX-License-Identifier: MIT
// Timestamp: exact parse, decimal text and Python's float repr.
#include <traceflow/timestamp.hpp>

#include <climits>

#include "test_catch.hpp"

using traceflow::Timestamp;

TEST_CASE("python repr of capture times", "[timestamp]") {
    const auto repr = [](const char* text) { return Timestamp::parse(text).value().to_python_repr(); };
    CHECK(repr("1466797060") == "1466797060.0");
    CHECK(repr("0") == "0.0");
    CHECK(repr("1511106549.913720") == "1511106549.91372");
    CHECK(repr("1795659925.639275800") == "1795659925.6392758");
    CHECK(repr("0.00001") == "1e-05");
    CHECK(repr("0.0001") == "0.0001");
    CHECK(repr("0.000123") == "0.000123");
    CHECK(repr("123.5") == "123.5");
    // Nanosecond times are rounded to the nearest double first, as Python does.
    CHECK(repr("1600000000.123456789") == "1600000000.1234567");
}

TEST_CASE("python repr switches to exponent form from 1e16", "[timestamp]") {
    CHECK(traceflow::detail::text::python_repr(1e16) == "1e+16");
    CHECK(traceflow::detail::text::python_repr(9999999999999998.0) == "9999999999999998.0");
    CHECK(traceflow::detail::text::python_repr(1.5e-5) == "1.5e-05");
    CHECK(traceflow::detail::text::python_repr(-2.5) == "-2.5");
    CHECK(traceflow::detail::text::python_repr(1e100) == "1e+100");
}

TEST_CASE("timestamp parse and decimal text round-trip", "[timestamp]") {
    const Timestamp t = Timestamp::parse("12.5").value();
    CHECK(t.sec == 12);
    CHECK(t.nsec == 500'000'000u);
    CHECK(t.to_decimal() == "12.500000000");
    const Timestamp n = Timestamp::parse("-1.25").value();
    CHECK(n.sec == -2);
    CHECK(n.nsec == 750'000'000u);
    CHECK(n.to_decimal() == "-1.250000000");
    CHECK_FALSE(Timestamp::parse("").has_value());
    CHECK_FALSE(Timestamp::parse("1.2x").has_value());
    CHECK_FALSE(Timestamp::parse("abc").has_value());
    CHECK(Timestamp::from_nanoseconds(-1) == Timestamp{-1, 999'999'999});
    // Any 64-bit second prints and saturates without overflow.
    CHECK(Timestamp{INT64_MIN, 0}.to_decimal() == "-9223372036854775808.000000000");
    CHECK(Timestamp{INT64_MAX, 999'999'999}.to_decimal() == "9223372036854775807.999999999");
    CHECK(Timestamp{INT64_MAX, 0}.total_nanoseconds() == INT64_MAX);
    CHECK(Timestamp{INT64_MIN, 0}.total_nanoseconds() == INT64_MIN);
    CHECK(Timestamp{INT64_MAX, 0}.to_python_repr() == "9.223372036854776e+18");
    CHECK(Timestamp::from_nanoseconds(1'500'000'000).total_nanoseconds() == 1'500'000'000);
}

TEST_CASE("timestamps order by seconds then nanoseconds", "[timestamp]") {
    CHECK(Timestamp{1, 5} < Timestamp{2, 0});
    CHECK(Timestamp{1, 5} < Timestamp{1, 6});
    CHECK_FALSE(Timestamp{1, 6} < Timestamp{1, 6});
    CHECK(Timestamp{1, 6} == Timestamp{1, 6});
}
