// SPDX-License-Identifier: MIT
// FeedOptions: how feed() and feed_threaded() read: stop token, live clock, error policy, progress.
#pragma once

#include "../version.hpp"

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../decode/decode_options.hpp"
#include "../errors.hpp"
#include "../io/capture_reader.hpp"
#include "../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// How feed() / feed_threaded() read their inputs. The defaults read every
/// record of every input and throw at the first error, as the overloads
/// without options do.
///
///     std::atomic<bool> stop{false};  // set it from a signal handler or another thread
///     traceflow::FeedOptions how;
///     how.stop = &stop;
///     how.on_error = [](const traceflow::Error& e) { std::fprintf(stderr, "%s\n", e.what()); };
struct FeedOptions {
    /// When set and true, reading ends before the next record; the records
    /// before it are traced whole. Checked per record, and while a stream
    /// waits for input (every `wake_interval`). May be set from a signal handler.
    const std::atomic<bool>* stop = nullptr;
    /// On a stream (pipe, FIFO, socket, terminal), while no packet arrives,
    /// advance the tracer's clock (`advance(Timestamp)`) to the last packet's
    /// time plus the wall time since the input ran dry, every `wake_interval`,
    /// so lingers and timeouts end flows on a quiet wire. Never on regular
    /// files: their results do not depend on the wall clock.
    bool live_clock = false;
    /// How often a waiting stream wakes up to look at `stop` and the live clock.
    std::chrono::milliseconds wake_interval{100};
    /// Several inputs: an input that cannot be opened or is damaged is
    /// reported here and the next one is read. Empty: the error is thrown.
    std::function<void(const Error&)> on_error;
    /// How frames are decoded.
    decode::DecodeOptions decode;
    /// When nonzero, reading ends once `ExtractStats::frames` reaches it (all
    /// inputs together): exactly this many records are read.
    std::uint64_t max_frames = 0;
    /// Called every 65536 records (on the reading thread of feed_threaded():
    /// it may look at the reader, not at the tracer or the stats).
    std::function<void(const io::CaptureReader&)> progress;
};

/// How a feed ended.
enum class FeedStatus {
    complete,  ///< every input was read to its end (or to its damage)
    stopped,   ///< the stop token ended reading
};

TRACEFLOW_NAMESPACE_END
