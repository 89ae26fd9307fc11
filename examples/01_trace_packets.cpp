// SPDX-License-Identifier: MIT
// Feed your own decoded packets to a TraceFlow and read the flows back.
#include <traceflow/trace_flow.hpp>

#include <iostream>

int main() {
    traceflow::TraceFlowOptions options;  // pcapkit mode, no files
    traceflow::TraceFlow<> tracer(options);
    tracer.register_callback([](const traceflow::Index& flow) {
        std::cout << "ended: " << flow.label << " (" << flow.index.size() << " frames)\n";
    });

    const auto packet = [](std::uint64_t frame, const char* src, std::uint16_t sport, const char* dst,
                           std::uint16_t dport, bool fin) {
        traceflow::Packet<> p;
        p.index = frame;
        p.src = *traceflow::IpAddress::parse(src);
        p.dst = *traceflow::IpAddress::parse(dst);
        p.srcport = sport;
        p.dstport = dport;
        p.fin = fin;
        p.timestamp = traceflow::Timestamp{1'700'000'000, static_cast<std::uint32_t>(frame * 1000)};
        return p;
    };
    tracer(packet(1, "192.0.2.1", 40000, "198.51.100.7", 443, false));
    tracer(packet(2, "198.51.100.7", 443, "192.0.2.1", 40000, false));
    tracer(packet(3, "192.0.2.1", 40000, "198.51.100.7", 443, true));  // FIN ends this direction

    for (const traceflow::Index& flow : tracer.index())
        std::cout << traceflow::to_string(flow.reason) << ": " << flow.label << '\n';
}
