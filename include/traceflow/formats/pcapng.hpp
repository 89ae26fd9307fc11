// SPDX-License-Identifier: MIT
// PcapngDumper: a flow as a pcapng file, one interface per link type and capture interface used.
#pragma once

#include "../version.hpp"

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "../detail/bits/endian.hpp"
#include "../output/dumper.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace formats {

/// Writes a Section Header Block, then an Interface Description Block the
/// first time each (link type, capture interface) pair appears, and one
/// Enhanced Packet Block per frame on its own interface: nanosecond times
/// (`if_tsresol` 9), captured bytes and the length on the wire as they were.
/// A flow may mix link types here, unlike in pcap.
class PcapngDumper final : public Dumper {
public:
    explicit PcapngDumper(const DumpOptions& options) : options_(options) {}

    void header(OutputSink& out) override {
        std::uint8_t b[28];
        const bool be = options_.big_endian;
        traceflow::detail::bits::store32(b, 0x0A0D0D0Au, be);
        traceflow::detail::bits::store32(b + 4, sizeof b, be);
        traceflow::detail::bits::store32(b + 8, 0x1A2B3C4Du, be);  // byte-order magic
        traceflow::detail::bits::store16(b + 12, 1, be);
        traceflow::detail::bits::store16(b + 14, 0, be);
        traceflow::detail::bits::store32(b + 16, 0xFFFFFFFFu, be);  // section length: not given
        traceflow::detail::bits::store32(b + 20, 0xFFFFFFFFu, be);
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
        return static_cast<std::uint32_t>(interfaces_.size() - 1);
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
