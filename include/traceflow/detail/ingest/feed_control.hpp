// SPDX-License-Identifier: MIT
// What feed() shares: the tracer clock hook, frame limits, stop requests, the live clock, opening an input.
#pragma once

#include "../../version.hpp"

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

#include "../../decode/decode_options.hpp"
#include "../../errors.hpp"
#include "../../feed/feed_options.hpp"
#include "../../io/capture_reader.hpp"
#include "../../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::ingest {

// Does the tracer have advance(Timestamp) (TraceFlow does)?
template <typename Tracer, typename = void>
struct has_advance : std::false_type {};
template <typename Tracer>
struct has_advance<Tracer, std::void_t<decltype(std::declval<Tracer&>().advance(std::declval<const Timestamp&>()))>>
    : std::true_type {};

template <typename Tracer>
void advance_clock(Tracer& tracer, const Timestamp& now) {
    if constexpr (has_advance<Tracer>::value)
        tracer.advance(now);
    else
        (void)tracer, (void)now;
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
        const auto wall =
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - dry_since_);
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
        source.on_wait([stop](io::WaitEvent) { return !stop->load(std::memory_order_relaxed); }, options.wake_interval);
    }
    return io::CaptureReader(std::move(source));
}

// The overloads of feed() and feed_threaded() that open a path: nothing is
// opened past the frame limit, and a stop while reading the capture header
// ends the input quietly.
template <typename FeedReader>
FeedStatus feed_path(const std::string& path, const FeedOptions& options, std::uint64_t frames_read,
                     FeedReader&& feed_reader) {
    if (frame_limit_reached(options, frames_read)) return FeedStatus::complete;  // not even opened
    try {
        io::CaptureReader reader = open_input(path, options);
        return feed_reader(reader);
    } catch (const io::ReadStopped&) {  // while reading the capture header
        return FeedStatus::stopped;
    }
}

// The options of the overloads that take only a progress callback.
inline FeedOptions with_progress(std::function<void(const io::CaptureReader&)> progress) {
    FeedOptions options;
    options.progress = std::move(progress);
    return options;
}

}  // namespace detail::ingest
TRACEFLOW_NAMESPACE_END
