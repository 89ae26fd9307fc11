// SPDX-License-Identifier: MIT
// The built-in output formats and their names (pcapkit's, plus `text`).
#pragma once

#include "../version.hpp"

#include "../dumper.hpp"
#include "../format_registry.hpp"
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

}  // namespace formats
TRACEFLOW_NAMESPACE_END

// Registration needs builtin_registry() above, so it comes after it.
#include "../detail/builtin_formats.hpp"
