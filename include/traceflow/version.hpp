// SPDX-License-Identifier: MIT
// The library version (kept equal to the CMake project version).
#pragma once

#define TRACEFLOW_VERSION_MAJOR 0
#define TRACEFLOW_VERSION_MINOR 1
#define TRACEFLOW_VERSION_PATCH 0

namespace traceflow {

/// "major.minor.patch".
inline constexpr const char* version_string = "0.1.0";

}  // namespace traceflow
