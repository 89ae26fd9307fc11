// SPDX-License-Identifier: MIT
// Follow every connection's bytes and print each HTTP request line the
// clients sent, with the connection's number and the line's stream offset.
// Exit status 1 when the capture holds no request (the sample has six).
//
//   example_05_http_requests CAPTURE
#include <traceflow/traceflow.hpp>

#include <cstdint>
#include <iostream>
#include <map>
#include <string>

// Collects each connection's orig stream and prints its lines that look like
// HTTP request lines as they complete (bytes come in order, any segmentation).
struct RequestLines {
    std::map<std::uint64_t, std::string> pending;  // each open stream's unfinished line
    int printed = 0;

    void on_data(const traceflow::StreamInfo<traceflow::BufferID<traceflow::IpAddress>>& info, std::uint64_t offset,
                 traceflow::ByteView bytes) {
        if (info.direction != traceflow::StreamDirection::orig) return;
        std::string& line = pending[info.flow];
        for (std::size_t i = 0; i < bytes.size; ++i) {
            const char c = static_cast<char>(bytes[i]);
            if (c != '\n') {
                if (line.size() < 8192) line += c;
                continue;
            }
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.find(" HTTP/1.") != std::string::npos) {
                std::cout << "flow " << info.flow << " @" << offset + i + 1 - line.size() - 2 << ": " << line << '\n';
                ++printed;
            }
            line.clear();
        }
    }
    void on_gap(const traceflow::StreamInfo<traceflow::BufferID<traceflow::IpAddress>>& info, std::uint64_t,
                std::uint64_t) {
        pending[info.flow].clear();  // a line broken by missing bytes is not a request line
    }
    void on_end(const traceflow::StreamInfo<traceflow::BufferID<traceflow::IpAddress>>& info,
                const traceflow::StreamSummary&) {
        pending.erase(info.flow);
    }
};

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: example_05_http_requests CAPTURE\n";
        return 2;
    }
    traceflow::TraceFlowOptions options;
    options.keying = traceflow::FlowKeying::bidirectional;  // connections: orig from the client
    options.lifecycle = traceflow::Lifecycle::tcp;
    traceflow::TraceFlow<traceflow::CapturePacket> tracer(options);
    RequestLines requests;
    traceflow::StreamFollower follower(tracer, &requests);
    traceflow::ExtractStats stats;
    traceflow::feed(argv[1], follower, stats);
    follower.end_of_input();
    follower.finish();
    return requests.printed > 0 ? 0 : 1;
}
