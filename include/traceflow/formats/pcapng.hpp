// SPDX-License-Identifier: MIT
// PcapngDumper: a flow as a pcapng file, one interface per link type and capture interface used.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "../detail/bits/endian.hpp"
#include "../io/capture_metadata.hpp"
#include "../output/dumper.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace formats {

/// Writes a Section Header Block, then an Interface Description Block the
/// first time each (link type, capture interface) pair appears, and one
/// Enhanced Packet Block per frame on its own interface: nanosecond times
/// (`if_tsresol` 9), captured bytes and the length on the wire as they were.
/// A flow may mix link types here, unlike in pcap.
///
/// With DumpOptions::metadata (the input's, io::CaptureMetadata), the SHB
/// carries the input's section options (shb_hardware, shb_os, shb_userappl,
/// comments) and each IDB the options of the input interface its frames
/// came from (if_name, if_description, ...) and that interface's snaplen.
/// Without, the output is as it always was.
class PcapngDumper final : public Dumper {
public:
    explicit PcapngDumper(const DumpOptions& options) : options_(options) {}

    void header(OutputSink& out) override {
        const bool be = options_.big_endian;
        const io::CaptureMetadata* metadata = options_.metadata.get();
        if (metadata != nullptr && !metadata->section.empty()) {
            // The input's section options, then opt_endofopt.
            std::vector<std::uint8_t> b(24);
            for (const io::CaptureOption& o : metadata->section) append_option(b, o.code, o.value, be);
            append_end(b, 0x0A0D0D0Au, be);
            out.write(b.data(), b.size());
            return;
        }
        std::uint8_t b[28];
        write_section_start(b, sizeof b, be);
        traceflow::detail::bits::store32(b + 24, sizeof b, be);
        out.write(b, sizeof b);
    }

    void frame(OutputSink& out, const DumpFrame& frame) override {
        const std::uint32_t interface = interface_for(out, frame.linktype, frame.interface_id);
        const bool be = options_.big_endian;
        const auto caplen = static_cast<std::uint32_t>(frame.bytes.size);
        const std::uint32_t padded = (caplen + 3u) & ~3u;
        const std::uint32_t length = 32 + padded;
        // Nanoseconds since 1970 in 64 bits: times before 1970 wrap, as in pcap.
        const auto ns = static_cast<std::uint64_t>(frame.timestamp.total_nanoseconds());
        std::uint8_t h[28];
        traceflow::detail::bits::store32(h, 6, be);  // Enhanced Packet Block
        traceflow::detail::bits::store32(h + 4, length, be);
        traceflow::detail::bits::store32(h + 8, interface, be);
        traceflow::detail::bits::store32(h + 12, static_cast<std::uint32_t>(ns >> 32), be);
        traceflow::detail::bits::store32(h + 16, static_cast<std::uint32_t>(ns), be);
        traceflow::detail::bits::store32(h + 20, caplen, be);
        traceflow::detail::bits::store32(h + 24, frame.wirelen < caplen ? caplen : frame.wirelen, be);
        out.write(h, sizeof h);
        out.write(frame.bytes.data, frame.bytes.size);
        std::uint8_t tail[8] = {};
        traceflow::detail::bits::store32(tail + (padded - caplen), length, be);
        out.write(tail, padded - caplen + 4);
    }

private:
    // The pcapng interface number of (link, capture interface), writing its IDB when new.
    std::uint32_t interface_for(OutputSink& out, LinkType link, std::uint32_t capture_interface) {
        for (std::size_t i = 0; i < interfaces_.size(); ++i)
            if (interfaces_[i].first == link && interfaces_[i].second == capture_interface)
                return static_cast<std::uint32_t>(i);
        interfaces_.emplace_back(link, capture_interface);
        const bool be = options_.big_endian;
        const io::InterfaceMetadata* input =
            options_.metadata ? options_.metadata->interface(capture_interface) : nullptr;
        if (input != nullptr) {
            // The input interface's snaplen and options, our if_tsresol, opt_endofopt.
            std::vector<std::uint8_t> b(16);
            traceflow::detail::bits::store16(b.data() + 8, static_cast<std::uint16_t>(link), be);
            traceflow::detail::bits::store32(b.data() + 12, input->snaplen, be);
            append_option(b, 9, std::string_view("\x09", 1), be);  // if_tsresol: 10^-9 s
            for (const io::CaptureOption& o : input->options) append_option(b, o.code, o.value, be);
            append_end(b, 1, be);  // Interface Description Block
            out.write(b.data(), b.size());
        } else {
            std::uint8_t b[32] = {};
            traceflow::detail::bits::store32(b, 1, be);  // Interface Description Block
            traceflow::detail::bits::store32(b + 4, sizeof b, be);
            traceflow::detail::bits::store16(b + 8, static_cast<std::uint16_t>(link), be);
            traceflow::detail::bits::store32(b + 12, options_.snaplen, be);
            traceflow::detail::bits::store16(b + 16, 9, be);  // if_tsresol: 10^-9 s
            traceflow::detail::bits::store16(b + 18, 1, be);
            b[20] = 9;
            // b[24..27]: opt_endofopt
            traceflow::detail::bits::store32(b + 28, sizeof b, be);
            out.write(b, sizeof b);
        }
        return static_cast<std::uint32_t>(interfaces_.size() - 1);
    }

    // An SHB's first 24 bytes (type, length, byte-order magic, version 1.0, no section length).
    static void write_section_start(std::uint8_t* b, std::uint32_t length, bool be) noexcept {
        traceflow::detail::bits::store32(b, 0x0A0D0D0Au, be);
        traceflow::detail::bits::store32(b + 4, length, be);
        traceflow::detail::bits::store32(b + 8, 0x1A2B3C4Du, be);  // byte-order magic
        traceflow::detail::bits::store16(b + 12, 1, be);
        traceflow::detail::bits::store16(b + 14, 0, be);
        traceflow::detail::bits::store32(b + 16, 0xFFFFFFFFu, be);  // section length: not given
        traceflow::detail::bits::store32(b + 20, 0xFFFFFFFFu, be);
    }

    // One option: code and length in the file's byte order, the value's bytes as they are, zeros to 32 bits.
    static void append_option(std::vector<std::uint8_t>& b, std::uint16_t code, std::string_view value, bool be) {
        const std::size_t at = b.size();
        const std::size_t length = value.size() < 0xFFFF ? value.size() : 0xFFFF;
        b.resize(at + 4 + ((length + 3) & ~std::size_t{3}), 0);
        traceflow::detail::bits::store16(b.data() + at, code, be);
        traceflow::detail::bits::store16(b.data() + at + 2, static_cast<std::uint16_t>(length), be);
        for (std::size_t i = 0; i < length; ++i) b[at + 4 + i] = static_cast<std::uint8_t>(value[i]);
    }

    // opt_endofopt and the trailing length; then the type and both lengths (an SHB's whole start).
    static void append_end(std::vector<std::uint8_t>& b, std::uint32_t type, bool be) {
        b.resize(b.size() + 8, 0);
        const auto length = static_cast<std::uint32_t>(b.size());
        if (type == 0x0A0D0D0Au) {
            write_section_start(b.data(), length, be);
        } else {
            traceflow::detail::bits::store32(b.data(), type, be);
            traceflow::detail::bits::store32(b.data() + 4, length, be);
        }
        traceflow::detail::bits::store32(b.data() + length - 4, length, be);
    }

    DumpOptions options_;
    std::vector<std::pair<LinkType, std::uint32_t>> interfaces_;
};

/// The pcapng output format (extension `.pcapng`).
inline OutputFormat pcapng_format() {
    return OutputFormat{".pcapng", [](const DumpOptions& o) { return std::make_unique<PcapngDumper>(o); }};
}

}  // namespace formats
TRACEFLOW_NAMESPACE_END
