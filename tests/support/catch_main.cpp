// SPDX-License-Identifier: MIT
// Catch2 v2 builds without a Catch2WithMain target get their main() here.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
