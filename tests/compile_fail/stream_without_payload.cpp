// expect: StreamFollower: the packet type needs `seq` and `payload`
// SPDX-License-Identifier: MIT
// Following streams of a packet type without `seq` or payload bytes is refused with a message naming them.
#include <traceflow/stream/stream_follower.hpp>
#include <traceflow/trace_flow.hpp>

struct NoPayload {
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
};

struct Ignore {
    template <typename Info>
    void on_data(const Info&, std::uint64_t, traceflow::ByteView) {}
};

int main() {
    traceflow::TraceFlow<NoPayload> tracer;
    Ignore consumer;
    traceflow::StreamFollower follower(tracer, &consumer);
    follower.dump(NoPayload{});
    return 0;
}
