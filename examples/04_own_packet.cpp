// SPDX-License-Identifier: MIT
// Feed TraceFlow packets of your own struct: pcapkit's ten fields, a double
// timestamp and text addresses, nothing else. Reads a capture, decodes each
// frame, fills the struct, traces it, and checks the flows against the
// library's own capture path (exit status 1 when they differ).
//
//   example_04_own_packet CAPTURE [OUTPUT_DIR]
#include <traceflow/traceflow.hpp>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

// pcapkit's Packet, as a Python user would write it down.
struct MyPacket {
    int protocol = 1;                 // data-link type (LINKTYPE_ value)
    std::uint64_t index = 0;          // frame number, 1-based
    std::vector<std::uint8_t> frame;  // the captured bytes
    bool syn = false;
    bool fin = false;
    std::string src;  // "192.0.2.1", "2001:db8::1"
    std::string dst;
    int srcport = 0;
    int dstport = 0;
    double timestamp = 0;  // seconds since the epoch, as pcapkit's float
};

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: " << argv[0] << " CAPTURE [OUTPUT_DIR]\n";
        return 2;
    }
    const std::string capture = argv[1];

    // 1. Decode the capture into our own packets.
    std::vector<MyPacket> packets;
    traceflow::io::CaptureReader reader(capture);
    traceflow::io::Record record;
    traceflow::decode::TcpSegment seg;
    for (std::uint64_t number = 1; reader.next(record); ++number) {
        if (traceflow::decode::decode_tcp(record.linktype, record.frame.bytes, seg) != traceflow::decode::Outcome::tcp)
            continue;
        MyPacket p;
        p.protocol = static_cast<int>(record.linktype);
        p.index = number;
        p.frame.assign(record.frame.bytes.begin(), record.frame.bytes.end());
        p.syn = seg.syn();
        p.fin = seg.fin();
        p.src = seg.src.to_string();
        p.dst = seg.dst.to_string();
        p.srcport = seg.srcport;
        p.dstport = seg.dstport;
        p.timestamp = std::stod(record.frame.timestamp.to_decimal());  // the nearest double
        packets.push_back(std::move(p));
    }

    // 2. Trace them; with an output folder every flow is also written to a pcap file.
    traceflow::TraceFlowOptions options;
    if (argc > 2) options.fout = argv[2];
    traceflow::TraceFlow<MyPacket> tracer(options);
    for (const MyPacket& p : packets) tracer(p);
    tracer.finish();
    // Records are typed by the packet's address type: `id` holds the caller's text.
    const auto mine = tracer.index();
    for (const auto& flow : mine)
        std::cout << flow.id.src << ':' << flow.id.srcport << " -> " << flow.id.dst << ':' << flow.id.dstport << "  "
                  << flow.label << ' ' << flow.index.size() << '\n';

    // 3. The same flows, labels and frames as the library's own path.
    const std::vector<traceflow::Index> theirs = traceflow::extract({capture}).index;
    bool same = mine.size() == theirs.size();
    for (std::size_t i = 0; same && i < mine.size(); ++i)
        same = mine[i].label == theirs[i].label && mine[i].index == theirs[i].index;
    std::cout << mine.size() << " flows from " << packets.size()
              << " packets: " << (same ? "same as extract()" : "DIFFERENT from extract()") << '\n';
    return same ? 0 : 1;
}
