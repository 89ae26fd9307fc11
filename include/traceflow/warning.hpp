// SPDX-License-Identifier: MIT
// WarningSink: where traceflow reports recoverable problems (default: stderr).
#pragma once

#include "version.hpp"

#include <cstdio>
#include <functional>
#include <string_view>

TRACEFLOW_NAMESPACE_BEGIN

/// Receives one human-readable warning per call. Replace it to route
/// warnings into your own logging; an empty sink drops them.
using WarningSink = std::function<void(std::string_view)>;

/// The default sink: `traceflow: warning: ...` on stderr.
inline WarningSink stderr_warning_sink() {
    return [](std::string_view message) {
        std::fprintf(stderr, "traceflow: warning: %.*s\n", static_cast<int>(message.size()), message.data());
    };
}

TRACEFLOW_NAMESPACE_END
