// expect: traceflow: unsupported address type: .*specialise traceflow::address_traits
// SPDX-License-Identifier: MIT
// An address type traceflow cannot compare or print asks for address_traits.
#include <traceflow/trace_flow.hpp>

struct Opaque {
    int id = 0;
};

struct OpaquePacket {
    traceflow::LinkType protocol{};
    std::uint64_t index = 0;
    traceflow::Frame frame;
    bool syn = false;
    bool fin = false;
    Opaque src;
    Opaque dst;
    std::uint16_t srcport = 0;
    std::uint16_t dstport = 0;
    traceflow::Timestamp timestamp;
};

int main() {
    traceflow::TraceFlow<OpaquePacket> tracer;
    return static_cast<int>(tracer.open_count());
}
