// SPDX-License-Identifier: MIT
// Split a capture into one pcap file per TCP connection (tcp lifecycle,
// bidirectional flows) and print each connection's statistics.
#include <traceflow/feed/extract.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: " << argv[0] << " CAPTURE OUTPUT_DIR\n";
        return 1;
    }
    traceflow::TraceFlowOptions options;
    options.fout = argv[2];
    options.keying = traceflow::FlowKeying::bidirectional;
    options.lifecycle = traceflow::Lifecycle::tcp;
    options.statistics = true;
    try {
        const traceflow::ExtractResult result = traceflow::extract({argv[1]}, options);
        for (const traceflow::Index& flow : result.index) {
            const traceflow::FlowStats& s = *flow.stats;  // present: statistics is on
            std::cout << flow.label << ' ' << s.conn_state << ' ' << s.history << ' ' << s.packets[0] + s.packets[1]
                      << " packets -> " << flow.fpout.value_or("-") << '\n';
        }
        std::cout << result.stats.tcp_frames << " of " << result.stats.frames << " frames traced\n";
    } catch (const traceflow::Error& e) {
        std::cerr << e.what() << '\n';
        return 2;
    }
}
