// SPDX-License-Identifier: MIT
// The pcapng inputs' interface names and section options, carried on into pcap/pcapng output files.
#pragma once

#include <traceflow/errors.hpp>
#include <traceflow/io/capture_metadata.hpp>
#include <traceflow/io/capture_reader.hpp>
#include <traceflow/output/dumper.hpp>
#include <traceflow/output/process_registry.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace cli {

/// The metadata that every capture in `paths` gives before its first packet
/// (io::read_leading_metadata), when they all give the same: several inputs
/// number their interfaces alike, so differing names could not be told
/// apart. Null when they differ, for pcap, stdin, a pipe or a file that
/// cannot be read (reading it reports that later).
inline std::shared_ptr<const traceflow::io::CaptureMetadata> shared_input_metadata(
    const std::vector<std::string>& paths) {
    std::shared_ptr<const traceflow::io::CaptureMetadata> shared;
    for (const std::string& path : paths) {
        std::error_code ec;
        if (path == "-" || !std::filesystem::is_regular_file(path, ec)) return nullptr;
        std::shared_ptr<const traceflow::io::CaptureMetadata> metadata;
        try {
            metadata = traceflow::io::read_leading_metadata(path);
        } catch (const traceflow::Error&) {
            return nullptr;
        }
        if (!metadata || (shared && *shared != *metadata)) return nullptr;
        if (!shared) shared = std::move(metadata);
    }
    return shared;
}

/// The output format to trace with: `format`, or, when it writes pcap or
/// pcapng and the captures share metadata, a copy of it registered under
/// another name whose dumpers carry that metadata (PcapngDumper writes it).
inline std::string format_keeping_metadata(const std::string& format, const std::vector<std::string>& captures) {
    if (format != "pcapng" && format != "pcap" && format != "cap") return format;
    const traceflow::OutputFormat* found = traceflow::format_registry().find(format);
    if (found == nullptr) return format;
    std::shared_ptr<const traceflow::io::CaptureMetadata> metadata = shared_input_metadata(captures);
    if (!metadata) return format;
    std::string name = format + " keeping input metadata";
    traceflow::register_format(name, traceflow::with_metadata(*found, std::move(metadata)));
    return name;
}

}  // namespace cli
