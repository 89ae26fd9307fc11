// SPDX-License-Identifier: MIT
// The library version (kept equal to the CMake project version) and the
// versioned namespace every declaration lives in.
#pragma once

#define TRACEFLOW_VERSION_MAJOR 0
#define TRACEFLOW_VERSION_MINOR 1
#define TRACEFLOW_VERSION_PATCH 0

// Everything is declared in an inline namespace named after the version, as
// nlohmann/json does: code compiled against two versions of traceflow fails
// to link instead of mixing layouts at run time. Users still write
// `traceflow::TraceFlow`, and specialise `traceflow::frame_traits` and the
// other traits from namespace traceflow as usual.
#define TRACEFLOW_ABI_CONCAT_(major, minor, patch) v##major##_##minor##_##patch
#define TRACEFLOW_ABI_NAME_(major, minor, patch) TRACEFLOW_ABI_CONCAT_(major, minor, patch)
#define TRACEFLOW_ABI_NAMESPACE \
    TRACEFLOW_ABI_NAME_(TRACEFLOW_VERSION_MAJOR, TRACEFLOW_VERSION_MINOR, TRACEFLOW_VERSION_PATCH)
#define TRACEFLOW_VERSION_STRINGIFY_(major, minor, patch) #major "." #minor "." #patch
#define TRACEFLOW_VERSION_TEXT_(major, minor, patch) TRACEFLOW_VERSION_STRINGIFY_(major, minor, patch)
#define TRACEFLOW_NAMESPACE_BEGIN \
    namespace traceflow {         \
    inline namespace TRACEFLOW_ABI_NAMESPACE {
#define TRACEFLOW_NAMESPACE_END \
    }                           \
    }

TRACEFLOW_NAMESPACE_BEGIN

/// "major.minor.patch".
inline constexpr const char* version_string =
    TRACEFLOW_VERSION_TEXT_(TRACEFLOW_VERSION_MAJOR, TRACEFLOW_VERSION_MINOR, TRACEFLOW_VERSION_PATCH);

TRACEFLOW_NAMESPACE_END
