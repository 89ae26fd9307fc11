// expect: traceflow: a packet member `ack` must be the ACK flag
// SPDX-License-Identifier: MIT
// `ack` holding the acknowledgement number would be read as a flag: refused.
#include <traceflow/trace_flow.hpp>

struct AckNumber {
    traceflow::LinkType protocol{};
    std::uint64_t index = 0;
    traceflow::Frame frame;
    bool syn = false;
    bool fin = false;
    traceflow::IpAddress src;
    traceflow::IpAddress dst;
    std::uint16_t srcport = 0;
    std::uint16_t dstport = 0;
    traceflow::Timestamp timestamp;
    std::uint32_t ack = 0;
};

int main() {
    traceflow::TraceFlow<AckNumber> tracer;
    return static_cast<int>(tracer.open_count());
}
