// SPDX-License-Identifier: MIT
// FeedOptions: the stop token, several inputs with on_error, the live clock
// on a FIFO, and TraceFlow::advance.
#include <traceflow/feed/threaded_feed.hpp>
#include <traceflow/traceflow.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "pcap_writer.hpp"
#include "spawn.hpp"
#include "test_catch.hpp"
#include "test_util.hpp"

#if defined(TRACEFLOW_TEST_HAVE_SPAWN)
#include <sys/stat.h>
#endif

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

fs::path sample_path() { return fs::path(TRACEFLOW_SOURCE_DIR) / "examples/data/sample.pcap"; }
fs::path scenario(const char* name) { return fs::path(TRACEFLOW_TEST_DATA_DIR) / "tcp" / name; }

using testutil::repeated;

struct Fed {
    traceflow::FeedStatus status{};
    traceflow::ExtractStats stats;
    std::vector<traceflow::Index> index;
};

Fed feed_memory(const Bytes& bytes, bool threaded, const traceflow::FeedOptions& options) {
    Fed r;
    traceflow::TraceFlow<traceflow::CapturePacket> tracer;
    auto reader = traceflow::io::CaptureReader::from_memory(traceflow::ByteView(bytes.data(), bytes.size()), "m");
    r.status = threaded ? traceflow::feed_threaded(reader, tracer, r.stats, options)
                        : traceflow::feed(reader, tracer, r.stats, options);
    r.index = tracer.index();
    return r;
}

}  // namespace

TEST_CASE("feed and feed_threaded: a stop token ends reading at the same record", "[feed_options][threaded_feed]") {
    const Bytes many = repeated(testutil::read_bytes(scenario("many_short_flows.pcap")), 40);  // 80,000 frames
    for (bool threaded : {false, true}) {
        CAPTURE(threaded);
        std::atomic<bool> stop{true};
        traceflow::FeedOptions options;
        options.stop = &stop;
        const Fed none = feed_memory(many, threaded, options);
        CHECK(none.status == traceflow::FeedStatus::stopped);
        CHECK(none.stats.frames == 0);
        CHECK(none.index.empty());

        // The progress hook runs after record 65536 on the reading side: the
        // stop is seen before record 65537 in both feeds.
        stop = false;
        options.progress = [&stop](const traceflow::io::CaptureReader&) { stop = true; };
        const Fed part = feed_memory(many, threaded, options);
        CHECK(part.status == traceflow::FeedStatus::stopped);
        CHECK(part.stats.frames == 65536);
        std::uint64_t traced = 0;
        for (const auto& flow : part.index) {
            traced += flow.index.size();
            for (std::uint64_t f : flow.index) CHECK(f <= 65536);
        }
        CHECK(traced == part.stats.tcp_frames);

        stop = false;
        options.progress = nullptr;
        const Fed all = feed_memory(many, threaded, options);
        CHECK(all.status == traceflow::FeedStatus::complete);
        CHECK(all.stats.frames == 80000);
    }
}

TEST_CASE("feed and feed_threaded of several inputs: missing and damaged inputs reported, the rest read",
          "[feed_options][threaded_feed]") {
    testutil::TempDir dir;
    const Bytes sample = testutil::read_bytes(sample_path());
    const fs::path cut = dir.path() / "cut.pcap";
    {
        std::ofstream out(cut, std::ios::binary);
        out.write(reinterpret_cast<const char*>(sample.data()), static_cast<std::streamsize>(sample.size() / 2));
    }
    const std::vector<std::string> inputs = {sample_path().string(), (dir.path() / "missing.pcap").string(),
                                             cut.string(), scenario("rst_close.pcap").string()};
    for (bool threaded : {false, true}) {
        CAPTURE(threaded);
        std::vector<std::string> errors;
        traceflow::FeedOptions options;
        options.on_error = [&](const traceflow::Error& e) { errors.push_back(e.what()); };
        traceflow::TraceFlow<traceflow::CapturePacket> tracer;
        traceflow::ExtractStats stats;
        const auto status = threaded ? traceflow::feed_threaded(inputs, tracer, stats, options)
                                     : traceflow::feed(inputs, tracer, stats, options);
        CHECK(status == traceflow::FeedStatus::complete);
        REQUIRE(errors.size() == 2);
        CHECK(errors[0].find("missing.pcap") != std::string::npos);
        CHECK(errors[1].find("cut.pcap: record ") != std::string::npos);
        CHECK(errors[1].find("byte offset") != std::string::npos);
        CHECK(stats.failed_inputs == 2);
        // Frame numbers go on: rst_close's 12 frames are the last ones.
        std::uint64_t highest = 0;
        bool rst_flow = false;
        for (const auto& flow : tracer.index()) {
            for (std::uint64_t f : flow.index) highest = std::max(highest, f);
            rst_flow = rst_flow || flow.label.find("10.77.0.1_40009") != std::string::npos;
        }
        CHECK(rst_flow);
        CHECK(highest == stats.frames);
        CHECK(stats.frames > 101 + 12);
    }
    // Without on_error the first error is thrown, as before.
    traceflow::TraceFlow<traceflow::CapturePacket> tracer;
    traceflow::ExtractStats stats;
    CHECK_THROWS_AS(traceflow::feed(inputs, tracer, stats, traceflow::FeedOptions{}), traceflow::IoError);
    CHECK(stats.frames == 101);
}

TEST_CASE("extract with FeedOptions keeps going past a missing input", "[feed_options]") {
    std::size_t errors = 0;
    traceflow::FeedOptions options;
    options.on_error = [&](const traceflow::Error&) { ++errors; };
    const auto result = traceflow::extract({"/nonexistent/a.pcap", sample_path().string()}, {}, options);
    CHECK(errors == 1);
    CHECK(result.stats.failed_inputs == 1);
    CHECK(result.stats.frames == 101);
    CHECK(result.index.size() == 17);
    CHECK(result.status == traceflow::FeedStatus::complete);
}

TEST_CASE("trace flow: advance() ends flows on time, never moves the clock back", "[feed_options][lifecycle]") {
    traceflow::TraceFlowOptions options;
    options.idle_timeout = std::chrono::seconds(2);
    traceflow::TraceFlow<> tracer(options);
    std::vector<traceflow::EndReason> ended;
    tracer.register_callback([&](const traceflow::Index& flow) { ended.push_back(flow.reason); });
    tracer.dump(testutil::make_packet(1, "10.0.0.1", 1000, "10.0.0.2", 80, true, false, {100, 0}));
    tracer.advance({101, 999'999'999});
    CHECK(ended.empty());
    tracer.advance({50, 0});  // back in time: nothing
    CHECK(ended.empty());
    tracer.advance({102, 0});
    REQUIRE(ended.size() == 1);
    CHECK(ended[0] == traceflow::EndReason::idle);
    CHECK(tracer.open_count() == 0);
    // A packet older than the clock does not end anything retroactively either.
    tracer.dump(testutil::make_packet(2, "10.0.0.1", 1001, "10.0.0.2", 80, true, false, {101, 0}));
    CHECK(tracer.open_count() == 1);
}

#if defined(TRACEFLOW_TEST_HAVE_SPAWN)

namespace {

// A FIFO in a temp folder, written by a thread: the header and records of
// `pcap`, then held open until `release` is set (or `hold` passes).
struct FifoWriter {
    testutil::TempDir dir;
    std::string path = (dir.path() / "fifo").string();
    std::atomic<bool> release{false};
    std::atomic<bool> timed_out{false};
    std::thread thread;

    FifoWriter(Bytes pcap, std::size_t records, std::chrono::seconds hold) {
        REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
        thread = std::thread([this, pcap = std::move(pcap), records, hold] {
            std::FILE* f = std::fopen(path.c_str(), "wb");  // blocks until the reader opens
            if (f == nullptr) return;
            const auto parts = testutil::cut_records(pcap);
            std::fwrite(parts.header.data(), 1, parts.header.size(), f);
            for (std::size_t i = 0; i < records && i < parts.records.size(); ++i)
                std::fwrite(parts.records[i].data(), 1, parts.records[i].size(), f);
            std::fflush(f);
            const auto deadline = testutil::Clock::now() + hold;
            while (!release && testutil::Clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            timed_out = !release;
            std::fclose(f);
        });
    }
    ~FifoWriter() {
        release = true;
        if (thread.joinable()) thread.join();
    }
};

}  // namespace

TEST_CASE("byte source on a FIFO: a record is delivered as soon as it has arrived", "[feed_options][io]") {
    FifoWriter writer(testutil::read_bytes(sample_path()), 3, std::chrono::seconds(60));
    traceflow::io::CaptureReader reader(writer.path);
    CHECK(reader.source().is_stream());
    traceflow::io::Record r;
    for (int i = 0; i < 3; ++i) REQUIRE(reader.next(r));
    CHECK(r.number == 3);
    CHECK_FALSE(writer.timed_out);  // read before the writer gave up and closed
    writer.release = true;
    CHECK_FALSE(reader.next(r));  // the writer closed: a clean end
}

TEST_CASE("byte source on a FIFO: bytes arriving in random pieces give the records a file gives",
          "[feed_options][io][property]") {
    CHECK_FALSE(traceflow::io::ByteSource(sample_path().string()).is_stream());
    const Bytes input = repeated(testutil::read_bytes(sample_path()), 30);
    testutil::TempDir dir;
    const std::string fifo = (dir.path() / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::thread writer([&] {
        std::FILE* f = std::fopen(fifo.c_str(), "wb");
        if (f == nullptr) return;
        std::uint32_t state = 12345;
        for (std::size_t at = 0; at < input.size();) {
            state = state * 1103515245u + 12345u;
            const std::size_t piece = std::min<std::size_t>(input.size() - at, 1 + (state >> 16) % 300);
            std::fwrite(input.data() + at, 1, piece, f);
            std::fflush(f);
            at += piece;
            if ((state >> 8) % 16 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        std::fclose(f);
    });
    traceflow::io::CaptureReader piped(fifo);
    int waits = 0;
    piped.source().on_wait(
        [&](traceflow::io::WaitEvent) {
            ++waits;
            return true;
        },
        std::chrono::milliseconds(5));
    auto whole = traceflow::io::CaptureReader::from_memory(traceflow::ByteView(input.data(), input.size()), "m");
    traceflow::io::Record a;
    traceflow::io::Record b;
    std::size_t records = 0;
    while (whole.next(a)) {
        REQUIRE(piped.next(b));
        CHECK(b.number == a.number);
        CHECK(b.offset == a.offset);
        CHECK(b.frame.timestamp == a.frame.timestamp);
        CHECK(Bytes(b.frame.bytes.begin(), b.frame.bytes.end()) == Bytes(a.frame.bytes.begin(), a.frame.bytes.end()));
        ++records;
    }
    CHECK_FALSE(piped.next(b));
    writer.join();
    CHECK(records == 30 * 101);
    CHECK(waits > 0);  // the reader did wait for pieces, and came through whole
}

TEST_CASE("byte source on a FIFO: the wait hook is called while quiet and can stop reading", "[feed_options][io]") {
    FifoWriter writer(testutil::read_bytes(sample_path()), 2, std::chrono::seconds(60));
    traceflow::io::CaptureReader reader(writer.path);
    int starting = 0;
    int waiting = 0;
    reader.source().on_wait(
        [&](traceflow::io::WaitEvent e) {
            ++(e == traceflow::io::WaitEvent::starting ? starting : waiting);
            return waiting < 3;
        },
        std::chrono::milliseconds(10));
    traceflow::io::Record r;
    REQUIRE(reader.next(r));
    REQUIRE(reader.next(r));
    CHECK_THROWS_AS(reader.next(r), traceflow::io::ReadStopped);
    CHECK(starting >= 1);
    CHECK(waiting == 3);
    CHECK_FALSE(writer.timed_out);
}

TEST_CASE("feed and feed_threaded on a FIFO: the live clock ends an RST flow while no packet arrives",
          "[feed_options][threaded_feed]") {
    for (bool threaded : {false, true}) {
        CAPTURE(threaded);
        const Bytes rst = testutil::read_bytes(scenario("rst_close.pcap"));
        FifoWriter writer(rst, 1000, std::chrono::seconds(60));
        traceflow::TraceFlowOptions trace_options;
        trace_options.lifecycle = traceflow::Lifecycle::tcp;
        trace_options.rst_linger = std::chrono::milliseconds(200);
        traceflow::TraceFlow<traceflow::CapturePacket> tracer(trace_options);
        std::vector<traceflow::EndReason> ended;
        tracer.register_callback([&](const traceflow::Index& flow) {
            ended.push_back(flow.reason);
            writer.release = true;  // seen while the writer still held the FIFO open
        });
        std::atomic<bool> stop{false};
        traceflow::FeedOptions options;
        options.stop = &stop;
        options.live_clock = true;
        options.wake_interval = std::chrono::milliseconds(20);
        traceflow::ExtractStats stats;
        const auto status = threaded ? traceflow::feed_threaded(writer.path, tracer, stats, options)
                                     : traceflow::feed(writer.path, tracer, stats, options);
        CHECK(status == traceflow::FeedStatus::complete);
        CHECK_FALSE(writer.timed_out);
        REQUIRE_FALSE(ended.empty());
        CHECK(ended[0] == traceflow::EndReason::rst);
        CHECK(stats.frames == 12);
    }
}

TEST_CASE("feed and feed_threaded on a FIFO: the stop token ends a wait for input", "[feed_options][threaded_feed]") {
    for (bool threaded : {false, true}) {
        CAPTURE(threaded);
        FifoWriter writer(testutil::read_bytes(sample_path()), 5, std::chrono::seconds(60));
        traceflow::TraceFlow<traceflow::CapturePacket> tracer;
        std::atomic<bool> stop{false};
        traceflow::FeedOptions options;
        options.stop = &stop;
        options.wake_interval = std::chrono::milliseconds(20);
        std::thread stopper([&stop] {
            std::this_thread::sleep_for(std::chrono::seconds(2));  // the 5 records are in by then
            stop = true;
        });
        traceflow::ExtractStats stats;
        const auto status = threaded ? traceflow::feed_threaded(writer.path, tracer, stats, options)
                                     : traceflow::feed(writer.path, tracer, stats, options);
        stopper.join();
        CHECK(status == traceflow::FeedStatus::stopped);
        CHECK(stats.frames == 5);
        CHECK_FALSE(writer.timed_out);
    }
}

#endif
