// SPDX-License-Identifier: MIT
// Registers the built-in output formats in the process-wide registry, once per program.
#pragma once

#include "../version.hpp"

#include "../format_registry.hpp"
#include "../formats/builtin.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail {

/// Puts the built-ins in the process-wide registry (without replacing a
/// caller's format of the same name) in every program that includes this
/// header; the tracer itself includes only pcap, so it does not pull the decoder.
inline const bool builtin_formats_registered = [] {
    const FormatRegistry builtins = formats::builtin_registry();
    for (const auto& [name, format] : builtins.all()) format_registry().add_default(name, format);
    return true;
}();

}  // namespace detail
TRACEFLOW_NAMESPACE_END
