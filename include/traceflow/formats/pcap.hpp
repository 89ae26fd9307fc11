// SPDX-License-Identifier: MIT
// PcapDumper: a flow as a classic pcap file, real bytes and exact times.
#pragma once

#include <cstdint>
#include <memory>

#include "../detail/endian.hpp"
#include "../dumper.hpp"

namespace traceflow::formats {

/// Writes the pcap global header (µs or ns magic, in the requested byte
/// order) and one record per frame with its original time in the file's
/// resolution. pcapkit writes the wrong bytes here; we write the frame's.
class PcapDumper final : public Dumper {
public:
    explicit PcapDumper(const DumpOptions& options) : options_(options) {}

    void header(OutputSink& out) override {
        std::uint8_t h[24];
        const bool be = options_.big_endian;
        traceflow::detail::store32(h, options_.nanosecond ? 0xA1B23C4Du : 0xA1B2C3D4u, be);
        traceflow::detail::store16(h + 4, 2, be);
        traceflow::detail::store16(h + 6, 4, be);
        traceflow::detail::store32(h + 8, 0, be);   // thiszone
        traceflow::detail::store32(h + 12, 0, be);  // sigfigs
        traceflow::detail::store32(h + 16, options_.snaplen, be);
        traceflow::detail::store32(h + 20, static_cast<std::uint32_t>(options_.linktype), be);
        out.write(h, sizeof h);
    }

    void frame(OutputSink& out, const DumpFrame& frame) override {
        std::uint8_t h[16];
        const bool be = options_.big_endian;
        const std::uint32_t fraction = options_.nanosecond ? frame.timestamp.nsec : frame.timestamp.nsec / 1000;
        const auto caplen = static_cast<std::uint32_t>(frame.bytes.size);
        // The pcap format holds 32-bit seconds: times outside [1970, 2106) wrap.
        traceflow::detail::store32(h, static_cast<std::uint32_t>(frame.timestamp.sec), be);
        traceflow::detail::store32(h + 4, fraction, be);
        traceflow::detail::store32(h + 8, caplen, be);
        traceflow::detail::store32(h + 12, frame.wirelen < caplen ? caplen : frame.wirelen, be);
        out.write(h, sizeof h);
        out.write(frame.bytes.data, frame.bytes.size);
    }

private:
    DumpOptions options_;
};

/// The pcap output format (extension `.pcap`).
inline OutputFormat pcap_format() {
    return OutputFormat{".pcap", [](const DumpOptions& o) { return std::make_unique<PcapDumper>(o); }};
}

}  // namespace traceflow::formats
