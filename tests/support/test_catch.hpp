// SPDX-License-Identifier: MIT
// One include for Catch2 v2 (Debian's 2.13) and v3.
#pragma once

#if defined(TRACEFLOW_CATCH2_V3)
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#else
#include <catch2/catch.hpp>
#endif
