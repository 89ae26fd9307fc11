// SPDX-License-Identifier: MIT
// PcapDumper: a flow as a classic pcap file, real bytes and exact times.
#pragma once

#include "../version.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../detail/bits/endian.hpp"
#include "../output/dumper.hpp"
#include "pcapng.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace formats {

/// Writes the pcap global header (µs or ns magic, in the requested byte
/// order) and one record per frame with its original time in the file's
/// resolution. pcapkit writes the wrong bytes here; we write the frame's.
/// A pcap file has one link type: when a frame of another link type comes,
/// the file is rewritten as pcapng (same name; readers go by the magic) and
/// a warning names it (TraceFlow gives it once per tracer), rather than
/// frames sitting under the wrong link type.
class PcapDumper final : public Dumper {
public:
    explicit PcapDumper(const DumpOptions& options) : options_(options) {}

    void header(OutputSink& out) override {
        std::uint8_t h[24];
        const bool be = options_.big_endian;
        traceflow::detail::bits::store32(h, options_.nanosecond ? 0xA1B23C4Du : 0xA1B2C3D4u, be);
        traceflow::detail::bits::store16(h + 4, 2, be);
        traceflow::detail::bits::store16(h + 6, 4, be);
        traceflow::detail::bits::store32(h + 8, 0, be);   // thiszone
        traceflow::detail::bits::store32(h + 12, 0, be);  // sigfigs
        traceflow::detail::bits::store32(h + 16, options_.snaplen, be);
        traceflow::detail::bits::store32(h + 20, static_cast<std::uint32_t>(options_.linktype), be);
        out.write(h, sizeof h);
    }

    void frame(OutputSink& out, const DumpFrame& frame) override {
        std::uint8_t h[16];
        const bool be = options_.big_endian;
        const std::uint32_t fraction = options_.nanosecond ? frame.timestamp.nsec : frame.timestamp.nsec / 1000;
        const auto caplen = static_cast<std::uint32_t>(frame.bytes.size);
        // The pcap format holds 32-bit seconds: times outside [1970, 2106) wrap.
        traceflow::detail::bits::store32(h, static_cast<std::uint32_t>(frame.timestamp.sec), be);
        traceflow::detail::bits::store32(h + 4, fraction, be);
        traceflow::detail::bits::store32(h + 8, caplen, be);
        traceflow::detail::bits::store32(h + 12, frame.wirelen < caplen ? caplen : frame.wirelen, be);
        out.write(h, sizeof h);
        out.write(frame.bytes.data, frame.bytes.size);
        if (runs_.empty() || runs_.back().second != frame.interface_id) runs_.emplace_back(0, frame.interface_id);
        ++runs_.back().first;
    }

    [[nodiscard]] bool accepts(const DumpFrame& frame) const override { return frame.linktype == options_.linktype; }

    std::unique_ptr<Dumper> successor(std::string_view path, const std::vector<std::uint8_t>& written,
                                      OutputSink& out) override {
        auto next = std::make_unique<PcapngDumper>(options_);
        next->header(out);
        const bool be = options_.big_endian;
        std::size_t offset = 24;
        std::size_t run = 0;
        std::uint64_t left_in_run = runs_.empty() ? 0 : runs_[0].first;
        while (written.size() >= offset + 16) {
            const std::uint8_t* h = written.data() + offset;
            DumpFrame f;
            const std::uint32_t fraction = traceflow::detail::bits::load32(h + 4, be);
            f.timestamp = Timestamp{static_cast<std::int64_t>(traceflow::detail::bits::load32(h, be)),
                                    options_.nanosecond ? fraction : fraction * 1000};
            const std::uint32_t caplen = traceflow::detail::bits::load32(h + 8, be);
            f.wirelen = traceflow::detail::bits::load32(h + 12, be);
            if (written.size() - offset - 16 < caplen) break;  // cannot happen: we wrote it
            f.bytes = ByteView(h + 16, caplen);
            f.linktype = options_.linktype;
            while (left_in_run == 0 && run + 1 < runs_.size()) left_in_run = runs_[++run].first;
            if (run < runs_.size()) f.interface_id = runs_[run].second;
            if (left_in_run != 0) --left_in_run;
            next->frame(out, f);
            offset += 16 + caplen;
        }
        if (options_.warning) {
            std::string message(path);
            message += ": the flow mixes link types; written as pcapng (a pcap file has one link type)";
            options_.warning(message);
        }
        return next;
    }

private:
    DumpOptions options_;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> runs_;  // (frames, capture interface) in order
};

/// The pcap output format (extension `.pcap`).
inline OutputFormat pcap_format() {
    return OutputFormat{".pcap", [](const DumpOptions& o) { return std::make_unique<PcapDumper>(o); }};
}

}  // namespace formats
TRACEFLOW_NAMESPACE_END
