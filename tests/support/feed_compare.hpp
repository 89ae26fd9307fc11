// SPDX-License-Identifier: MIT
// Test helper: feed a capture with feed() or feed_threaded() and keep
// everything a caller can observe, to compare the two.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <traceflow/feed/feed.hpp>
#include <traceflow/feed/threaded_feed.hpp>
#include <traceflow/output/file_output.hpp>
#include <traceflow/trace_flow.hpp>

#include "test_catch.hpp"
#include "test_util.hpp"

namespace testutil {

struct FeedResult {
    std::vector<traceflow::Index> index;
    traceflow::ExtractStats stats;
    std::optional<std::string> error;
    std::map<std::string, std::string> files;  // file name -> contents
    std::size_t ended_before_throw = 0;
};

// Feeds `bytes` one way or the other into a tracer writing `format` files
// under `out` (none when `out` is empty); `throw_at`: a callback throws when
// that many flows have ended. With `file_buffer`, the bytes are read from a
// file through buffers of that size (feed_threaded() then reads into several
// in turn); otherwise in place from memory.
inline FeedResult feed_bytes(const std::vector<std::uint8_t>& bytes, bool threaded, const std::filesystem::path& out,
                             const std::string& format = "pcap", std::size_t throw_at = 0,
                             const std::string& name = "in.pcap", std::size_t file_buffer = 0) {
    FeedResult r;
    traceflow::TraceFlowOptions options;
    options.warning = nullptr;
    if (!out.empty()) {
        options.fout = out.string();
        options.format = format;
    }
    {
        traceflow::TraceFlow<traceflow::CapturePacket> tracer(options);
        std::size_t ended = 0;
        if (throw_at != 0)
            tracer.register_callback([&](const traceflow::Index&) {
                if (++ended == throw_at) throw std::runtime_error("callback failed");
            });
        TempDir dir;
        const std::string path = (dir.path() / name).string();
        if (file_buffer != 0) {
            std::ofstream file(path, std::ios::binary);
            file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
            REQUIRE(file.good());
        }
        try {  // a header too damaged to open throws here, the same for both
            auto reader = file_buffer != 0 ? traceflow::io::CaptureReader(traceflow::io::ByteSource(path, file_buffer))
                                           : traceflow::io::CaptureReader::from_memory(
                                                 traceflow::ByteView(bytes.data(), bytes.size()), name);
            if (threaded)
                traceflow::feed_threaded(reader, tracer, r.stats);
            else
                traceflow::feed(reader, tracer, r.stats);
        } catch (const std::exception& e) {
            r.error = e.what();
            r.ended_before_throw = tracer.closed().size();
        }
        tracer.finish();
        r.index = tracer.index();
    }
    if (!out.empty())
        for (const auto& entry : std::filesystem::directory_iterator(out))
            r.files[entry.path().filename().string()] = read_file(entry.path());
    return r;
}

inline void check_same(const FeedResult& a, const FeedResult& b) {
    CHECK(a.error == b.error);
    CHECK(a.stats.frames == b.stats.frames);
    CHECK(a.stats.tcp_frames == b.stats.tcp_frames);
    CHECK(a.stats.bytes == b.stats.bytes);
    CHECK(a.stats.outcomes == b.stats.outcomes);
    CHECK(a.ended_before_throw == b.ended_before_throw);
    REQUIRE(a.index.size() == b.index.size());
    for (std::size_t i = 0; i < a.index.size(); ++i) {
        CHECK(a.index[i].label == b.index[i].label);
        CHECK(a.index[i].index == b.index[i].index);
        CHECK(a.index[i].reason == b.index[i].reason);
    }
    CHECK(a.files == b.files);
}

}  // namespace testutil
