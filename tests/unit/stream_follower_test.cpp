// SPDX-License-Identifier: MIT
// StreamFollower over TraceFlow: streams per flow and direction in every mode, with a caller's packet type.
#include <traceflow/stream/stream_follower.hpp>
#include <traceflow/trace_flow.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "test_catch.hpp"

namespace {

// A caller's packet type: pcapkit's fields plus seq, rst, ack and the payload as bytes.
struct Seg {
    int protocol = 1;
    std::uint64_t index = 0;
    std::string frame;
    bool syn = false;
    bool fin = false;
    std::string src, dst;
    std::uint16_t srcport = 0, dstport = 0;
    double timestamp = 0;
    std::uint32_t seq = 0;
    bool rst = false;
    bool ack = false;
    std::string payload;
};

using Tracer = traceflow::TraceFlow<Seg>;
using Key = Tracer::key_type;

struct Recorded {
    std::string bytes;
    std::vector<traceflow::ByteRange> gaps, conflicts;
    bool ended = false;
    traceflow::StreamSummary summary;
};

// Streams by (flow number, direction), as files would hold them.
struct Recorder {
    std::map<std::pair<std::uint64_t, int>, Recorded> streams;
    std::vector<std::string> events;  // "end F D" in order, to check ordering against callbacks
    Recorded& at(const traceflow::StreamInfo<Key>& info) {
        return streams[{info.flow, static_cast<int>(info.direction)}];
    }
    void on_data(const traceflow::StreamInfo<Key>& info, std::uint64_t offset, traceflow::ByteView data) {
        Recorded& r = at(info);
        REQUIRE_FALSE(r.ended);
        if (r.bytes.size() < offset + data.size) r.bytes.resize(offset + data.size, '\0');
        r.bytes.replace(offset, data.size, reinterpret_cast<const char*>(data.data), data.size);
    }
    void on_gap(const traceflow::StreamInfo<Key>& info, std::uint64_t offset, std::uint64_t length) {
        at(info).gaps.push_back({offset, length});
    }
    void on_conflict(const traceflow::StreamInfo<Key>& info, std::uint64_t offset, std::uint64_t length) {
        at(info).conflicts.push_back({offset, length});
    }
    void on_end(const traceflow::StreamInfo<Key>& info, const traceflow::StreamSummary& summary) {
        Recorded& r = at(info);
        r.ended = true;
        r.summary = summary;
        events.push_back("end " + std::to_string(info.flow) + " " + std::to_string(static_cast<int>(info.direction)));
    }
};

// One side of a connection: makes its segments with running sequence numbers.
struct Side {
    std::string addr;
    std::uint16_t port;
    std::uint32_t seq;
};
struct Conn {
    Side client, server;
    std::uint64_t frame = 0;
    double time = 1700000000.0;
    Seg make(const Side& from, const Side& to, std::uint32_t seq, std::string payload, bool syn = false,
             bool fin = false, bool rst = false) {
        Seg s;
        s.index = ++frame;
        s.frame = std::string(54, 'f') + payload;
        s.syn = syn;
        s.fin = fin;
        s.rst = rst;
        s.ack = !syn || &from == &server;
        s.src = from.addr;
        s.dst = to.addr;
        s.srcport = from.port;
        s.dstport = to.port;
        s.timestamp = (time += 0.001);
        s.seq = seq;
        s.payload = std::move(payload);
        return s;
    }
    Seg c(std::uint32_t rel, std::string data, bool syn = false, bool fin = false, bool rst = false) {
        return make(client, server, client.seq + rel, std::move(data), syn, fin, rst);
    }
    Seg s(std::uint32_t rel, std::string data, bool syn = false, bool fin = false, bool rst = false) {
        return make(server, client, server.seq + rel, std::move(data), syn, fin, rst);
    }
};

traceflow::TraceFlowOptions connections() {
    traceflow::TraceFlowOptions o;
    o.keying = traceflow::FlowKeying::bidirectional;
    o.lifecycle = traceflow::Lifecycle::tcp;
    return o;
}

}  // namespace

TEST_CASE("Connections: orig from the originator, resp from the other side, held bytes in order", "[stream]") {
    Tracer tracer(connections());
    Recorder rec;
    traceflow::StreamFollower follower(tracer, &rec);
    std::vector<std::string> ended_after;
    follower.register_callback([&](const Tracer::index_type& flow) {
        ended_after.push_back("flow " + std::to_string(flow.number));
        rec.events.push_back("callback " + std::to_string(flow.number));
    });
    Conn k{{"192.0.2.1", 40000, 0xFFFFFF00u}, {"198.51.100.7", 80, 77}};
    follower.dump(k.c(0, "", true));
    follower.dump(k.s(0, "", true));
    follower.dump(k.c(1, "GET / HTTP/1.1\r\n\r\n"));
    follower.dump(k.s(1 + 6, "200 OK"));  // before the first bytes: held
    follower.dump(k.s(1, "HTTP/1"));
    follower.dump(k.s(13, "", false, true));
    follower.dump(k.c(19, "", false, true));
    follower.end_of_input();
    follower.finish();
    const Recorded& orig = rec.streams[{0, 0}];
    const Recorded& resp = rec.streams[{0, 1}];
    CHECK(orig.bytes == "GET / HTTP/1.1\r\n\r\n");
    CHECK(resp.bytes == "HTTP/1200 OK");
    CHECK(orig.summary.length == 18);
    CHECK(resp.summary.length == 12);
    CHECK(orig.gaps.empty());
    CHECK(resp.gaps.empty());
    REQUIRE(rec.events.size() == 3);
    CHECK(rec.events[0] == "end 0 0");
    CHECK(rec.events[1] == "end 0 1");
    CHECK(rec.events[2] == "callback 0");  // callbacks see a flow after its streams ended
    CHECK(follower.held_bytes() == 0);
}

TEST_CASE("pcapkit flows are directional: one stream each, the FIN's own bytes included", "[stream]") {
    Tracer tracer;
    Recorder rec;
    traceflow::StreamFollower follower(tracer, &rec);
    Conn k{{"192.0.2.1", 40000, 1000}, {"198.51.100.7", 80, 5000}};
    follower.dump(k.c(0, "", true));
    follower.dump(k.s(0, "", true));
    follower.dump(k.c(1, "hello "));
    follower.dump(k.c(7, "bye", false, true));  // data with the FIN: the flow ends here
    follower.dump(k.s(1, "reply"));
    follower.finish();  // the server's flow is still open: its stream ends now
    REQUIRE(rec.streams.size() == 2);
    CHECK(rec.streams[{0, 0}].bytes == "hello bye");
    CHECK(rec.streams[{0, 0}].ended);
    CHECK(rec.streams[{1, 0}].bytes == "reply");
    CHECK(rec.streams[{1, 0}].ended);
    CHECK(rec.streams.count({0, 1}) == 0);
}

TEST_CASE("A reused port is a new connection with a stream of its own", "[stream]") {
    Tracer tracer(connections());
    Recorder rec;
    traceflow::StreamFollower follower(tracer, &rec);
    Conn a{{"192.0.2.1", 40000, 100}, {"198.51.100.7", 80, 900}};
    follower.dump(a.c(0, "", true));
    follower.dump(a.s(0, "", true));
    follower.dump(a.c(1, "first"));
    follower.dump(a.c(6, "", false, true));
    follower.dump(a.s(1, "", false, true));
    Conn b{{"192.0.2.1", 40000, 7000000}, {"198.51.100.7", 80, 3000000}};
    b.frame = a.frame;
    b.time = a.time;
    follower.dump(b.c(0, "", true));  // same ports, new ISN
    follower.dump(b.s(0, "", true));
    follower.dump(b.c(1, "second"));
    follower.end_of_input();
    follower.finish();
    CHECK(rec.streams[{0, 0}].bytes == "first");
    CHECK(rec.streams[{1, 0}].bytes == "second");
    CHECK(rec.streams[{1, 0}].summary.gaps.empty());
}

TEST_CASE("RST mid-transfer ends the streams; the hole before it is a gap", "[stream]") {
    Tracer tracer(connections());
    Recorder rec;
    traceflow::StreamFollower follower(tracer, &rec);
    Conn k{{"192.0.2.1", 40000, 100}, {"198.51.100.7", 80, 900}};
    follower.dump(k.c(0, "", true));
    follower.dump(k.s(0, "", true));
    follower.dump(k.s(1, "aaaa"));
    follower.dump(k.s(9, "cccc"));  // 4..7 never captured
    follower.dump(k.c(1, "", false, false, true));
    follower.end_of_input();
    follower.finish();
    const Recorded& resp = rec.streams[{0, 1}];
    CHECK(resp.ended);
    CHECK(resp.gaps == std::vector<traceflow::ByteRange>{{4, 4}});
    CHECK(resp.bytes == std::string("aaaa\0\0\0\0cccc", 12));
}

TEST_CASE("Retransmitted FINs, zero-window probes and SYN data stay exact", "[stream]") {
    Tracer tracer(connections());
    Recorder rec;
    traceflow::StreamFollower follower(tracer, &rec);
    Conn k{{"192.0.2.1", 40000, 100}, {"198.51.100.7", 80, 900}};
    follower.dump(k.c(0, "TFO", true));  // SYN with data
    follower.dump(k.s(0, "", true));
    follower.dump(k.s(1, "x"));    // zero-window probe: one byte
    follower.dump(k.s(1, "xyz"));  // then the segment it probed for
    follower.dump(k.c(4, "", false, true));
    follower.dump(k.c(4, "", false, true));  // the FIN again
    follower.dump(k.s(4, "", false, true));
    follower.end_of_input();
    follower.finish();
    CHECK(rec.streams[{0, 0}].bytes == "TFO");
    CHECK(rec.streams[{0, 0}].summary.length == 3);
    CHECK(rec.streams[{0, 1}].bytes == "xyz");
    CHECK(rec.streams[{0, 1}].conflicts.empty());
    CHECK(rec.streams[{0, 1}].summary.gaps.empty());
}

TEST_CASE("Over the total bound, the held holes become gaps, and nothing is dropped without one", "[stream]") {
    traceflow::ReassemblyOptions bounds;
    bounds.max_held_total = 64;
    Tracer tracer(connections());
    Recorder rec;
    traceflow::StreamFollower follower(tracer, &rec, bounds);
    Conn a{{"192.0.2.1", 40000, 100}, {"198.51.100.7", 80, 900}};
    Conn b{{"192.0.2.2", 40001, 100}, {"198.51.100.7", 80, 900}};
    follower.dump(a.c(0, "", true));
    follower.dump(b.c(0, "", true));
    follower.dump(a.c(11, std::string(40, 'a')));  // 0..9 missing: held
    CHECK(follower.held_bytes() == 40);
    follower.dump(b.c(11, std::string(40, 'b')));  // 80 held: over the bound
    CHECK(follower.held_bytes() <= 64);
    follower.end_of_input();
    follower.finish();
    for (std::uint64_t flow : {0u, 1u}) {
        const Recorded& r = rec.streams[{flow, 0}];
        CHECK(r.summary.length == 50);
        CHECK(r.gaps == std::vector<traceflow::ByteRange>{{0, 10}});
        CHECK(r.bytes.substr(10) == std::string(40, flow == 0 ? 'a' : 'b'));
    }
    CHECK(follower.held_bytes() == 0);
}

TEST_CASE("Without a consumer the follower only forwards to the tracer", "[stream]") {
    Tracer tracer(connections());
    traceflow::StreamFollower<Tracer, Recorder> follower(tracer, nullptr);
    Conn k{{"192.0.2.1", 40000, 100}, {"198.51.100.7", 80, 900}};
    int ended = 0;
    follower.register_callback([&](const Tracer::index_type&) { ++ended; });
    follower.dump(k.c(0, "", true));
    follower.dump(k.c(1, "data", false, false, true));
    follower.end_of_input();
    CHECK(ended == 1);
    CHECK_FALSE(follower.needs_frame_bytes());
}
