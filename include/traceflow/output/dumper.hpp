// SPDX-License-Identifier: MIT
// Dumper: how one flow's frames are written in one output format (the
// registry of formats by name is in format_registry.hpp).
#pragma once

#include "../version.hpp"

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../byte_view.hpp"
#include "../io/capture_metadata.hpp"
#include "../link_type.hpp"
#include "../timestamp.hpp"
#include "../warning.hpp"
#include "byte_order.hpp"
#include "dump_frame.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// True when this machine is big-endian.
[[nodiscard]] inline bool native_is_big_endian() noexcept {
    const std::uint16_t probe = 1;
    std::uint8_t first = 0;
    std::memcpy(&first, &probe, 1);
    return first == 0;
}

/// Settings of one flow's output file.
struct DumpOptions {
    LinkType linktype = LinkType::ethernet;  ///< link type of the flow's first packet
    bool big_endian = false;                 ///< byte order of binary output
    bool nanosecond = false;                 ///< nanosecond time resolution (pcap)
    std::uint32_t snaplen = 262144;          ///< snapshot length written in headers
    WarningSink warning;                     ///< where a dumper reports e.g. a flow that mixes link types
    /// The input's section and interface options (pcapng writes them; DumpFrame::interface_id indexes
    /// its interfaces); null: none, as for pcap input.
    std::shared_ptr<const io::CaptureMetadata> metadata;
};

/// Where a dumper's bytes go (the flow's file, through the open-file cache).
class OutputSink {
public:
    virtual void write(const void* data, std::size_t size) = 0;
    void write(std::string_view text) { write(text.data(), text.size()); }

protected:
    ~OutputSink() = default;
};

/// Writes one flow in one format. One instance per flow; it may keep state
/// between frames (e.g. "first entry written"), since its file can be closed
/// and reopened in append mode between calls.
class Dumper {
public:
    virtual ~Dumper() = default;
    /// Called once, before the first frame.
    virtual void header(OutputSink& /*out*/) {}
    /// Called once per frame.
    virtual void frame(OutputSink& out, const DumpFrame& frame) = 0;
    /// Called once when the flow is finished or the tracer ends.
    virtual void footer(OutputSink& /*out*/) {}
    /// Whether `frame` fits this file (pcap: only frames of its link type).
    [[nodiscard]] virtual bool accepts(const DumpFrame& /*frame*/) const { return true; }
    /// Called when accepts() refused a frame: returns the dumper that takes the
    /// file `path` over, after writing to `out` (the file, now empty) everything
    /// this one had written (`written`) in the successor's format. Null: the
    /// frame is written here all the same.
    virtual std::unique_ptr<Dumper> successor(std::string_view /*path*/, const std::vector<std::uint8_t>& /*written*/,
                                              OutputSink& /*out*/) {
        return nullptr;
    }
};

/// An output format: file extension (with the dot) and a dumper factory.
struct OutputFormat {
    std::string extension;
    std::function<std::unique_ptr<Dumper>(const DumpOptions&)> make;
};

/// `format` whose dumpers get `metadata` in their DumpOptions, e.g. to
/// register a pcapng format that keeps one input's interface names:
///
///     register_format("pcapng-eth", with_metadata(formats::pcapng_format(), reader.metadata()));
[[nodiscard]] inline OutputFormat with_metadata(OutputFormat format,
                                                std::shared_ptr<const io::CaptureMetadata> metadata) {
    auto make = std::move(format.make);
    format.make = [make = std::move(make), metadata = std::move(metadata)](const DumpOptions& options) {
        DumpOptions with = options;
        with.metadata = metadata;
        return make(with);
    };
    return format;
}

TRACEFLOW_NAMESPACE_END
