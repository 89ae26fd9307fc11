// SPDX-License-Identifier: MIT
// FeedOptions: how feed() and feed_threaded() read: stop token, live clock, error policy, progress.
#pragma once

#include "version.hpp"

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

#include "decode/decode_options.hpp"
#include "errors.hpp"
#include "io/capture_reader.hpp"
#include "timestamp.hpp"

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

namespace detail {

// Does the tracer have advance(Timestamp) (TraceFlow does)?
template <typename Tracer, typename = void>
struct has_advance : std::false_type {};
template <typename Tracer>
struct has_advance<Tracer, std::void_t<decltype(std::declval<Tracer&>().advance(std::declval<const Timestamp&>()))>>
    : std::true_type {};

template <typename Tracer>
void advance_clock(Tracer& tracer, const Timestamp& now) {
    if constexpr (has_advance<Tracer>::value) tracer.advance(now);
    else (void)tracer, (void)now;
}

// True once `frames` records were read and FeedOptions::max_frames says stop there.
inline bool frame_limit_reached(const FeedOptions& options, std::uint64_t frames) noexcept {
    return options.max_frames != 0 && frames >= options.max_frames;
}

inline bool stop_requested(const FeedOptions& options) noexcept {
    return options.stop != nullptr && options.stop->load(std::memory_order_relaxed);
}

// The live clock: capture time = last packet's time + wall time since the input ran dry.
class LiveClock {
public:
    // The packet just read (cheap: one copy per record).
    void saw(const Timestamp& ts) noexcept {
        last_ = ts;
        seen_ = true;
    }
    // The input ran dry: the wall clock starts here.
    void dry() noexcept { dry_since_ = std::chrono::steady_clock::now(); }
    // The capture time now, or nothing before the first packet.
    [[nodiscard]] std::optional<Timestamp> now() const noexcept {
        if (!seen_) return std::nullopt;
        const auto wall = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                               dry_since_);
        const std::int64_t base = last_.total_nanoseconds();
        const std::int64_t span = wall.count() < 0 ? 0 : wall.count();
        return Timestamp::from_nanoseconds(base > INT64_MAX - span ? INT64_MAX : base + span);
    }

private:
    Timestamp last_{};
    bool seen_ = false;
    std::chrono::steady_clock::time_point dry_since_ = std::chrono::steady_clock::now();
};

// Runs `read_one` for every input path in turn, reporting errors through
// options.on_error (counted in `failed`) or throwing them.
template <typename ReadOne>
FeedStatus feed_inputs(const std::vector<std::string>& inputs, const FeedOptions& options, std::uint64_t& failed,
                       ReadOne&& read_one) {
    for (const std::string& path : inputs) {
        if (stop_requested(options)) return FeedStatus::stopped;
        try {
            if (read_one(path) == FeedStatus::stopped) return FeedStatus::stopped;
        } catch (const Error& e) {
            if (!options.on_error) throw;
            ++failed;
            options.on_error(e);
        }
    }
    return FeedStatus::complete;
}

// Opens `path` with a hook that ends the wait when stop is set (so a
// signal ends even a read of the capture header).
inline io::CaptureReader open_input(const std::string& path, const FeedOptions& options) {
    io::ByteSource source(path);
    if (options.stop != nullptr && source.is_stream()) {
        const std::atomic<bool>* stop = options.stop;
        source.on_wait([stop](io::WaitEvent) { return !stop->load(std::memory_order_relaxed); },
                       options.wake_interval);
    }
    return io::CaptureReader(std::move(source));
}

}  // namespace detail

TRACEFLOW_NAMESPACE_END
