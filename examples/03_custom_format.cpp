// SPDX-License-Identifier: MIT
// Register an output format: one line per frame with its number and length.
#include <traceflow/feed/extract.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace {

class LengthsDumper final : public traceflow::Dumper {
public:
    void frame(traceflow::OutputSink& out, const traceflow::DumpFrame& frame) override {
        out.write(std::to_string(frame.index) + " " + std::to_string(frame.wirelen) + "\n");
    }
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: " << argv[0] << " CAPTURE OUTPUT_DIR\n";
        return 1;
    }
    traceflow::TraceFlow<traceflow::CapturePacket>::register_format(
        "lengths", {".len", [](const traceflow::DumpOptions&) { return std::make_unique<LengthsDumper>(); }});
    traceflow::TraceFlowOptions options;
    options.fout = argv[2];
    options.format = "lengths";
    try {
        for (const traceflow::Index& flow : traceflow::extract({argv[1]}, options).index)
            std::cout << flow.fpout.value_or("-") << '\n';
    } catch (const traceflow::Error& e) {
        std::cerr << e.what() << '\n';
        return 2;
    }
}
