// SPDX-License-Identifier: MIT
// FormatRegistry: output formats by name, and the process-wide registry TraceFlow uses (pcapkit's `register`).
#pragma once

#include "version.hpp"

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "dumper.hpp"
#include "formats/pcap.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Formats by name.
class FormatRegistry {
public:
    /// Adds or replaces a format.
    void add(std::string name, OutputFormat format) { formats_[std::move(name)] = std::move(format); }
    /// Adds a format unless one of that name is already there (how built-ins
    /// arrive: they never replace a caller's format).
    void add_default(std::string name, OutputFormat format) { formats_.emplace(std::move(name), std::move(format)); }
    /// The format registered as `name`, or nullptr.
    [[nodiscard]] const OutputFormat* find(std::string_view name) const {
        const auto it = formats_.find(std::string(name));
        return it == formats_.end() ? nullptr : &it->second;
    }
    /// Every format, by name.
    [[nodiscard]] const std::map<std::string, OutputFormat>& all() const noexcept { return formats_; }

private:
    std::map<std::string, OutputFormat> formats_;
};

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
