// SPDX-License-Identifier: MIT
// TreeDumper: a flow as an indented tree, one branch per frame.
#pragma once

#include "../version.hpp"

#include <memory>
#include <string>

#include "frame_record.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace formats {

/// Renders each frame as
/// ```text
/// Frame 1
///  |-- number: 1
///  |-- ...
///  |-- Ethernet
///  |    |-- src: 00:11:22:33:44:55
/// ```
class TreeDumper final : public Dumper {
public:
    void frame(OutputSink& out, const DumpFrame& frame) override {
        const FrameRecord r = make_frame_record(frame);
        std::string s = r.name + "\n";
        const auto leaf = [&s](const char* indent, std::string_view key, std::string_view value) {
            s += indent;
            s += key;
            s += ": ";
            s += value;
            s += '\n';
        };
        leaf(" |-- ", "number", std::to_string(r.number));
        leaf(" |-- ", "time", r.time);
        leaf(" |-- ", "time_epoch", r.time_epoch);
        leaf(" |-- ", "caplen", std::to_string(r.caplen));
        leaf(" |-- ", "wirelen", std::to_string(r.wirelen));
        leaf(" |-- ", "linktype", std::to_string(r.linktype));
        for (const auto& layer : r.layers) {
            s += " |-- " + layer.name + "\n";
            for (const auto& field : layer.fields) leaf(" |    |-- ", field.name, field.value);
        }
        s += '\n';
        out.write(s);
    }
};

/// The tree output format (extension `.txt`).
inline OutputFormat tree_format() {
    return OutputFormat{".txt", [](const DumpOptions&) { return std::make_unique<TreeDumper>(); }};
}

}  // namespace formats
TRACEFLOW_NAMESPACE_END
