// expect: traceflow: the packet type needs a member `srcport`
// SPDX-License-Identifier: MIT
// A packet type without `srcport` is refused with a message naming it.
#include <traceflow/trace_flow.hpp>

struct NoSrcport {
    traceflow::LinkType protocol{};
    std::uint64_t index = 0;
    traceflow::Frame frame;
    bool syn = false;
    bool fin = false;
    traceflow::IpAddress src;
    traceflow::IpAddress dst;
    std::uint16_t dstport = 0;
    traceflow::Timestamp timestamp;
};

int main() {
    traceflow::TraceFlow<NoSrcport> tracer;
    return static_cast<int>(tracer.open_count());
}
