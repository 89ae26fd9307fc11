// SPDX-License-Identifier: MIT
// The built-in output formats and their names (pcapkit's, plus `text`).
#pragma once

#include "../version.hpp"

#include "../output/dumper.hpp"
#include "../output/process_registry.hpp"
#include "json.hpp"
#include "pcap.hpp"
#include "pcapng.hpp"
#include "plist.hpp"
#include "text.hpp"
#include "tree.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace formats {

/// A registry holding pcap/cap, pcapng, json, plist/xml, tree/txt and text.
[[nodiscard]] inline FormatRegistry builtin_registry() {
    FormatRegistry r;
    r.add("pcap", pcap_format());
    r.add("cap", pcap_format());
    r.add("pcapng", pcapng_format());
    r.add("json", json_format());
    r.add("plist", plist_format());
    r.add("xml", plist_format());
    r.add("tree", tree_format());
    r.add("txt", tree_format());
    r.add("text", text_format());
    return r;
}

/// Registers the built-ins in the process-wide registry (without replacing a
/// caller's format of the same name) in every program that includes this
/// header; the tracer itself includes only pcap, so it does not pull the decoder.
inline const bool builtins_registered = [] {
    const FormatRegistry builtins = builtin_registry();
    for (const auto& [name, format] : builtins.all()) format_registry().add_default(name, format);
    return true;
}();

}  // namespace formats
TRACEFLOW_NAMESPACE_END
