// SPDX-License-Identifier: MIT
// JsonDumper: a flow as one JSON object, `{"Frame N": {...}, ...}`.
#pragma once

#include "../version.hpp"

#include <memory>
#include <string>
#include <string_view>

#include "../detail/text/json_text.hpp"
#include "frame_record.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace formats {

/// Appends `text` as a JSON string literal, quotes included; control characters
/// and bytes outside ASCII as `\u00XX`, so the text stays ASCII (the json format's escaping).
inline void append_json_string(std::string& out, std::string_view text) { detail::text::append_json_string(out, text); }

/// Each frame is a member `"Frame N"` holding its metadata under "frame"
/// and its decoded headers under "layers". The closing brace is written when
/// the flow finishes, so a file is complete JSON once its flow has ended.
class JsonDumper final : public Dumper {
public:
    void header(OutputSink& out) override { out.write("{", 1); }

    void frame(OutputSink& out, const DumpFrame& frame) override {
        const FrameRecord r = make_frame_record(frame);
        std::string s;
        s += first_ ? "\n  " : ",\n  ";
        first_ = false;
        detail::text::append_json_string(s, r.name);
        s += ": {\"frame\": {\"number\": " + std::to_string(r.number) + ", \"time\": ";
        detail::text::append_json_string(s, r.time);
        s += ", \"time_epoch\": " + r.time_epoch + ", \"caplen\": " + std::to_string(r.caplen) +
             ", \"wirelen\": " + std::to_string(r.wirelen) + ", \"linktype\": " + std::to_string(r.linktype) +
             "}, \"layers\": [";
        for (std::size_t i = 0; i < r.layers.size(); ++i) {
            s += i == 0 ? "{\"layer\": " : ", {\"layer\": ";
            detail::text::append_json_string(s, r.layers[i].name);
            for (const auto& field : r.layers[i].fields) {
                s += ", ";
                detail::text::append_json_string(s, field.name);
                s += ": ";
                if (field.number)
                    s += field.value;  // a decimal integer: a JSON number
                else
                    detail::text::append_json_string(s, field.value);
            }
            s += "}";
        }
        s += "]}";
        out.write(s);
    }

    void footer(OutputSink& out) override { out.write(first_ ? "}\n" : "\n}\n"); }

private:
    bool first_ = true;
};

/// The json output format (extension `.json`).
inline OutputFormat json_format() {
    return OutputFormat{".json", [](const DumpOptions&) { return std::make_unique<JsonDumper>(); }};
}

}  // namespace formats
TRACEFLOW_NAMESPACE_END
