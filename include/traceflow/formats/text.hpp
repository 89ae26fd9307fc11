// SPDX-License-Identifier: MIT
// TextDumper: a flow as plain text, one line per frame and one per header.
#pragma once

#include "../version.hpp"

#include <memory>
#include <string>

#include "frame_record.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace formats {

/// Renders each frame as a summary line then one `  Layer: k=v, ...` line per
/// decoded header (pcapkit's `text` format crashes; this is our rendering).
class TextDumper final : public Dumper {
public:
    void frame(OutputSink& out, const DumpFrame& frame) override {
        const FrameRecord r = make_frame_record(frame);
        std::string s = r.name + ": time " + r.time + ", caplen " + std::to_string(r.caplen) + ", wirelen " +
                        std::to_string(r.wirelen) + ", linktype " + std::to_string(r.linktype) + "\n";
        for (const auto& layer : r.layers) {
            s += "  " + layer.name + ":";
            const char* sep = " ";
            for (const auto& field : layer.fields) {
                s += sep + field.name + "=" + field.value;
                sep = ", ";
            }
            s += '\n';
        }
        out.write(s);
    }
};

/// The text output format (extension `.txt`).
inline OutputFormat text_format() {
    return OutputFormat{".txt", [](const DumpOptions&) { return std::make_unique<TextDumper>(); }};
}

}  // namespace formats
TRACEFLOW_NAMESPACE_END
