// SPDX-License-Identifier: MIT
// format_registry(): the process-wide registry TraceFlow looks formats up in, and register_format() (pcapkit's `register`).
#pragma once

#include "../version.hpp"

#include <string>
#include <utility>

#include "../formats/pcap.hpp"
#include "dumper.hpp"
#include "format_registry.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// The process-wide format registry that new TraceFlows look formats up in
/// (pcapkit's class-level `__output__`). It starts with `pcap` and `cap`;
/// formats/builtin.hpp (included by traceflow.hpp) adds json, plist/xml,
/// tree/txt and text, which need the decoder. Not synchronised: register
/// formats before tracing starts.
[[nodiscard]] inline FormatRegistry& format_registry() {
    static FormatRegistry registry = [] {
        FormatRegistry r;
        r.add("pcap", formats::pcap_format());
        r.add("cap", formats::pcap_format());
        return r;
    }();
    return registry;
}

/// Adds a format under `name` to the process-wide registry, replacing any
/// format of that name (pcapkit's `register`; that name is a C++ keyword).
inline void register_format(std::string name, OutputFormat format) {
    format_registry().add(std::move(name), std::move(format));
}

TRACEFLOW_NAMESPACE_END
