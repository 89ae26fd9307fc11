// SPDX-License-Identifier: MIT
// PlistDumper: a flow as an XML property list, one dict entry per frame.
#pragma once

#include "../version.hpp"

#include <memory>
#include <string>

#include "../detail/text/plist_text.hpp"
#include "frame_record.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace formats {

/// Apple XML plist; parses with Python's plistlib once the flow has ended.
class PlistDumper final : public Dumper {
public:
    void header(OutputSink& out) override {
        out.write(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
            "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
            "<plist version=\"1.0\">\n<dict>\n");
    }

    void frame(OutputSink& out, const DumpFrame& frame) override {
        const FrameRecord r = make_frame_record(frame);
        std::string s = "  <key>";
        detail::text::append_xml_text(s, r.name);
        s += "</key>\n  <dict>\n";
        detail::text::append_plist_entry(s, "    ", "number", "integer", std::to_string(r.number));
        detail::text::append_plist_entry(s, "    ", "time", "string", r.time);
        detail::text::append_plist_entry(s, "    ", "time_epoch", "real", r.time_epoch);
        detail::text::append_plist_entry(s, "    ", "caplen", "integer", std::to_string(r.caplen));
        detail::text::append_plist_entry(s, "    ", "wirelen", "integer", std::to_string(r.wirelen));
        detail::text::append_plist_entry(s, "    ", "linktype", "integer", std::to_string(r.linktype));
        s += "    <key>layers</key>\n    <array>\n";
        for (const auto& layer : r.layers) {
            s += "      <dict>\n";
            detail::text::append_plist_entry(s, "        ", "layer", "string", layer.name);
            for (const auto& field : layer.fields)
                detail::text::append_plist_entry(s, "        ", field.name, "string", field.value);
            s += "      </dict>\n";
        }
        s += "    </array>\n  </dict>\n";
        out.write(s);
    }

    void footer(OutputSink& out) override { out.write("</dict>\n</plist>\n"); }
};

/// The plist output format (extension `.plist`).
inline OutputFormat plist_format() {
    return OutputFormat{".plist", [](const DumpOptions&) { return std::make_unique<PlistDumper>(); }};
}

}  // namespace formats
TRACEFLOW_NAMESPACE_END
