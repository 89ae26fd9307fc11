// expect: specialise traceflow::from_capture_packet
// SPDX-License-Identifier: MIT
// feed() into a tracer whose packet type cannot be made from a capture packet says what to specialise.
#include <traceflow/feed/feed.hpp>
#include <traceflow/trace_flow.hpp>

#include <cstdint>
#include <string>

struct Opaque {
    int protocol = 1;
    std::uint64_t index = 0;
    std::string frame, src, dst;
    bool syn = false, fin = false;
    int srcport = 0, dstport = 0;
    double timestamp = 0;
};

int main() {
    traceflow::TraceFlow<Opaque> tracer;
    traceflow::ExtractStats stats;
    traceflow::feed("in.pcap", tracer, stats);
    return 0;
}
