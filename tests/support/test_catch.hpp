// SPDX-License-Identifier: MIT
// One include for Catch2 v2 (Debian's 2.13) and v3, and TESTUTIL_SKIP.
#pragma once

#if defined(TRACEFLOW_CATCH2_V3)
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#else
#include <catch2/catch.hpp>
#endif

// The suite runs with `--warn NoAssertions`: a test case that checks nothing
// fails. A test that cannot run here says so and ends with TESTUTIL_SKIP(why):
// Catch2 >= 3.3 skips it; older Catch2 (no SKIP) prints "SKIPPED: why", which
// CTest's SKIP_REGULAR_EXPRESSION reports as a skipped test.
#if defined(SKIP)
#define TESTUTIL_SKIP(why) SKIP(why)
#else
#define TESTUTIL_SKIP(why)        \
    do {                          \
        WARN("SKIPPED: " << why); \
        SUCCEED("skipped");       \
        return;                   \
    } while (false)
#endif
